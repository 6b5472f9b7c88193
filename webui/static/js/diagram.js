// Draws process diagrams with the bpmn-js viewer. `SamflytDiagram.show(container, data,
// decorate)` imports data.xml, opens data.diagramId (a called process drawn in the same file),
// lets `decorate(viewer)` mark it, and fits it; the case page uses it to mark element states
// ([data-diagram]), the library page for its heat map (heatmap.js).
(function () {
  "use strict";
  function show(container, data, decorate) {
    var viewer = new window.BpmnJS({container: container});
    return viewer.importXML(data.xml).then(function () {
      var ready = data.diagramId ? viewer.open(data.diagramId) : Promise.resolve();
      return ready.catch(function () { return null; });
    }).then(function () {
      decorate(viewer);
      viewer.get("canvas").zoom("fit-viewport");
      container.dataset.rendered = "true";
    }).catch(function (error) {
      container.classList.add("diagram-error");
      container.textContent = (container.dataset.error || "Diagrammet kunne ikke tegnes:") +
        " " + error.message;
      container.dataset.rendered = "error";
    });
  }
  window.SamflytDiagram = {show: show};

  function markStates(container) {
    var data = JSON.parse(document.getElementById(container.dataset.diagram).textContent);
    show(container, data, function (viewer) {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      Object.keys(data.states).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "state-" + data.states[id]); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.BpmnJS) { return; }
    document.querySelectorAll("[data-diagram]").forEach(markStates);
  });
})();
