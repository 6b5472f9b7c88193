// Draws a process's newest diagram in the library (diagram.js) and puts a badge on each
// element where cases wait ("3 saker · median 4 d"), coloured by how many. The figures and
// texts come from the page (the same figures as the table beside it).
(function () {
  "use strict";
  function badge(element) {
    var node = document.createElement("div");
    node.className = "heat-badge heat-badge-" + element.level;
    node.textContent = element.label;
    return node;
  }
  function draw(container) {
    var data = JSON.parse(document.getElementById(container.dataset.heatmap).textContent);
    window.SamflytDiagram.show(container, data, function (viewer) {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      var overlays = viewer.get("overlays");
      var shown = 0;
      data.elements.forEach(function (element) {
        if (!registry.get(element.id)) { return; }
        canvas.addMarker(element.id, "heat-" + element.level);
        overlays.add(element.id, "heatmap", {position: {top: -12, left: -6}, scale: {min: 1},
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
