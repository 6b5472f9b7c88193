"""Validation of process files (BPMN, DMN, JSON Schema forms) before they are deployed.

Used by ``samflyt processes validate FILE...`` and before every deploy: a diagram edited in the
browser must fail here, with a message naming file and element, not in a running case. The rules
are those of docs/processes.md ("Validation rules"). Nothing is executed and every rule is
bounded by the input size, which is bounded, so validation cannot hang.
"""

from __future__ import annotations

import ast
import json
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.accounts.roles import ROLES, role_for_lane
from engine.core.messages import N_, Message, as_message
from engine.deadlines import due_expression, legal
from engine.deadlines.calendar import parse_duration
from engine.deadlines.task_deadlines import OFF_VALUES
from engine.definitions import problem_words as words
from engine.workflow import parse_errors
from engine.workflow.safe_xml import DEFAULT_MAX_BYTES, XmlRefused, safe_parse_xml, too_large
from engine.workflow.scripting import check_script
from engine.worklist.forms import schema_problems

EXPRESSION_PROPERTIES = ("dueDateExpression", "assigneeExpression", "noticeUserExpression",
                         "noticeDueExpression")
#: Properties holding an ISO 8601 duration; the deadline ones may also be switched off.
DURATION_PROPERTIES = ("dueIn", "claimWithin", "noticeDueIn")
ROLE_PROPERTIES = ("noticeRole", "overdueNoticeRole")
FLAG_PROPERTIES = ("overdueNotice", "reassignOnOverdue")
ON_VALUES = {"1", "true", "yes", "on", "ja"}
SEVERITIES = ("info", "warning", "escalation")
SUFFIXES = (".bpmn", ".dmn", ".json", ".j2")

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
FLOW_ELEMENTS = tuple(BPMN + tag for tag in """task userTask manualTask scriptTask serviceTask
    businessRuleTask sendTask receiveTask callActivity subProcess transaction adHocSubProcess
    startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent exclusiveGateway
    inclusiveGateway parallelGateway eventBasedGateway complexGateway sequenceFlow""".split())
# Python run by SpiffWorkflow: tag -> (compile mode, what a message calls it).
CODE_ELEMENTS = {
    BPMN + "script": ("exec", "script"), SPIFF + "preScript": ("exec", "preScript"),
    SPIFF + "postScript": ("exec", "postScript"),
    BPMN + "conditionExpression": ("eval", "condition"),
    BPMN + "condition": ("eval", "condition"), BPMN + "loopCondition": ("eval", "loopCondition"),
    BPMN + "completionCondition": ("eval", "completionCondition"),
    BPMN + "loopCardinality": ("eval", "loopCardinality")}
TIMER_KINDS = {BPMN + "timeDuration": "duration", BPMN + "timeDate": "date",
               BPMN + "timeCycle": "cycle"}
# An ISO 8601 duration, date(-time) or recurring interval written without quotes.
_ISO_LITERAL = re.compile(r"(?i)(R\d*/)?[-+]?(P(?=\d|T\d)(\d+[YMWD])*(T(\d+([.,]\d+)?[HMS])+)?"
                          r"|\d{4}-?\d\d-?\d\d([T ][\d:.,]+)?(Z|[+-]\d\d(:?\d\d)?)?)(/\S+)?")
# SpiffWorkflow's XSD validator and parser keep state; one validation at a time per process.
_SPIFF_LOCK = threading.Lock()


@dataclass(frozen=True)
class Problem:
    """One reason a set of process files cannot be deployed (or a warning about them).

    `message` says what is wrong and what to write, in the user's words: a Message
    (engine.core.messages; engine/definitions/problem_words.py words validation's rules), so
    the web UI shows it in the reader's language and ``str`` gives the bokmål the CLI prints.
    The technical English (a parser's own text, the property's or role's key) is `detail`."""
    file: str
    element: str  # the BPMN/DMN element id, a JSON pointer in a form, or "-"
    message: Message
    detail: str = ""  # the technical text (English), kept out of the message

    def __post_init__(self) -> None:  # a text never worded stays readable (its key is itself)
        object.__setattr__(self, "message", as_message(self.message))

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.file}: {self.element}: {self.message}{detail}"


