// The decision table editor: dmn-js (the DmnJS global, from npm via scripts/setup.sh) shows
// the DMN file of the page's textarea as an editable table; saving writes the table's XML
// back into the textarea and posts the form. Without JavaScript, or when the file cannot be
// read, the textarea stays and the XML is edited directly.
(function () {
  "use strict";

  function start(form) {
    var textarea = form.querySelector("textarea[name='xml']");
    var source = form.querySelector("[data-dmn-source]");
    var canvas = form.querySelector("[data-dmn-canvas]");
    var status = document.getElementById("dmn-status");
    var problems = JSON.parse(form.dataset.problems || "[]").filter(function (p) {
      return p.file === form.dataset.file && p.element && p.element !== "-";
    });
    var modeler = null, dirty = false, saving = false;

    function failed(error) {
      var reason = (error && error.message) || String(error);
      status.textContent = form.dataset.msgFailed.replace("{reason}", reason);
      canvas.hidden = true;
      source.hidden = false;
      modeler = null;
    }

    // Cells the validator named get a red outline and say why to a screen reader.
    function markProblems() {
      problems.forEach(function (problem) {
        canvas.querySelectorAll("[data-element-id='" + CSS.escape(problem.element) + "']")
          .forEach(function (cell) {
            cell.classList.add("dmn-problem");
            cell.setAttribute("title", problem.message);
            cell.setAttribute("aria-description", form.dataset.msgProblem + ": " + problem.message);
          });
      });
    }

    // dmn-js draws its table cells as contenteditable elements without a name: give each
    // cell the name of its column, so that a screen reader can tell them apart.
    function labelCells() {
      var table = canvas.querySelector("table");
      if (!table) { return; }
      table.setAttribute("aria-label", form.dataset.labelTable);
      var cells = canvas.querySelectorAll("[contenteditable='true']:not([aria-label])");
      cells.forEach(function (cell) {
        var td = cell.closest("td, th");
        var name = td && td.closest("table") && headerOf(td);
        cell.setAttribute("role", "textbox");
        cell.setAttribute("aria-label", name || form.dataset.labelTable);
      });
    }

    function headerOf(td) {
      var row = td.parentElement, index = Array.prototype.indexOf.call(row.children, td);
      var head = td.closest("table").querySelector("thead tr:last-child");
      var header = head && head.children[index];
      return header ? header.textContent.replace(/\s+/g, " ").trim() : "";
    }

    function afterRender() {
      labelCells();
      markProblems();
    }

    canvas.hidden = false;
    modeler = new DmnJS({container: canvas});
    modeler.importXML(textarea.value).then(function () {
      var tables = modeler.getViews().filter(function (view) {
        return view.type === "decisionTable";
      });
      if (!tables.length) { throw new Error(form.dataset.msgNoTable); }
      return modeler.open(tables[0]);
    }).then(function () {
      source.hidden = true;
      status.textContent = form.dataset.msgReady;
      var viewer = modeler.getActiveViewer();
      viewer.get("eventBus").on("elements.changed", function () {
        dirty = true;
        window.setTimeout(afterRender, 0);
      });
      afterRender();
    }).catch(failed);

    form.addEventListener("submit", function (event) {
      if (!modeler || saving) { return; }  // the textarea itself is posted
      event.preventDefault();
      saving = true;
      status.textContent = form.dataset.msgSaving;
      modeler.saveXML({format: true}).then(function (result) {
        textarea.value = result.xml;
        dirty = false;
        form.submit();
      }).catch(function (error) {
        saving = false;
        failed(error);
      });
    });

    textarea.addEventListener("input", function () { dirty = true; });

    document.querySelectorAll("[data-deploy-form]").forEach(function (deploy) {
      deploy.addEventListener("submit", function (event) {
        if (!dirty) { return; }
        event.preventDefault();
        var warning = deploy.querySelector("#deploy-unsaved");
        warning.textContent = form.dataset.msgUnsaved;
        warning.hidden = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-dmn-editor]");
    if (form && typeof DmnJS !== "undefined") { start(form); }
  });
})();
