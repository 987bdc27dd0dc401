// Every POST form of the resident pages is sent once: after the first submit its buttons are
// disabled and the pressed one says "Sending…" (the label comes translated from the page's
// data-sending-label). The buttons are disabled only after the browser has taken the form's
// data, so the pressed button's name and value (e.g. the chosen time) still go with it.
// A page restored with the back button, or a request that never returns, gets its buttons
// back. The server answers a step sent twice with the current state in any case.
(function () {
  "use strict";
  var BUTTONS = "button[type=submit], button:not([type]), input[type=submit]";
  var label = document.body.getAttribute("data-sending-label") || "…";

  function restore(form) {
    form.removeAttribute("data-sending");
    form.removeAttribute("aria-busy");
    form.querySelectorAll(BUTTONS).forEach(function (button) {
      button.disabled = false;
      if (button.hasAttribute("data-label")) {
        button.innerHTML = button.getAttribute("data-label");
        button.removeAttribute("data-label");
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") { return; }
    if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
    if (event.defaultPrevented) { return; }
    form.setAttribute("data-sending", "");
    form.setAttribute("aria-busy", "true");
    var pressed = event.submitter;
    window.setTimeout(function () {
      form.querySelectorAll(BUTTONS).forEach(function (button) { button.disabled = true; });
      if (pressed && pressed.tagName === "BUTTON") {
        pressed.setAttribute("data-label", pressed.innerHTML);
        pressed.textContent = label;
      }
    }, 0);
    window.setTimeout(function () { restore(form); }, 20000);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { document.querySelectorAll("form[data-sending]").forEach(restore); }
  });
})();
