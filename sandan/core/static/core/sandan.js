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

  // A table wider than its box scrolls inside it: mark the box (CSS shows a hint and fades
  // the side with more columns) and let the keyboard reach it (KWCAG 2.1.1).
  function markScrolling(wrap) {
    var scrollable = wrap.scrollWidth - wrap.clientWidth > 1;
    wrap.classList.toggle("is-scrollable", scrollable);
    wrap.classList.toggle("at-start", wrap.scrollLeft <= 1);
    wrap.classList.toggle("at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
    if (scrollable && !wrap.hasAttribute("tabindex")) {
      var caption = wrap.querySelector("caption");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (caption && caption.textContent) {
        wrap.setAttribute("aria-label", caption.textContent.trim());
      }
    }
  }
  var tableWraps = document.querySelectorAll(".krds-table-wrap");
  tableWraps.forEach(function (wrap) {
    markScrolling(wrap);
    wrap.addEventListener("scroll", function () {
      markScrolling(wrap);
    }, { passive: true });
  });
  window.addEventListener("resize", function () {
    tableWraps.forEach(markScrolling);
  });

  // A KRDS file upload hides the native input: say which file was chosen.
  document.querySelectorAll("[data-file-chosen]").forEach(function (output) {
    var input = document.getElementById(output.getAttribute("data-file-chosen"));
    if (!input) {
      return;
    }
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files || [], function (file) {
        return file.name;
      });
      if (names.length) {
        output.textContent = names.join(", ");
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

  // Calm buttons: a form that POSTs is sent once. A second click while the answer is on its
  // way does nothing; the button is marked busy (aria-busy, a spinner) and, when it has a
  // data-busy text, says what is happening ("처리 중…"). Links marked data-busy (file
  // exports, which leave the page where it is) are busy for a few seconds.
  var BUSY_CLASS = "is-busy";

  function markBusy(control, label) {
    control.classList.add(BUSY_CLASS);
    control.setAttribute("aria-disabled", "true");
    control.setAttribute("aria-busy", "true");
    if (label && !control.hasAttribute("data-idle-label")) {
      control.setAttribute("data-idle-label", control.textContent);
      control.textContent = label;
    }
  }

  function clearBusy(control) {
    control.classList.remove(BUSY_CLASS);
    control.removeAttribute("aria-disabled");
    control.removeAttribute("aria-busy");
    if (control.hasAttribute("data-idle-label")) {
      control.textContent = control.getAttribute("data-idle-label");
      control.removeAttribute("data-idle-label");
    }
  }

  function release(form) {
    form.removeAttribute("data-submitting");
    form.removeAttribute("aria-busy");
    form.querySelectorAll("." + BUSY_CLASS).forEach(clearBusy);
  }

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) {
        return; // data-confirm said no
      }
      if (form.hasAttribute("data-submitting")) {
        event.preventDefault();
        return;
      }
      var method = (form.getAttribute("method") || "get").toLowerCase();
      var button = event.submitter || form.querySelector("[type=submit]");
      var busyText = button && button.getAttribute("data-busy");
      if (method !== "post" && !busyText) {
        return; // a search or a filter: sending it again is harmless
      }
      form.setAttribute("data-submitting", "true");
      form.setAttribute("aria-busy", "true");
      if (button) {
        markBusy(button, busyText);
      }
    });
  });

  document.querySelectorAll("a[data-busy]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (link.classList.contains(BUSY_CLASS)) {
        event.preventDefault();
        return;
      }
      markBusy(link, link.getAttribute("data-busy"));
      window.setTimeout(function () {
        clearBusy(link);
      }, 5000);
    });
  });

  // An answer that does not replace the page (HTMX) or a page restored from the back-forward
  // cache gives the buttons back.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target && event.target.closest ? event.target.closest("form") : null;
    if (form) {
      release(form);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submitting]").forEach(release);
      document.querySelectorAll("a." + BUSY_CLASS).forEach(clearBusy);
    }
  });
})();
