// Planning runs take a few seconds: say so, and avoid a double submission.
(function () {
  "use strict";
  document.querySelectorAll("form.js-patience").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.classList.add("occupe");
        button.textContent = "Envoi de la demande…";
      }
    });
  });
})();
