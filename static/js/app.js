/*
 * openIMIS front-end glue. Loaded with `defer`, after htmx and Bootstrap.
 * Keep this file small: pages are server-rendered, HTMX does the rest.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Send Django's CSRF token with every HTMX request (header X-CSRFToken,
  // Django's default CSRF_HEADER_NAME). The token is read from the page,
  // so it works whatever the CSRF cookie's HttpOnly setting.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // <select data-autosubmit> submits its form when changed (e.g. the language
  // switch), so templates need no inline JavaScript. Delegated on document, so
  // it also works for content swapped in by HTMX.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-autosubmit") || !el.form) {
      return;
    }
    if (typeof el.form.requestSubmit === "function") {
      el.form.requestSubmit();
    } else {
      el.form.submit();
    }
  });
})();
