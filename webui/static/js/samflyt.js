// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to an error summary, so a screen reader and the keyboard land on it.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
    // Error summary links focus the field they name.
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          event.preventDefault();
          var focusable = target.matches("input, select, textarea") ? target
            : target.querySelector("input, select, textarea");
          (focusable || target).focus();
          target.scrollIntoView({block: "center"});
        }
      });
    });
  });
})();