def validate_files(files: dict[str, bytes], known_roles: Iterable[str] = ROLES,
                   max_bytes: int = DEFAULT_MAX_BYTES, key: str | None = None) -> list[Problem]:
    """Every problem in ``files`` (name -> content); forms are found by their base name.

    `key` is the process being deployed: it is checked as executable even when its diagram
    says ``isExecutable="false"`` (see `deployable_processes`)."""
    problems: list[Problem] = []
    forms = {_basename(name) for name in files if name.endswith(".json")}
    bpmn: dict[str, etree._Element] = {}
    dmn: dict[str, etree._Element] = {}
    for name, data in files.items():
        if len(data) > max_bytes:
            problems.append(Problem(name, "-", too_large(len(data), max_bytes)))
        elif name.endswith(".json"):
            problems += _check_form(name, data)
        elif name.endswith(".j2"):
            problems += _check_letter_template(name, data)
        elif name.endswith((".bpmn", ".dmn")):
            try:
                parsed = safe_parse_xml(data, name, max_bytes)
                (bpmn if name.endswith(".bpmn") else dmn)[name] = parsed
            except XmlRefused as err:
                problems.append(Problem(name, "-", err.reason, err.detail))
        else:
            problems.append(Problem(name, "-", *words.unknown_file_type()))
    for name, root in bpmn.items():
        problems += _check_bpmn(name, root, forms, frozenset(known_roles))
        problems += _unsupported_task_problems(name, root, key)
    for name, root in dmn.items():
        problems += _check_dmn(name, root)
    with _SPIFF_LOCK:
        problems += _check_with_spiffworkflow(bpmn, dmn, key)
    return list(dict.fromkeys(problems))  # one report per problem, in order found


# --- warnings: deployable, but the coordinating unit should look ----------------------------------

#: Words in the name of a timer event or a user task that make its date a legal deadline.
LEGAL_WORDS = ("frist", "foreløpig svar")
#: Calls that computed legal dates before `legal_date` (a working-day deadline, an age).
OLD_DATE_CALLS = ("deadline", "birthday")
#: Timers a legal date can be: a duration or a date (a cycle is never one).
LEGAL_TIMER_KINDS = (BPMN + "timeDuration", BPMN + "timeDate")


def legal_date_warnings(files: dict[str, bytes],
                        max_bytes: int = DEFAULT_MAX_BYTES) -> list[Problem]:
    """Warnings (never errors: the files may still be deployed) for a timer (timeDuration,
    timeDate) or a `dueDateExpression` on a legal deadline that does not compute it with
    `legal_date` / `legal_warning` (engine/deadlines/legal.py). "On a legal deadline" is
    checkable: its expression holds a raw legal length (a quoted duration equal to a rule's
    length in engine/deadlines/legal_rules.toml, such as "P1M", "P3W", "P4W"), or calls
    `deadline(...)` or `birthday(...)`, or its element's name mentions "frist" or "foreløpig
    svar". Internal reminders ("P7D", "P14D", "P3M" in an element named for the reminder)
    are left alone. Files that do not parse are the errors' business."""
    warnings: list[Problem] = []
    for name, data in files.items():
        if not name.endswith(".bpmn") or len(data) > max_bytes:
            continue
        try:
            root = safe_parse_xml(data, name, max_bytes)
        except XmlRefused:
            continue
        for node in root.iter(*LEGAL_TIMER_KINDS):
            event = node.getparent().getparent()  # the event, not its timerEventDefinition
            reason = _legal_deadline_reason(node.text or "", event.get("name") or "")
            if reason:
                warnings.append(Problem(name, _owner(event),
                                        *words.legal_warning("timer expression", reason)))
        for prop in root.iter(SPIFF + "property"):
            if prop.get("name") != "dueDateExpression":
                continue
            task = next(prop.iterancestors(*FLOW_ELEMENTS), None)
            reason = _legal_deadline_reason(prop.get("value") or "",
                                            task.get("name") or "" if task is not None else "")
            if reason:
                warnings.append(Problem(name, _owner(prop),
                                        *words.legal_warning("dueDateExpression", reason)))
    return warnings


