// Needs stated up front: the interpreter language is asked only when help is ticked
// (without JavaScript both fields stay visible; no inline handlers under the strict CSP).
(function () {
  "use strict";
  var box = document.getElementById("id_interpreter_needed");
  var wrapper = document.getElementById("div_id_interpreter_language");
  if (!box || !wrapper) { return; }
  function sync() { wrapper.hidden = !box.checked; }
  box.addEventListener("change", sync);
  sync();
})();
