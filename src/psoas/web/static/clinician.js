/* The clinician's pages: the invitation link is selected whole when it takes focus, ready to
 * copy (a file, not an onfocus attribute: the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
