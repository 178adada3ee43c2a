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

  // The header's menu: on small screens a button opens the panel (menu and user links);
  // on every screen a group opens its pages, one group at a time, and Escape or a click
  // elsewhere closes it. Without JavaScript the menu stays open and the groups still open.
  var header = document.querySelector("[data-site-header]");
  var toggle = document.querySelector("[data-menu-toggle]");
  if (header && toggle) {
    header.classList.add("has-menu-js");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
      if (open) {
        var current = header.querySelector(".gnb-item.is-current > details");
        if (current) {
          current.open = true;
        }
      }
    });
  }
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-gnb-group]"));
  var wide = window.matchMedia("(min-width: 1024px)");
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open && wide.matches) {
        groups.forEach(function (other) {
          if (other !== group) {
            other.open = false;
          }
        });
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (!wide.matches) {
      return;
    }
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) {
        group.open = false;
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    groups.forEach(function (group) {
      if (group.open) {
        group.open = false;
        group.querySelector("summary").focus();
      }
    });
    if (toggle && toggle.getAttribute("aria-expanded") === "true") {
      toggle.click();
      toggle.focus();
    }
  });
})();