def _legal_deadline_reason(text: str, element_name: str) -> words.Words | None:
    """Why an expression on `element_name` is a legal deadline computed without the helper;
    None when it uses the helper or is no legal deadline."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # an unquoted literal or broken Python: reported as an error
    called = {node.func.id for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    if called & set(legal.HELPERS):
        return None
    lengths = {rule.length for rule in legal.rules().values() if any(
        ch.isdigit() and ch != "0" for ch in rule.length)}
    raw = sorted({node.value.strip().lstrip("+-") for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)}
                 & lengths)
    if raw:
        return words.legal_reason_raw_length(raw[0])
    old = sorted(called & set(OLD_DATE_CALLS))
    if old:
        return words.legal_reason_old_call(old[0])
    lowered = element_name.lower()
    word = next((w for w in LEGAL_WORDS if w in lowered), None)
    return words.legal_reason_name(word) if word else None


def collect_problems_for_paths(paths: Iterable[str], known_roles: Iterable[str] = ROLES,
                               max_bytes: int = DEFAULT_MAX_BYTES) -> list[Problem]:
    """Validate files and directories (searched recursively) on disk, for the CLI.

    A form that a BPMN file references is picked up from a ``forms/`` folder next to the BPMN
    file or from beside it, so one diagram can be checked on its own.
    """
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for path in map(os.fspath, paths):
        if os.path.isdir(path):
            for folder, folders, names in os.walk(path):  # does not follow symlinked folders
                folders.sort()
                for name in sorted(name for name in names if name.endswith(SUFFIXES)):
                    problems += _read(os.path.join(folder, name), files, max_bytes)
        elif os.path.isfile(path):
            problems += _read(path, files, max_bytes)
        else:
            problems.append(Problem(path, "-", *words.no_such_path()))
    present = {_basename(name) for name in files}
    for name in [name for name in files if name.endswith(".bpmn")]:
        for form in _referenced_forms(files[name], max_bytes) - present:
            folder = os.path.dirname(name)
            found = [path for path in (os.path.join(folder, "forms", form),
                                       os.path.join(folder, form))
                     if os.path.isfile(path)]
            if found:
                problems += _read(found[0], files, max_bytes)
                present.add(form)
    return problems + validate_files(files, known_roles, max_bytes)


def _read(path: str, files: dict[str, bytes], max_bytes: int) -> list[Problem]:
    try:
        with open(path, "rb") as handle:
            files[path] = handle.read(max_bytes + 1)  # one byte more is enough to refuse it
    except OSError as err:
        return [Problem(path, "-", *words.unreadable(err.strerror or str(err)))]
    return []


def _referenced_forms(data: bytes, max_bytes: int) -> set[str]:
    try:
        root = safe_parse_xml(data, "-", max_bytes)
    except XmlRefused:
        return set()
    return {prop.get("value") for prop in root.iter(SPIFF + "property")
            if prop.get("name") == "formJsonSchemaFilename" and prop.get("value")
            and prop.get("value") == _basename(prop.get("value"))}


def deployable_processes(root, key: str | None = None) -> list[str]:
    """The ids of the processes in a BPMN document that are deployed and run.

    Every executable process; and a process marked ``isExecutable="false"`` (what bpmn-js and
    other plain modelers write by default) when it is the only process in its document, or
    when it is `key`, the process being deployed. Any other non-executable process (another
    pool of a collaboration, say) is documentation and is not deployed."""
    processes = list(root.iter(BPMN + "process"))
    return [p.get("id") for p in processes if p.get("id") and (
        p.get("isExecutable", "true") == "true" or len(processes) == 1 or p.get("id") == key)]


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _owner(node) -> str:
    """The id of the nearest element (this one or an ancestor) that has one."""
    ids = [element.get("id") for element in (node, *node.iterancestors()) if element.get("id")]
    return ids[0] if ids else "-"


def _check_letter_template(name: str, data: bytes) -> list[Problem]:
    """A letter template (engine/letters/templates.py) that parses in Jinja's sandbox."""
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment
    try:
        SandboxedEnvironment().parse(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        return [Problem(name, "-", *words.letter_not_utf8(err))]
    except TemplateSyntaxError as err:
        return [Problem(name, "-", *words.letter_syntax(err.message or "", err.lineno))]
    return []


def _check_form(name: str, data: bytes) -> list[Problem]:
    """A valid JSON Schema that is a closed form (engine/worklist/forms.py): no reserved
    field names, references only inside the form and never in a loop, safe patterns."""
    try:
        schema = json.loads(data)
        Draft202012Validator.check_schema(schema)
        closed = schema_problems(schema)
    except SchemaError as err:
        pointer = ("/" + "/".join(str(part) for part in err.absolute_path)
                   if err.absolute_path else "-")
        return [Problem(name, pointer, *parse_errors.schema_error(err))]
    except json.JSONDecodeError as err:
        return [Problem(name, "-", *parse_errors.json_syntax(err))]
    except UnicodeDecodeError as err:
        return [Problem(name, "-", Message(N_("Ikke gyldig JSON: filen er ikke UTF-8-tekst")),
                        str(err))]
    except (ValueError, RecursionError) as err:
        return [Problem(name, "-", Message(N_("Ikke gyldig JSON: nøstet for dypt"))
                        if isinstance(err, RecursionError) else
                        Message(N_("Ikke gyldig JSON: %(description)s"),
                                description=Message(parse_errors.JSON_OTHER)), str(err))]
    return [Problem(name, *problem) for problem in closed]


def _check_bpmn(name: str, root, forms: set[str], roles: frozenset[str]) -> list[Problem]:
    problems = [Problem(name, _owner(node), *words.code(what, error))
                for node in root.iter(*CODE_ELEMENTS) for mode, what in [CODE_ELEMENTS[node.tag]]
                if mode == "exec" or (node.text or "").strip()
                for error in check_script(node.text or "", mode)]
    for node in root.iter(*TIMER_KINDS):
        owner = _owner(node.getparent().getparent())  # the event, not its timerEventDefinition
        problems += [Problem(name, owner, *found)
                     for found in _timer_errors(node.text, TIMER_KINDS[node.tag])]
    for prop in root.iter(SPIFF + "property"):
        problems += [Problem(name, _owner(prop), *found)
                     for found in _property_errors(prop, forms, roles)]
    problems += _assignee_of_problems(name, root)
    problems += [Problem(name, _owner(lane), *words.lane_without_role(lane.get("name"), roles))
                 for lane in root.iter(BPMN + "lane")
                 if role_for_lane(lane.get("name"), roles) is None]
    return problems + _gateway_problems(name, root) + _layout_problems(name, root)


def _assignee_of_problems(name: str, root) -> list[Problem]:
    """`assigneeOf` names a user task of the same process (whoever completed it gets the
    task: engine/workflow/task_rows.py)."""
    problems = []
    for process in root.iter(BPMN + "process"):
        user_tasks = {task.get("id") for task in process.iter(BPMN + "userTask")}
        problems += [Problem(name, _owner(prop), *words.no_such_user_task(value))
                     for prop in process.iter(SPIFF + "property")
                     if prop.get("name") == "assigneeOf"
                     for value in [(prop.get("value") or "").strip()]
                     if value not in user_tasks]
    return problems


#: Task types SpiffWorkflow parses but Samflyt cannot run (problem_words.UNSUPPORTED_TASKS
#: says why).
UNSUPPORTED_TASKS = tuple(BPMN + kind for kind in words.UNSUPPORTED_TASKS)


def _unsupported_task_problems(name: str, root, key: str | None) -> list[Problem]:
    """A task of a type in UNSUPPORTED_TASKS in a process that deploys (another pool of a
    collaboration is documentation and may draw anything)."""
    deployed = set(deployable_processes(root, key))
    return [Problem(name, _owner(node), *words.unsupported_task(etree.QName(node).localname))
            for process in root.iter(BPMN + "process") if process.get("id") in deployed
            for node in process.iter(*UNSUPPORTED_TASKS)]


def _timer_errors(text: str | None, kind: str) -> list[words.Words]:
    text = (text or "").strip()
    if not text:
        return [words.timer_empty(kind)]
    if _ISO_LITERAL.fullmatch(text):
        return [words.timer_unquoted(text)]
    errors = check_script(text, "eval")
    if errors:
        return [words.code("timer expression", error) for error in errors]
    value = ast.parse(text, mode="eval").body
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return []  # computed from task data: checked when it runs
    try:
        valid = _timer_value_is_valid(value.value, kind)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's parsers raise bare Exceptions
        valid = False
    return [] if valid else [words.timer_invalid(value.value, kind)]


def _timer_value_is_valid(value: str, kind: str) -> bool:
    """Parse a quoted timer literal as SpiffWorkflow will parse it when the timer starts."""
    if kind == "duration":  # parse_duration refuses the empty "P" that SpiffWorkflow lets through
        return bool(TimerEventDefinition.parse_iso_duration(value)) and bool(parse_duration(value))
    if kind == "date":
        return isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime)
    repeat, *parts = value.upper().split("/")  # R[n]/start/duration, R[n]/duration[/end]
    parsed = [TimerEventDefinition.parse_time_or_duration(part) for part in parts]
    return bool(re.fullmatch(r"R\d*", repeat)) and len(parts) in (1, 2) and any(
        isinstance(part, dict) for part in parsed)


