/* Small behaviours for every page. Loaded with `defer`; no inline scripts (CSP). */
(function () {
  "use strict";

  // Selects marked data-autosubmit submit their form on change; the form keeps a
  // visible submit button too, for keyboard users and without JavaScript.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.submit();
      }
    });
  });

  // Forms marked data-confirm ask first (e.g. revoking an API token).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
})();
