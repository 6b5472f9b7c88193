// Draws each process diagram on the case page with bpmn-js and marks element states.
(function () {
  "use strict";
  function draw(container) {
    var data = JSON.parse(document.getElementById(container.dataset.diagram).textContent);
    var viewer = new window.BpmnJS({container: container});
    viewer.importXML(data.xml).then(function () {
      var ready = data.diagramId ? viewer.open(data.diagramId) : Promise.resolve();
      return ready.catch(function () { return null; });
    }).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      Object.keys(data.states).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "state-" + data.states[id]); }
      });
      canvas.zoom("fit-viewport");
      container.dataset.rendered = "true";
    }).catch(function (error) {
      container.classList.add("diagram-error");
      container.textContent = "Diagrammet kunne ikke tegnes: " + error.message;
      container.dataset.rendered = "error";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.BpmnJS) { return; }
    document.querySelectorAll("[data-diagram]").forEach(draw);
  });
})();