def _property_errors(prop, forms: set[str], roles: frozenset[str]) -> list[words.Words]:
    key, value = prop.get("name"), prop.get("value") or ""
    if key in EXPRESSION_PROPERTIES:
        errors = check_script(value, "eval")
        if errors:
            return [words.code(key, error) for error in errors]
        return [words.due_call(key, *error) for error in due_expression.call_errors(value)]
    switched_off = value.strip().lower() in OFF_VALUES
    if key in DURATION_PROPERTIES and not (key != "dueIn" and switched_off):
        try:
            parse_duration(value)
        except ValueError as err:
            return [words.not_a_duration(key, value, str(err), may_be_off=key != "dueIn")]
    if key in ROLE_PROPERTIES and value.strip() and value.strip() not in roles:
        return [words.not_a_role(key, value, roles)]
    if key in FLAG_PROPERTIES and not (switched_off or value.strip().lower() in ON_VALUES):
        return [words.not_a_flag(key, value)]
    if key == "noticeSeverity" and value.strip() not in SEVERITIES:
        return [words.not_a_severity(key, value, SEVERITIES)]
    if key == "priority" and value.strip() not in {"1", "2", "3", "4", "5"}:
        return [words.not_a_priority(key, value)]
    if key == "formJsonSchemaFilename" and value not in forms:
        return [words.form_missing(value)]
    return []


