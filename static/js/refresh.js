// Live regions without a framework: every element with data-refresh-url gets its content
// replaced by the fragment at that URL every data-refresh-seconds. A refresh waits while the
// user is typing in or focusing a control inside the region, so nobody loses their place.
(function () {
  "use strict";
  function schedule(region) {
    var seconds = parseInt(region.getAttribute("data-refresh-seconds") || "10", 10);
    window.setTimeout(function () { refresh(region); }, seconds * 1000);
  }
  function refresh(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && active !== document.body) {
      schedule(region);
      return;
    }
    fetch(region.getAttribute("data-refresh-url"), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { region.innerHTML = html; } })
      .catch(function () { /* offline for a moment: try again next time */ })
      .finally(function () { schedule(region); });
  }
  document.querySelectorAll("[data-refresh-url]").forEach(schedule);
})();
