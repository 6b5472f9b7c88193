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

    // dmn-js's own reason is technical English: it goes under "Teknisk melding", the
    // headline says what to do (the problems list says what is wrong, in words).
    function failed(error) {
      var reason = (error && error.message) || String(error);
      status.textContent = form.dataset.msgFailed;
      var detail = document.getElementById("dmn-failed-detail");
      detail.querySelector("code").textContent = reason;
      detail.hidden = false;
      canvas.hidden = true;
      source.hidden = false;
      modeler = null;
    }

    // Cells the validator named (at the last save) get a red outline and say why to a
    // screen reader; the marks stay until the next save.
    function markProblems() {
      var messages = {};
      problems.forEach(function (problem) {
        (messages[problem.element] = messages[problem.element] || []).push(problem.message);
      });
      Object.keys(messages).forEach(function (element) {
        var text = messages[element].join("; ");
        canvas.querySelectorAll("[data-element-id='" + CSS.escape(element) + "']")
          .forEach(function (cell) {
            cell.classList.add("dmn-problem");
            cell.setAttribute("title", text);
            var editor = cell.querySelector("[contenteditable='true']") || cell;
            editor.setAttribute("aria-description", form.dataset.msgProblem + ": " + text);
          });
      });
    }

    // dmn-js names every cell just "Input" or "Output": name each after its column and
    // rule instead ("Forslag: individuell plan, regel 1"), so a screen reader tells them apart.
    function labelCells() {
      canvas.querySelectorAll("td[data-col-id][data-row-id]").forEach(function (td) {
        var editor = td.querySelector("[contenteditable='true']");
        var header = canvas.querySelector("th[data-col-id='" + CSS.escape(td.dataset.colId) +
                                          "'] .input-label, th[data-col-id='" +
                                          CSS.escape(td.dataset.colId) + "'] .output-label");
        var row = parseInt((td.dataset.coords || "").split(":")[0], 10);
        if (!editor || !header || isNaN(row)) { return; }
        editor.setAttribute("aria-label", header.textContent.trim() + ", " +
                            form.dataset.labelRule + " " + (row + 1));
      });
    }

    // dmn-js leaves the header of the rule-number column empty: name it.
    function labelIndexHeader() {
      canvas.querySelectorAll("th.index-column").forEach(function (th) {
        if (!th.textContent.trim()) { th.textContent = form.dataset.labelIndex; }
      });
    }

    function afterRender() {
      labelIndexHeader();
      labelCells();
      markProblems();
    }

    canvas.hidden = false;
    // The decision table's own texts in bokmål on a bokmål page (dmn-js passes "common"
    // options to each view but replaces its additionalModules, so each view gets them).
    var translations = window.SamflytModelerTranslations;
    var modules = translations ? translations.modules() : [];
    modeler = new DmnJS({container: canvas,
                         drd: {additionalModules: modules},
                         decisionTable: {additionalModules: modules},
                         literalExpression: {additionalModules: modules},
                         boxedExpression: {additionalModules: modules}});
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
