// Draws a process's newest diagram in the library with bpmn-js and puts a badge on each
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
    var viewer = new window.BpmnJS({container: container});
    viewer.importXML(data.xml).then(function () {
      var ready = data.diagramId ? viewer.open(data.diagramId) : Promise.resolve();
      return ready.catch(function () { return null; });
    }).then(function () {
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
      canvas.zoom("fit-viewport");
      container.dataset.badges = String(shown);
      container.dataset.rendered = "true";
    }).catch(function (error) {
      container.classList.add("diagram-error");
      container.textContent = (container.dataset.error || "") + " " + error.message;
      container.dataset.rendered = "error";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.BpmnJS) { return; }
    document.querySelectorAll("[data-heatmap]").forEach(draw);
  });
})();
