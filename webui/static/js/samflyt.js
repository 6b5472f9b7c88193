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
    // A table.cards shows each row as a card on a narrow screen: each cell is labelled with
    // its column's name (a cell's own data-label wins; a column whose heading is only for
    // screen readers gets none).
    document.querySelectorAll("table.cards").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        var hidden = th.querySelector(".visually-hidden");
        return hidden && th.textContent.trim() === hidden.textContent.trim() ? ""
          : th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && headings[index]) {
            cell.setAttribute("data-label", headings[index]);
          }
        });
      });
    });
  });
})();
