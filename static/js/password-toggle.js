// Show or hide a password while typing it: the button after each password field (templates/macros.html, field)
// switches the input between type=password and type=text. A toggle button: aria-pressed says whether the password is
// shown, and its name ("显示密码") stays the same. The button is hidden until this script runs, so a page without
// scripts shows no button that does nothing. Loaded once per password field: it binds each button only once.
(function () {
  "use strict";
  function bind(button) {
    if (button.dataset.bound) { return; }
    var input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) { return; }
    button.dataset.bound = "1";
    button.hidden = false;
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
      input.focus();
    });
    // Submitting with the password shown must not let the browser remember it as ordinary text.
    if (input.form) {
      input.form.addEventListener("submit", function () {
        input.type = "password";
        button.setAttribute("aria-pressed", "false");
      });
    }
  }
  function bindAll() {
    Array.prototype.forEach.call(document.querySelectorAll("button.password-toggle"), bind);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
})();
