// The process editor: the bpmn-js modeler with SpiffWorkflow's extensions, a properties panel
// for what the coordinating unit edits (names, lane roles, timers, gateway conditions, a user
// task's form, due date, priority and instructions), drafts saved and validated on the
// server, the problems marked on the diagram, and deploying the drafts as a new version.
// Every text shown comes from the page (translated there); this file holds none.
(function () {
  "use strict";

  var SPIFF_PROPERTIES = "spiffworkflow:Properties";
  var INSTRUCTIONS = "spiffworkflow:InstructionsForEndUser";
  var data, M, modeler, canvas, registry, modeling, moddle, selection, overlays;
  var revision = "";  // drafts.revision of the draft this page saves over ("" for none)
  var current = null;      // the selected element (never a label: its target instead)
  var dirty = false;
  var busy = false;
  var applying = false;
  var changedWhileApplying = false;
  var marked = [];
  var dueEditing = false;  // the deadline controls hold a value not written (a wrong amount)

  function $(id) { return document.getElementById(id); }
  function fill(message, values) {
    return message.replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] !== undefined ? values[name] : all;
    });
  }
  function is(element, type) {
    var bo = element && (element.businessObject || element);
    return !!(bo && bo.$instanceOf && bo.$instanceOf(type));
  }

  // ---------------------------------------------------------------- status and busy state
  function status(text, kind, links) {
    var box = $("editor-status");
    box.textContent = "";
    box.className = "editor-status" + (kind ? " editor-status-" + kind : "");
    if (!text) { return; }
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    (links || []).forEach(function (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      a.className = "status-link";
      box.appendChild(a);
    });
  }

  function setBusy(value) {
    busy = value;
    ["save-draft", "deploy", "discard-draft"].forEach(function (id) { $(id).disabled = value; });
  }

  function setDirty(value) {
    dirty = value;
    $("dirty-state").textContent = value ? M.unsaved : M.allSaved;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": data.csrfToken},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.status === 413) { throw new Error(M.tooLarge); }
      if (type.indexOf("application/json") !== 0) { throw new Error(M.sessionLost); }
      return response.json().then(function (json) {
        return {status: response.status, body: json};
      });
    });
  }

  // ---------------------------------------------------------------- SpiffWorkflow extensions
  function extensionValues(bo) {
    var ext = bo.get("extensionElements");
    return ext ? ext.get("values") : [];
  }

  function findExtension(bo, type) {
    return extensionValues(bo).filter(function (v) { return v.$instanceOf(type); })[0];
  }

  function ensureExtensionElements(element) {
    var bo = element.businessObject;
    var ext = bo.get("extensionElements");
    if (!ext) {
      ext = moddle.create("bpmn:ExtensionElements", {values: []});
      ext.$parent = bo;
      modeling.updateModdleProperties(element, bo, {extensionElements: ext});
    }
    return ext;
  }

  function spiffProperty(bo, name) {
    var props = findExtension(bo, SPIFF_PROPERTIES);
    var found = props && props.get("properties").filter(function (p) { return p.name === name; })[0];
    return found ? (found.value || "") : "";
  }

  function setSpiffProperty(element, name, value) {
    var bo = element.businessObject;
    if (spiffProperty(bo, name).trim() === value) { return; }
    var props = findExtension(bo, SPIFF_PROPERTIES);
    if (!props) {
      if (!value) { return; }
      var ext = ensureExtensionElements(element);
      props = moddle.create(SPIFF_PROPERTIES, {properties: []});
      props.$parent = ext;
      modeling.updateModdleProperties(element, ext, {values: ext.get("values").concat([props])});
    }
    var list = props.get("properties");
    var prop = list.filter(function (p) { return p.name === name; })[0];
    if (value && prop) {
      modeling.updateModdleProperties(element, prop, {value: value});
    } else if (value) {
      prop = moddle.create("spiffworkflow:Property", {name: name, value: value});
      prop.$parent = props;
      modeling.updateModdleProperties(element, props, {properties: list.concat([prop])});
    } else if (prop) {
      modeling.updateModdleProperties(element, props, {
        properties: list.filter(function (p) { return p !== prop; })});
    }
  }

  function instructions(bo) {
    var found = findExtension(bo, INSTRUCTIONS);
    return found ? (found.text || "") : "";
  }

  function setInstructions(element, text) {
    var bo = element.businessObject;
    if (instructions(bo).trim() === text) { return; }
    var found = findExtension(bo, INSTRUCTIONS);
    if (found && text) {
      modeling.updateModdleProperties(element, found, {text: text});
    } else if (text) {
      var ext = ensureExtensionElements(element);
      found = moddle.create(INSTRUCTIONS, {text: text});
      found.$parent = ext;
      modeling.updateModdleProperties(element, ext, {values: ext.get("values").concat([found])});
    } else if (found) {
      var parent = bo.get("extensionElements");
      modeling.updateModdleProperties(element, parent, {
        values: parent.get("values").filter(function (v) { return v !== found; })});
    }
  }

  // ---------------------------------------------------------------- timers
  function timerDefinition(bo) {
    return (bo.get && bo.eventDefinitions || []).filter(function (d) {
      return d.$instanceOf("bpmn:TimerEventDefinition");
    })[0];
  }

  // What the timer control shows for the expression a timer holds.
  function parseTimer(definition) {
    var kinds = ["timeDuration", "timeDate", "timeCycle"];
    for (var i = 0; i < kinds.length; i++) {
      var value = definition.get(kinds[i]);
      if (!value) { continue; }
      var text = (value.body || "").trim();
      var m;
      if (kinds[i] === "timeDuration") {
        m = /^"P(\d+)([DWM])"$/i.exec(text) || /^"PT(\d+)(H)"$/i.exec(text);
        if (m) { return {mode: "duration", amount: +m[1], unit: m[2].toUpperCase(), expr: text}; }
      } else if (kinds[i] === "timeDate") {
        m = /^"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)(:\d\d)?(Z|[+-]\d\d:?\d\d)?"$/.exec(text);
        if (m) { return {mode: "date", day: m[1], time: m[2], expr: text}; }
      }
      return {mode: "computed", expr: text};
    }
    return {mode: "", expr: ""};
  }

  // The UTC offset (+01:00) of the configured time zone at a wall-clock time there.
  function offsetAt(day, time) {
    var p = day.split("-").map(Number), t = time.split(":").map(Number);
    var wall = Date.UTC(p[0], p[1] - 1, p[2], t[0], t[1]);
    var format = new Intl.DateTimeFormat("en-GB", {
      timeZone: data.timezone, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit"});
    function offset(instant) {
      var parts = {};
      format.formatToParts(new Date(instant)).forEach(function (x) { parts[x.type] = +x.value; });
      return (Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) -
              instant) / 60000;
    }
    var minutes = offset(wall - offset(wall) * 60000);
    var sign = minutes < 0 ? "-" : "+";
    minutes = Math.abs(minutes);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return sign + two(Math.floor(minutes / 60)) + ":" + two(minutes % 60);
  }

  // The quoted expression the controls describe, or {error} when they do not describe one.
  function timerFromControls() {
    var mode = (document.querySelector("input[name='timer-mode']:checked") || {}).value;
    if (mode === "duration") {
      var raw = $("timer-amount").value.trim();
      if (!/^\d{1,3}$/.test(raw) || +raw < 1) { return {error: M.amountInvalid}; }
      var unit = $("timer-unit").value;
      var iso = unit === "H" ? "PT" + (+raw) + "H" : "P" + (+raw) + unit;
      return {kind: "timeDuration", expr: "\"" + iso + "\""};
    }
    if (mode === "date") {
      var day = $("timer-day").value, time = $("timer-time").value;
      if (!/^\d{4}-\d\d-\d\d$/.test(day) || !/^\d\d:\d\d$/.test(time)) {
        return {error: M.dateInvalid};
      }
      return {kind: "timeDate", expr: "\"" + day + "T" + time + ":00" + offsetAt(day, time) + "\""};
    }
    return null;
  }

  function applyTimer(element) {
    var definition = timerDefinition(element.businessObject);
    var wanted = timerFromControls();
    $("timer-error").hidden = !(wanted && wanted.error);
    $("timer-error").textContent = wanted && wanted.error ? wanted.error : "";
    if (!wanted || wanted.error) { return; }
    var currentValue = definition.get(wanted.kind);
    $("timer-expression").textContent = wanted.expr;
    if (currentValue && (currentValue.body || "").trim() === wanted.expr &&
        !definition.get(wanted.kind === "timeDate" ? "timeDuration" : "timeDate") &&
        !definition.get("timeCycle")) {
      return;
    }
    var expression = moddle.create("bpmn:FormalExpression", {body: wanted.expr});
    expression.$parent = definition;
    var changes = {timeDuration: undefined, timeDate: undefined, timeCycle: undefined};
    changes[wanted.kind] = expression;
    modeling.updateModdleProperties(element, definition, changes);
  }

  function showTimerMode(mode) {
    $("timer-duration").hidden = mode !== "duration";
    $("timer-date").hidden = mode !== "date";
  }

  function renderTimer(definition) {
    var parsed = parseTimer(definition);
    document.querySelectorAll("input[name='timer-mode']").forEach(function (radio) {
      radio.checked = radio.value === parsed.mode;
    });
    showTimerMode(parsed.mode);
    $("timer-amount").value = parsed.mode === "duration" ? parsed.amount : "";
    $("timer-unit").value = parsed.mode === "duration" ? parsed.unit : "D";
    $("timer-day").value = parsed.mode === "date" ? parsed.day : "";
    $("timer-time").value = parsed.mode === "date" ? parsed.time : "09:00";
    $("timer-computed").hidden = parsed.mode !== "computed";
    $("timer-computed-expr").textContent = parsed.mode === "computed" ? parsed.expr : "";
    $("timer-expression").textContent = parsed.expr || M.none;
    $("timer-error").hidden = true;
  }

  // ---------------------------------------------------------------- a user task's deadline
  // The control writes `due_date(start, amount, "unit")` (engine/deadlines/due_expression.py
  // writes and reads the same form); any other expression is a custom deadline, kept as it is.
  var DUE_FORM = /^due_date\(\s*([A-Za-z_]\w*)\s*,\s*(\d{1,3})\s*,\s*(["'])(\w+)\3\s*\)$/;

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function parseDue(text) {
    text = (text || "").trim();
    if (!text) { return {mode: "none", expr: ""}; }
    var m = DUE_FORM.exec(text);
    if (m && hasOption($("due-start"), m[1]) && hasOption($("due-unit"), m[4]) &&
        +m[2] >= 1 && +m[2] <= 999) {
      return {mode: "after", start: m[1], amount: +m[2], unit: m[4], expr: text};
    }
    return {mode: "custom", expr: text};
  }

  function showDueMode(mode) {
    $("due-after").hidden = mode !== "after";
    $("due-custom").hidden = mode !== "custom";
    $("due-mode-custom-choice").hidden = mode !== "custom";
  }

  function renderDue(text) {
    var parsed = parseDue(text);
    document.querySelectorAll("input[name='due-mode']").forEach(function (radio) {
      radio.checked = radio.value === parsed.mode;
    });
    showDueMode(parsed.mode);
    $("due-amount").value = parsed.mode === "after" ? parsed.amount : "";
    if (parsed.mode === "after") {
      $("due-unit").value = parsed.unit;
      $("due-start").value = parsed.start;
    }
    $("prop-due").value = parsed.expr;
    $("due-error").hidden = true;
  }

  // The expression the deadline controls describe, into the advanced field; false when they
  // describe none (the amount is wrong: the error says so and nothing is written).
  function dueFromControls(target) {
    var mode = (document.querySelector("input[name='due-mode']:checked") || {}).value;
    var error = "";
    if (mode === "none") {
      $("prop-due").value = "";
    } else if (mode === "after") {
      var raw = $("due-amount").value.trim();
      if (!raw && target.id !== "due-amount") {
        error = "";  // just chosen: the amount is still to be written
        $("due-error").hidden = true;
        showDueMode(mode);
        return false;
      }
      if (!/^\d{1,3}$/.test(raw) || +raw < 1) {
        error = M.amountInvalid;
      } else {
        $("prop-due").value = "due_date(" + $("due-start").value + ", " + (+raw) + ", \"" +
          $("due-unit").value + "\")";
      }
    }
    showDueMode(mode);
    $("due-error").hidden = !error;
    $("due-error").textContent = error;
    return !error;
  }

  // ---------------------------------------------------------------- the properties panel
  // The role a lane's name stands for, as engine/roles.py reads it: the role's key or its
  // display name, case-insensitively, with runs of spaces, hyphens and underscores alike.
  function normalise(name) {
    return (name || "").trim().toLowerCase().replace(/[\s\-_]+/g, "_").replace(/^_+|_+$/g, "");
  }

  function roleOf(name) {
    var wanted = normalise(name), found = null;
    Array.prototype.forEach.call($("prop-role").options, function (option) {
      if (option.hasAttribute("data-unknown")) { return; }
      if (normalise(option.value) === wanted) { found = option.value; }
      else if (!found && normalise(option.getAttribute("data-name")) === wanted) { found = option.value; }
    });
    return found;
  }

  function conditionable(element) {
    return is(element, "bpmn:SequenceFlow") && element.businessObject.sourceRef &&
      (is(element.businessObject.sourceRef, "bpmn:ExclusiveGateway") ||
       is(element.businessObject.sourceRef, "bpmn:InclusiveGateway"));
  }

  function isDefaultFlow(element) {
    var source = element.businessObject.sourceRef;
    return !!(source && source.default === element.businessObject);
  }

  // Show `value` in a select, adding it as an option when the list lacks it, so that a value
  // the list does not know is kept (and validation says what is wrong with it).
  function choose(select, value) {
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      select.appendChild(option);
    }
    select.value = value;
  }

  // Names as an input shows them: one line, no spaces at the ends.
  function oneLine(text) { return (text || "").replace(/\s+/g, " ").trim(); }

  function render() {
    var el = current;
    $("panel-empty").hidden = !!el;
    $("properties").hidden = !el;
    if (!el) { return; }
    var bo = el.businessObject;
    $("element-type").textContent = M.types[bo.$type] || bo.$type;
    $("element-id").textContent = bo.id;
    var lane = is(el, "bpmn:Lane");
    $("section-name").hidden = lane;
    $("prop-name").value = bo.name || "";
    $("section-lane").hidden = !lane;
    if (lane) {
      var select = $("prop-role");
      Array.prototype.slice.call(select.querySelectorAll("option[data-unknown]"))
        .forEach(function (o) { o.remove(); });
      var role = roleOf(bo.name);
      if (!role) {
        var option = document.createElement("option");
        option.value = bo.name || "";
        option.textContent = (bo.name || M.none) + " (" + M.unknownRole + ")";
        option.setAttribute("data-unknown", "");
        select.appendChild(option);
      }
      select.value = role || bo.name || "";
    }
    var timer = timerDefinition(bo);
    $("section-timer").hidden = !timer;
    if (timer) { renderTimer(timer); }
    var flow = conditionable(el);
    $("section-condition").hidden = !flow;
    if (flow) {
      var isDefault = isDefaultFlow(el);
      $("prop-condition").value = bo.conditionExpression ? (bo.conditionExpression.body || "") : "";
      $("prop-condition").disabled = isDefault;
      $("prop-condition-default").hidden = !isDefault;
    }
    var task = is(el, "bpmn:UserTask");
    $("section-usertask").hidden = !task;
    if (task) {
      choose($("prop-form"), spiffProperty(bo, "formJsonSchemaFilename"));
      if (!dueEditing) { renderDue(spiffProperty(bo, "dueDateExpression")); }
      choose($("prop-priority"), spiffProperty(bo, "priority"));
      $("prop-instructions").value = instructions(bo);
    }
  }

  // Write what the panel's controls say into the diagram (only what differs). The panel is
  // drawn again once at the end: drawing it after each change would reset the controls
  // whose values are not written yet.
  function applyPanel() {
    if (applying) { return; }
    applying = true;
    changedWhileApplying = false;
    try {
      writeControls();
    } finally {
      applying = false;
    }
    if (changedWhileApplying) { render(); }
  }

  function writeControls() {
    var el = current;
    if (!el || !registry.get(el.id)) { return; }
    var bo = el.businessObject;
    if (is(el, "bpmn:Lane")) {
      var role = $("prop-role").value;
      if (roleOf(bo.name) !== role && (bo.name || "") !== role) { modeling.updateLabel(el, role); }
    } else {
      var name = oneLine($("prop-name").value);
      if (oneLine(bo.name) !== name) { modeling.updateLabel(el, name || null); }
    }
    if (timerDefinition(bo) && !$("section-timer").hidden) { applyTimer(el); }
    if (conditionable(el) && !isDefaultFlow(el)) {
      var text = $("prop-condition").value.trim();
      var before = bo.conditionExpression ? (bo.conditionExpression.body || "").trim() : "";
      if (text !== before) {
        var expression;
        if (text) {
          expression = moddle.create("bpmn:FormalExpression", {body: text});
          expression.$parent = bo;
        }
        modeling.updateProperties(el, {conditionExpression: expression});
      }
    }
    if (is(el, "bpmn:UserTask")) {
      setSpiffProperty(el, "formJsonSchemaFilename", $("prop-form").value.trim());
      setSpiffProperty(el, "dueDateExpression", $("prop-due").value.trim());
      setSpiffProperty(el, "priority", $("prop-priority").value.trim());
      setInstructions(el, $("prop-instructions").value.trim());
    }
  }

  // ---------------------------------------------------------------- choosing an element
  function pickable(element) {
    return element.type !== "label" && element.businessObject && element.businessObject.id &&
      !is(element, "bpmn:Process") && !is(element, "bpmn:Collaboration") &&
      element.parent !== undefined && element.parent !== null;
  }

  // An element in words for the list: its kind and name (a lane by its role's name, a flow
  // without a name by what it joins), never its id (shown as code once it is chosen).
  function nameOf(bo) {
    if (!bo) { return M.unnamed; }
    if (is(bo, "bpmn:Lane")) {
      var role = roleOf(bo.name);
      var option = role && $("prop-role").querySelector("option[value='" + role + "']");
      if (option) { return option.textContent.trim(); }
    }
    return bo.name ? bo.name.replace(/\s+/g, " ") : M.unnamed;
  }

  function describe(element) {
    var bo = element.businessObject;
    var type = M.types[bo.$type] || bo.$type.replace("bpmn:", "");
    if (!bo.name && is(bo, "bpmn:SequenceFlow")) {
      return type + ": " + M.flowBetween.replace("{from}", nameOf(bo.sourceRef))
        .replace("{to}", nameOf(bo.targetRef));
    }
    return type + ": " + nameOf(bo);
  }

  function buildPicker() {
    var picker = $("element-picker");
    var keep = picker.value;
    while (picker.options.length > 1) { picker.remove(1); }
    registry.filter(pickable).map(function (element) {
      return {id: element.id, text: describe(element)};
    }).sort(function (a, b) { return a.text.localeCompare(b.text, "nb"); }).forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.id;
      option.textContent = item.text;
      picker.appendChild(option);
    });
    picker.value = registry.get(keep) ? keep : (current ? current.id : "");
  }

  // Select an element chosen outside the canvas (the list, a problem), readable and in view.
  function focusElement(id) {
    var element = registry.get(id);
    if (!element) { return; }
    selection.select(element);
    if (canvas.zoom() < 0.9) { canvas.zoom(1); }
    reveal(element);
  }

  function zoomBy(factor) {
    var selected = current && registry.get(current.id);
    var box = canvas.viewbox();
    var center = selected ? {x: selected.x + (selected.width || 0) / 2, y: selected.y + (selected.height || 0) / 2}
                          : {x: box.x + box.width / 2, y: box.y + box.height / 2};
    if (selected && selected.waypoints) { center = selected.waypoints[0]; }
    canvas.zoom(Math.min(4, Math.max(0.2, canvas.zoom() * factor)), center);
    if (selected) { reveal(selected); }
  }

  function reveal(element) {
    if (canvas.scrollToElement) {
      canvas.scrollToElement(element, {top: 100, bottom: 100, left: 180, right: 100});  // clear of the palette
    }
  }

  // ---------------------------------------------------------------- problems
  function clearProblems() {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "has-problem"); } });
    marked = [];
    overlays.remove({type: "problem"});
    $("problems").textContent = "";
    $("problems-none").hidden = false;
  }

  function showProblems(problems) {
    clearProblems();
    var list = $("problems");
    $("problems-none").hidden = problems.length > 0;
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      var where = document.createElement("span");
      where.className = "problem-where";
      where.textContent = problem.file + (problem.element && problem.element !== "-" ? " · " + problem.element : "");
      item.appendChild(where);
      item.appendChild(document.createTextNode(" " + problem.message + " "));
      if (problem.detail) {  // the parser's own words, out of the headline
        var detail = document.createElement("details");
        detail.className = "problem-detail";
        var summary = document.createElement("summary");
        summary.textContent = M.technical;
        var code = document.createElement("code");
        code.textContent = problem.detail;
        detail.appendChild(summary);
        detail.appendChild(code);
        item.appendChild(detail);
      }
      var element = problem.element && registry.get(problem.element);
      if (element) {
        item.setAttribute("data-element", problem.element);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = M.show + " " + problem.element;
        button.addEventListener("click", function () {
          focusElement(problem.element);
          $("element-picker").focus();
        });
        item.appendChild(button);
        if (marked.indexOf(problem.element) < 0) {
          marked.push(problem.element);
          canvas.addMarker(problem.element, "has-problem");
          var badge = document.createElement("button");
          badge.type = "button";
          badge.className = "problem-badge";
          badge.textContent = "!";
          badge.title = problem.message;
          badge.setAttribute("aria-label", M.show + " " + problem.element);
          badge.setAttribute("tabindex", "-1");
          badge.addEventListener("click", function (event) {
            event.stopPropagation();
            focusElement(problem.element);
          });
          overlays.add(problem.element, "problem", {position: {top: -12, left: -12}, html: badge});
        }
      }
      list.appendChild(item);
    });
  }

  // Warnings (a legal deadline not computed with legal_date) never stop a deploy: listed only.
  function showWarnings(warnings) {
    var list = $("warnings");
    list.textContent = "";
    $("warnings-section").hidden = warnings.length === 0;
    warnings.forEach(function (warning) {
      var item = document.createElement("li");
      var where = document.createElement("span");
      where.className = "problem-where";
      where.textContent = warning.file + (warning.element && warning.element !== "-" ? " · " + warning.element : "");
      item.appendChild(where);
      item.appendChild(document.createTextNode(" " + warning.message));
      list.appendChild(item);
    });
  }

  // ---------------------------------------------------------------- save, deploy, discard
  function save() {
    applyPanel();
    setBusy(true);
    status(M.saving, "busy");
    return modeler.saveXML({format: true}).then(function (result) {
      // `base`: the draft this page started from; someone else's newer save is refused (409)
      return post(data.saveUrl, {content: result.xml, base: revision});
    }).then(function (response) {
      var body = response.body;
      showProblems(body.problems || []);
      showWarnings(body.warnings || []);
      if (!body.saved) {
        status(M.failed + " " + (body.message || response.status), "error");
        return null;
      }
      revision = body.revision;
      setDirty(false);
      $("discard-draft").hidden = false;
      status(body.problems.length ? M.savedWithProblems + " " + fill(M.problemCount, {n: body.problems.length})
                                  : M.saved, body.problems.length ? "error" : "ok");
      return body;
    }).catch(function (error) {
      status(M.failed + " " + error.message, "error");
      return null;
    }).finally(function () { setBusy(false); });
  }

  function deploy() {
    save().then(function (saved) {
      if (!saved) { return; }
      if (saved.problems.length) {
        status(M.deployRefused, "error");
        $("problems-title").focus();
        return;
      }
      setBusy(true);
      status(M.deploying, "busy");
      return post(data.deployUrl, {}).then(function (response) {
        var body = response.body;
        if (body.deployed) {
          showWarnings(body.warnings || []);
          revision = "";  // the drafts became the deployed version
          $("discard-draft").hidden = true;
          status(fill(body.created ? M.deployed : M.unchanged, {n: body.version}), "ok",
                 [{href: body.library_url, text: M.library},
                  {href: body.migrations_url, text: M.migrate}]);
        } else {
          showProblems(body.problems || []);
          status(M.deployRefused + (body.problems && body.problems.length ? "" : " " + body.message), "error");
        }
      });
    }).catch(function (error) {
      status(M.failed + " " + error.message, "error");
    }).finally(function () { setBusy(false); });
  }

  function discard() {
    if (!window.confirm(M.discardConfirm)) { return; }
    setBusy(true);
    post(data.discardUrl, {}).then(function (response) {
      if (response.status !== 200) { throw new Error(response.body.message || response.status); }
      setDirty(false);
      status(M.discarded, "ok");
      window.location.reload();
    }).catch(function (error) {
      status(M.failed + " " + error.message, "error");
      setBusy(false);
    });
  }

  // ---------------------------------------------------------------- start
  function openProcessDiagram() {
    var definitions = modeler.getDefinitions();
    var wanted = (definitions.diagrams || []).filter(function (diagram) {
      var target = diagram.plane && diagram.plane.bpmnElement;
      if (!target) { return false; }
      if (target.id === data.key) { return true; }
      return (target.participants || []).some(function (p) {
        return p.processRef && p.processRef.id === data.key;
      });
    })[0];
    return wanted && wanted !== definitions.diagrams[0] ? modeler.open(wanted) : Promise.resolve();
  }

  function wire() {
    var events = modeler.get("eventBus");
    events.on("selection.changed", function (event) {
      var picked = event.newSelection.length === 1 ? event.newSelection[0] : null;
      if (picked && picked.type === "label") { picked = picked.labelTarget; }
      current = picked;
      dueEditing = false;
      render();
      $("element-picker").value = current && registry.get(current.id) ? current.id : "";
    });
    events.on("element.changed", function (event) {
      if (current && event.element === current) {
        if (applying) { changedWhileApplying = true; } else { render(); }
      }
    });
    events.on("commandStack.changed", function () {
      setDirty(true);
      buildPicker();
      if (current && !registry.get(current.id)) { current = null; render(); }
    });
    $("element-picker").addEventListener("change", function (event) {
      if (event.target.value) { focusElement(event.target.value); }
      else { selection.select(null); }
    });
    $("properties").addEventListener("change", function (event) {
      if (event.target.name === "timer-mode") { showTimerMode(event.target.value); }
      var target = event.target;
      if (target.name === "due-mode" || /^due-/.test(target.id)) {
        dueEditing = !dueFromControls(target);
      } else if (target.id === "prop-due") {
        dueEditing = false;
      }
      applyPanel();
      if (target.id === "prop-due" && current) {
        renderDue(spiffProperty(current.businessObject, "dueDateExpression"));
      }
    });
    $("properties").addEventListener("submit", function (event) {
      event.preventDefault();
      applyPanel();
    });
    var stack = modeler.get("commandStack");
    $("zoom-in").addEventListener("click", function () { zoomBy(1.25); });
    $("zoom-out").addEventListener("click", function () { zoomBy(0.8); });
    $("zoom-fit").addEventListener("click", function () { canvas.zoom("fit-viewport", "auto"); });
    $("undo").addEventListener("click", function () { stack.undo(); });
    $("redo").addEventListener("click", function () { stack.redo(); });
    $("save-draft").addEventListener("click", function () { if (!busy) { save(); } });
    $("deploy").addEventListener("click", function () { if (!busy) { deploy(); } });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  function start() {
    data = JSON.parse($("editor-data").textContent);
    revision = data.revision || "";
    M = data.messages;
    var container = $("editor-canvas");
    if (!window.BpmnJS || !window.SamflytModdle) {
      status(M.loadFailed + " bpmn-js", "error");
      return;
    }
    var translations = window.SamflytModelerTranslations;  // bokmål palette and menus
    modeler = new window.BpmnJS({container: container,
                                 moddleExtensions: {spiffworkflow: window.SamflytModdle},
                                 additionalModules: translations ? translations.modules() : []});
    canvas = modeler.get("canvas");
    registry = modeler.get("elementRegistry");
    modeling = modeler.get("modeling");
    moddle = modeler.get("moddle");
    selection = modeler.get("selection");
    overlays = modeler.get("overlays");
    $("discard-draft").addEventListener("click", function () { if (!busy) { discard(); } });
    status(M.loading, "busy");
    fetch(data.fileUrl, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
      return response.text();
    }).then(function (xml) {
      return modeler.importXML(xml);
    }).then(openProcessDiagram).then(function () {
      canvas.zoom("fit-viewport");
      wire();
      buildPicker();
      setDirty(false);
      setBusy(false);
      // the stored drafts' problems, validated when the page was opened
      showProblems(data.problems || []);
      showWarnings(data.warnings || []);
      status(data.problems && data.problems.length ?
             M.draftHasProblems + " " + fill(M.problemCount, {n: data.problems.length}) : "",
             data.problems && data.problems.length ? "error" : "");
      container.setAttribute("data-loaded", "true");
    }).catch(function (error) {
      // bpmn-js's reason is technical English: kept under "Teknisk melding"
      status(M.loadFailed + " " + M.seeProblems, "error");
      var detail = document.createElement("details");
      detail.className = "problem-detail";
      var summary = document.createElement("summary");
      summary.textContent = M.technical;
      var code = document.createElement("code");
      code.textContent = error.message;
      detail.appendChild(summary);
      detail.appendChild(code);
      $("editor-status").appendChild(detail);
      showProblems(data.problems || []);
      container.setAttribute("data-loaded", "error");
      $("discard-draft").disabled = false;  // a draft that cannot be shown can still go
    });
    window.samflytEditor = {
      modeler: modeler,
      apply: applyPanel,
      xml: function () { return modeler.saveXML({format: true}).then(function (r) { return r.xml; }); }
    };
  }

  document.addEventListener("DOMContentLoaded", start);
})();
