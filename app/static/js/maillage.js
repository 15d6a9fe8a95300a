// Small enhancements on top of htmx; every page works without them.
(function () {
  "use strict";
  // After htmx replaces a region that holds a status message, keep it announced.
  document.addEventListener("htmx:afterSwap", function (event) {
    var focusTarget = event.detail.target.querySelector("[data-focus-after-swap]");
    if (focusTarget) { focusTarget.focus(); }
  });
})();
