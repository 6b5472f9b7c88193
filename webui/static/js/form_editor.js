// The form editor: a live preview of the JSON Schema being typed. The server renders the
// preview with the task page's own form renderer and checks the schema with the deploy
// validator; this script only sends the text (debounced) and shows the answer. Without it
// the page still works: saving the draft shows the preview and the problems.
(function () {
  "use strict";
  var DELAY = 400;

  function start(form) {
    var textarea = form.querySelector("textarea[name='schema']");
    var preview = document.querySelector("[data-preview]");
    var status = document.getElementById("preview-status");
    var token = form.querySelector("input[name='csrf_token']").value;
    var timer = null, sent = 0, shown = 0, saved = textarea.value;

    function show(html, message) {
      preview.innerHTML = html;
      status.textContent = message;
    }

    function refresh() {
      var number = ++sent;
      var body = new URLSearchParams();
      body.set("csrf_token", token);
      body.set("schema", textarea.value);
      status.textContent = form.dataset.msgWorking;
      fetch(form.dataset.previewUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": token}
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (answer) {
        if (number < shown) { return; }  // an older answer arriving late
        shown = number;
        show(answer.html, answer.status);
      }).catch(function () {
        if (number >= shown) { status.textContent = form.dataset.msgFailed; }
      });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY);
    });

    // "Go to line 3, column 5": put the cursor where the JSON is broken.
    preview.addEventListener("click", function (event) {
      var button = event.target.closest("[data-goto]");
      if (!button) { return; }
      var position = Math.min(parseInt(button.dataset.goto, 10) || 0, textarea.value.length);
      textarea.focus();
      textarea.setSelectionRange(position, Math.min(position + 1, textarea.value.length));
      var line = textarea.value.slice(0, position).split("\n").length - 1;
      var height = parseFloat(window.getComputedStyle(textarea).lineHeight) || 18;
      textarea.scrollTop = Math.max(0, line * height - textarea.clientHeight / 2);
    });

    // The preview is a picture of the task's form: it never submits.
    preview.addEventListener("submit", function (event) { event.preventDefault(); });

    form.addEventListener("submit", function () { saved = textarea.value; });

    // Deploying installs what is saved: say so when the text has changes that are not.
    document.querySelectorAll("[data-deploy-form]").forEach(function (deploy) {
      deploy.addEventListener("submit", function (event) {
        if (textarea.value === saved) { return; }
        event.preventDefault();
        var warning = deploy.querySelector("#deploy-unsaved");
        warning.textContent = form.dataset.msgUnsaved;
        warning.hidden = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-form-editor]");
    if (form) { start(form); }
  });
})();
