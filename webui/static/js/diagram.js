// Draws process diagrams with the bpmn-js viewer. `SamflytDiagram.show(container, data,
// decorate, size)` imports data.xml, opens data.diagramId (a called process drawn in the same
// file), lets `decorate(viewer)` mark it, and fits it (or `size(viewer)` sizes it); the case
// page uses it to mark element states ([data-diagram]), the library page for its heat map
// (heatmap.js).
//
// On the case page a diagram is drawn readable: at its natural size when it fits the width,
// never below READABLE of it (a wide process is then panned by dragging), the figure as tall
// as the drawing; the buttons beside it ([data-zoom]) zoom in, out and back to the whole.
(function () {
  "use strict";
  var READABLE = 0.75, MAX_HEIGHT = 720, MIN_HEIGHT = 200, MARGIN = 40, STEP = 1.25;

  function readable(container) {
    return function (viewer) {
      var canvas = viewer.get("canvas");
      canvas.zoom(1);
      var inner = canvas.viewbox().inner;
      if (!inner.width || !inner.height) { canvas.zoom("fit-viewport"); return; }
      var scale = Math.min(1, Math.max(READABLE, (container.clientWidth - MARGIN) / inner.width));
      var height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, inner.height * scale + MARGIN));
      container.style.height = Math.round(height) + "px";
      canvas.resized();
      canvas.viewbox({x: inner.x - MARGIN / 2 / scale, y: inner.y - MARGIN / 2 / scale,
                      width: container.clientWidth / scale, height: height / scale});
    };
  }

  function show(container, data, decorate, size) {
    var viewer = new window.BpmnJS({container: container});
    return viewer.importXML(data.xml).then(function () {
      var ready = data.diagramId ? viewer.open(data.diagramId) : Promise.resolve();
      return ready.catch(function () { return null; });
    }).then(function () {
      decorate(viewer);
      if (size) { size(viewer); } else { viewer.get("canvas").zoom("fit-viewport"); }
      container.dataset.rendered = "true";
      return viewer;
    }).catch(function (error) {
      container.classList.add("diagram-error");
      container.textContent = (container.dataset.error || "Diagrammet kunne ikke tegnes:") +
        " " + error.message;
      container.dataset.rendered = "error";
    });
  }
  window.SamflytDiagram = {show: show};

  function zoomButtons(container, viewer) {
    var figure = container.closest("figure");
    if (!figure || !viewer) { return; }
    figure.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var canvas = viewer.get("canvas");
        var how = button.dataset.zoom;
        if (how === "fit") { canvas.zoom("fit-viewport", "auto"); return; }
        canvas.zoom(canvas.zoom() * (how === "in" ? STEP : 1 / STEP), "auto");
      });
    });
  }

  function markStates(container) {
    var data = JSON.parse(document.getElementById(container.dataset.diagram).textContent);
    show(container, data, function (viewer) {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      Object.keys(data.states).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "state-" + data.states[id]); }
      });
    }, readable(container)).then(function (viewer) { zoomButtons(container, viewer); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.BpmnJS) { return; }
    document.querySelectorAll("[data-diagram]").forEach(markStates);
  });
})();
