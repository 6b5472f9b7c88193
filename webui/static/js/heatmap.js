// Draws a process's newest diagram in the library (diagram.js) and puts a badge on each
// element where cases wait ("3 saker · median 4 d"), coloured by how many; where only
// deadline watchers wait, a smaller badge of its own ("3 frister overvåkes"). The figures and
// texts come from the page (the same figures as the table beside it). A badge sits above the
// element's top-right corner (its CSS lifts it by its own height), clear of the element's
// name, whether that is written inside the shape (tasks) or below it (events, gateways).
(function () {
  "use strict";
  function badge(element) {
    var node = document.createElement("div");
    node.className = "heat-badge heat-badge-" + element.level;
    node.textContent = element.label;
    return node;
  }
  // Where a badge goes, in diagram units from the element's top-left corner: above its
  // top-right corner; when the element's name is written above it (a gateway's or an
  // event's label), past the right end of that name.
  function place(shape) {
    var left = shape.width - 14, label = shape.label;
    if (label && label.y < shape.y && label.x + label.width > shape.x + left) {
      left = label.x + label.width - shape.x + 6;
    }
    return {top: -3, left: left};
  }
  function draw(container) {
    var data = JSON.parse(document.getElementById(container.dataset.heatmap).textContent);
    window.SamflytDiagram.show(container, data, function (viewer) {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      var overlays = viewer.get("overlays");
      var shown = 0;
      data.elements.forEach(function (element) {
        var shape = registry.get(element.id);
        if (!shape) { return; }
        if (element.level !== "watch") { canvas.addMarker(element.id, "heat-" + element.level); }
        overlays.add(element.id, "heatmap", {position: place(shape), scale: {min: 1},
                                             html: badge(element)});
        shown += 1;
      });
      container.dataset.badges = String(shown);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.BpmnJS) { return; }
    document.querySelectorAll("[data-heatmap]").forEach(draw);
  });
})();
