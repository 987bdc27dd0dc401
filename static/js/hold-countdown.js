// The held page's countdown: the server writes the seconds left (data-hold-seconds), the
// script counts down from the moment the page arrived (so a wrong phone clock does not
// matter) and, when the time is up, shows the "expired" block with the way to choose again.
// Without JavaScript the page still says the clock time until which the place is held.
(function () {
  "use strict";
  var box = document.querySelector("[data-hold-seconds]");
  if (!box) { return; }
  var value = box.querySelector(".hold-countdown-value");
  var deadline = Date.now() + parseInt(box.getAttribute("data-hold-seconds"), 10) * 1000;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function expire() {
    var pending = document.querySelector("[data-hold-pending]");
    var expired = document.querySelector("[data-hold-expired]");
    if (pending) { pending.hidden = true; }
    if (expired) { expired.hidden = false; }
  }
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    value.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
    if (left <= 0) { expire(); return; }
    window.setTimeout(tick, 1000 - ((deadline - Date.now()) % 1000 + 1000) % 1000 || 1000);
  }
  box.hidden = false;
  tick();
})();
