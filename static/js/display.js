// The call display: the newest call's announcement rotates through the resident languages
// (one visible at a time, every data-rotate-seconds), and an optional chime sounds when a new
// call appears. The chime is off by default; the switch (shown only with JavaScript) keeps its
// choice in localStorage. The tone is made with WebAudio: no file, no inline script (strict CSP).
(function () {
  "use strict";
  var region = document.getElementById("calls");
  if (!region) { return; }
  var seconds = parseInt(region.getAttribute("data-rotate-seconds") || "5", 10);
  var turn = 0;
  var lastNewest = null;
  var audio = null;
  var STORE = "display-chime";

  function rotate() {
    var items = region.querySelectorAll(".display-announcement");
    if (items.length) {
      turn = (turn + 1) % items.length;
      items.forEach(function (item, index) { item.hidden = index !== turn; });
    }
  }

  function chimeOn() {
    try { return window.localStorage.getItem(STORE) === "on"; } catch (e) { return false; }
  }

  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    audio = audio || new Context();
    [[660, 0], [880, 0.35]].forEach(function (tone) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      var start = audio.currentTime + tone[1];
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.3, start + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.65);
    });
    document.body.setAttribute("data-chimed", String(Date.now()));
  }

  function newest() {
    var board = region.querySelector(".display-board");
    return board ? board.getAttribute("data-newest") : "";
  }

  function watch() {
    var current = newest();
    if (lastNewest !== null && current && current !== lastNewest) {
      // A fresh call: start its rotation with the first language and sound the chime.
      turn = -1;
      rotate();
      if (chimeOn()) { chime(); }
    } else if (current === lastNewest) {
      // The feed replaced the markup: keep the rotation where it was.
      var items = region.querySelectorAll(".display-announcement");
      items.forEach(function (item, index) { item.hidden = index !== turn % items.length; });
    }
    lastNewest = current;
  }

  var button = document.getElementById("chime-switch");
  function show() {
    var on = chimeOn();
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = button.getAttribute(on ? "data-label-on" : "data-label-off");
  }
  if (button) {
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      var on = !chimeOn();
      try { window.localStorage.setItem(STORE, on ? "on" : "off"); } catch (e) { /* private mode */ }
      show();
      if (on) { chime(); }  // the click unlocks audio in the browser and lets staff hear it
    });
  }

  lastNewest = newest();
  new MutationObserver(watch).observe(region, { childList: true });
  window.setInterval(rotate, seconds * 1000);
})();