def _gateway_problems(name: str, root) -> list[Problem]:
    outgoing: dict[str, list] = {}
    for flow in root.iter(BPMN + "sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    problems = []
    for gateway in root.iter(BPMN + "exclusiveGateway", BPMN + "inclusiveGateway"):
        flows = outgoing.get(gateway.get("id"), [])
        conditions = [text for flow in flows
                      for text in [flow.findtext(BPMN + "conditionExpression")]
                      if text and text.strip()]
        default = gateway.get("default")
        if default and default not in {flow.get("id") for flow in flows}:
            problems.append(Problem(name, _owner(gateway), *words.default_flow_elsewhere(default)))
        elif conditions and not default and not (len(flows) == len(conditions) == 2
                                                 and _complementary(*conditions)):
            problems.append(Problem(name, _owner(gateway), *words.no_default_flow()))
    return problems


def _complementary(first: str, second: str) -> bool:
    """True for ``x`` / ``not x`` (either order, any spacing or parentheses)."""
    try:
        a, b = (ast.parse(text.strip(), mode="eval").body for text in (first, second))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(isinstance(x, ast.UnaryOp) and isinstance(x.op, ast.Not)
               and ast.dump(x.operand) == ast.dump(y) for x, y in ((a, b), (b, a)))


def _layout_problems(name: str, root) -> list[Problem]:
    planes = {plane.get("bpmnElement") for plane in root.iter(BPMNDI + "BPMNPlane")}
    drawn = {shape.get("bpmnElement")
             for shape in root.iter(BPMNDI + "BPMNShape", BPMNDI + "BPMNEdge")}
    problems = []
    laid_out = set(planes)  # a process has its own plane or is a pool of a drawn collaboration
    for collaboration in root.iter(BPMN + "collaboration"):
        if collaboration.get("id") in planes:
            laid_out.update(pool.get("processRef")
                            for pool in collaboration.iter(BPMN + "participant"))
    for process in root.iter(BPMN + "process"):
        if process.get("id") not in laid_out:
            problems.append(Problem(name, _owner(process), *words.process_not_drawn()))
            continue
        problems += [Problem(name, node.get("id"), *words.element_not_drawn())
                     for node in process.iter(*FLOW_ELEMENTS) if node.get("id") not in drawn]
    return problems


def _check_dmn(name: str, root) -> list[Problem]:
    """DMN cells are Python too; SpiffWorkflow reads ``?`` as the input and ``> 5`` as ``v > 5``."""
    problems = []
    for node in root.iter("{*}inputExpression", "{*}outputEntry", "{*}inputEntry"):
        text = (node.findtext("{*}text") or "").strip()
        if not text or (text == "-" and node.tag.endswith("inputEntry")):
            continue
        if node.tag.endswith("inputEntry"):
            text = text.replace("?", "dmninputexpr")
            try:
                ast.parse(text, mode="eval")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                text = "v " + text
        problems += [Problem(name, _owner(node), *words.code("expression", error))
                     for error in check_script(text, "eval")]
    return problems


def _check_with_spiffworkflow(bpmn: dict, dmn: dict, key: str | None) -> list[Problem]:
    """Parse everything with SpiffWorkflow and build every process spec that will deploy."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    problems = []
    for name, root in dmn.items():
        problems += _spiff_step(name, "-", parser.add_dmn_xml, root, filename=name)
    for dmn_parser in list(parser.dmn_parsers.values()):
        problems += _spiff_step(dmn_parser.filename, "-", dmn_parser.parse)
    for name, root in bpmn.items():
        problems += _spiff_step(name, "-", parser.add_bpmn_xml, root, filename=name)
        for process_id in deployable_processes(root, key):
            if process_id in parser.process_parsers:
                parser.process_parsers[process_id].process_executable = True
    for name, root in bpmn.items():
        for call in root.iter(BPMN + "callActivity"):
            if call.get("calledElement") not in parser.process_parsers:
                problems.append(Problem(name, _owner(call),
                                        *words.called_process_missing(call.get("calledElement"))))
    for process_id in parser.get_process_ids():
        process_file = parser.get_process_parser(process_id).filename or "-"
        problems += _spiff_step(process_file, process_id, parser.get_subprocess_specs, process_id,
                                require_call_activity_specs=False)
    return problems


def _spiff_step(name: str, element: str, step, *args, **kwargs) -> list[Problem]:
    """Run one SpiffWorkflow parsing step; map its exception to a Problem with file and element."""
    try:
        step(*args, **kwargs)
    except ValidationException as err:
        message = " ".join(str(part) for part in (err.args[0] if err.args else "", *err.notes)
                           if part)
        headline, detail = parse_errors.spiff_error(message, getattr(err, "line_number", ""))
        return [Problem(err.file_name or name, err.id or element, headline, detail)]
    except Exception as err:  # noqa: BLE001 - a broken diagram is reported, never a crash
        return [Problem(name, element, Message(N_("SpiffWorkflow kan ikke lese filen")),
                        f"{err.__class__.__name__}: {err}")]
    return []
