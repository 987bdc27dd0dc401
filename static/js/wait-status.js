// The live wait page (appointments/views/support.py): polls the small JSON status, updates the
// texts and, when the number is called, changes the page title, plays a tone and vibrates where
// the phone allows. Without JavaScript the page reloads itself (meta refresh in <noscript>).
(function () {
  "use strict";
  var root = document.querySelector("[data-wait-status]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-wait-status");
  var seconds = Math.max(parseInt(root.getAttribute("data-poll-seconds"), 10) || 20, 5);
  var numberLabel = root.getAttribute("data-number-label");
  var headline = root.querySelector("[data-wait-headline]");
  var detail = root.querySelector("[data-wait-detail]");
  var live = root.querySelector(".wait-live");
  var state = root.getAttribute("data-state");
  var audio = null;
  var FINAL = { done: true, gone: true, invalid: true };

  // Browsers allow sound only after the person touched the page once: prepare it then.
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      audio = new Context();
    }
    if (audio && audio.state === "suspended") {
      audio.resume();
    }
  }
  document.addEventListener("click", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  document.addEventListener("touchstart", unlockAudio, { once: true });

  function tone() {
    if (!audio) {
      unlockAudio();
    }
    if (!audio) {
      return;
    }
    [0, 0.45].forEach(function (offset) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.value = 0.25;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start(audio.currentTime + offset);
      oscillator.stop(audio.currentTime + offset + 0.3);
    });
  }

  function alertCalled() {
    tone();
    if (navigator.vibrate) {
      navigator.vibrate([400, 200, 400, 200, 400]);
    }
  }

  function show(data) {
    if (data.headline) {
      headline.textContent = data.headline;
      detail.textContent = data.detail;
      document.title = data.headline + " · " + numberLabel + " " + data.number;
    }
    live.classList.toggle("alert-success", data.state === "called");
    live.classList.toggle("alert-info", data.state !== "called");
    if (data.state === "called" && state !== "called") {
      alertCalled();
    }
    state = data.state;
    root.setAttribute("data-state", state);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (!FINAL[data.state]) {
          window.setTimeout(poll, seconds * 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, seconds * 1000); // offline for a moment: try again
      });
  }

  if (!FINAL[state]) {
    window.setTimeout(poll, seconds * 1000);
  }
})();
