"""Every kind of problem validation reports (engine/definitions/validation.py, worded by
engine/definitions/problem_words.py) is a Message in the user's words: its bokmål names no
role key and no property of a diagram, and the web UI shows it in English and nynorsk (every
text in it, the nested ones too, is in both catalogs); the technical text is the detail."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, force_locale, get_translations

from engine.accounts.roles import ROLES
from engine.core.messages import Message
from engine.definitions import problem_words
from engine.definitions.validation import (
    DURATION_PROPERTIES,
    EXPRESSION_PROPERTIES,
    FLAG_PROPERTIES,
    ROLE_PROPERTIES,
    Problem,
    collect_problems_for_paths,
    legal_date_warnings,
    validate_files,
)
from engine.workflow.safe_xml import too_large
from tests.engine.test_validation import BAD, good_files, with_vurdering
from webui.i18n import problem_text, translate

IP_SAK = Path(__file__).parents[2] / "processes" / "ip_sak.bpmn"
PROPERTY_NAMES = (*EXPRESSION_PROPERTIES, *DURATION_PROPERTIES, *ROLE_PROPERTIES,
                  *FLAG_PROPERTIES, "noticeSeverity", "priority", "formJsonSchemaFilename")
#: A role key or a property name as written in a diagram (the role names start with a capital).
INTERNAL = re.compile(r"\b(%s)\b" % "|".join(re.escape(n) for n in (*ROLES, *PROPERTY_NAMES)))
PRIORITY = '<spiffworkflow:property name="priority" value="2" />'


def _property(name: str, value: str) -> dict[str, bytes]:
    return with_vurdering((PRIORITY, PRIORITY + f'<spiffworkflow:property name="{name}" '
                                                f'value="{value}" />'))


def _timer(text: str, kind: str = "timeDuration") -> dict[str, bytes]:
    return with_vurdering(('<bpmn:timeDuration xsi:type', f"<bpmn:{kind} xsi:type"),
                          ('>"P30D"</bpmn:timeDuration>', f">{text}</bpmn:{kind}>"))


def _script(text: str) -> dict[str, bytes]:
    return with_vurdering(('frist = deadline(mottatt, "P4W")', text))


def _condition(text: str) -> dict[str, bytes]:
    return with_vurdering(("not (alder &gt;= 18)", text))


def _form(schema: dict) -> dict[str, bytes]:
    return {"skjema.json": json.dumps(schema).encode()}


def _without(name: str) -> dict[str, bytes]:
    files = good_files()
    del files[name]
    return files


def _ip_sak(old: str, new: str) -> dict[str, bytes]:
    text = IP_SAK.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return {"ip_sak.bpmn": text.replace(old, new).encode()}


LEGAL_TIMER = ('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">legal_date(mottatt_dato, '
               '"forelopig_svar")</bpmn:timeDate>')
DURATION = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDuration>'
CALL = ('<bpmn:sequenceFlow id="f5" sourceRef="vent" targetRef="slutt" />',
        ('<bpmn:sequenceFlow id="f5" sourceRef="vent" targetRef="slutt" />'
        '<bpmn:callActivity id="kall" calledElement="finnes_ikke" />'))
LAYOUT = ("</bpmndi:BPMNPlane>", ('<bpmndi:BPMNShape id="kall_di" bpmnElement="kall">'
          '<dc:Bounds x="700" y="150" width="100" height="80" /></bpmndi:BPMNShape>'
          "</bpmndi:BPMNPlane>"))
SERVICE_TASK = (BAD / "service_task.bpmn").read_text()

#: kind of problem -> the files that show it (validated), or the problem itself.
KINDS = {
    "unknown file type": lambda tmp: validate_files({"notater.txt": b"hei"}),
    "no such file": lambda tmp: collect_problems_for_paths([tmp / "finnes_ikke.bpmn"]),
    "unreadable": lambda tmp: [Problem("a.bpmn", "-", *problem_words.unreadable("denied"))],
    "too large": lambda tmp: [Problem("a.bpmn", "-", too_large(200, 100))],
    "letter not UTF-8": lambda tmp: validate_files({"brev.j2": b"\xff\xfe"}),
    "letter syntax": lambda tmp: validate_files({"brev.j2": b"Hei {% endfor %}"}),
    "letter not closed": lambda tmp: validate_files({"brev.j2": b"{% if x %}hei"}),
    "form field reserved": lambda tmp: _form({"properties": {"lane_owners": {}}}),
    "form nested $id": lambda tmp: _form({"properties": {"a": {"$id": "x"}}}),
    "form reference outside": lambda tmp: _form({"properties": {"a": {"$ref": "http://x/s"}}}),
    "form reference loop": lambda tmp: collect_problems_for_paths([BAD / "loop_ref_form.json"]),
    "form pattern": lambda tmp: _form({"properties": {"a": {"pattern": "^(a+)+$"}}}),
    "script import": lambda tmp: _script("import os"),
    "script underscore": lambda tmp: _script("x = ().__class__"),
    "script forbidden call": lambda tmp: _script("open(1)"),
    "script restricted name": lambda tmp: _script("x = a.gi_frame"),
    "script class": lambda tmp: _script("class A: pass"),
    "script augmented attribute": lambda tmp: _script("a.b += 1"),
    "script statement": lambda tmp: _script("nonlocal x"),
    "condition syntax": lambda tmp: _condition("alder &gt;="),
    "condition compiled": lambda tmp: _condition("(yield)"),
    "empty expression": lambda tmp: _property("noticeUserExpression", " "),
    "due_date unit": lambda tmp: _property("noticeDueExpression",
                                           "due_date(x, 1, &quot;fortnights&quot;)"),
    "due_date amount": lambda tmp: _property("noticeDueExpression",
                                             "due_date(x, 1000, &quot;days&quot;)"),
    "due_date arguments": lambda tmp: _property("noticeDueExpression", "due_date(x, 1)"),
    "timer empty": lambda tmp: _timer(""),
    "timer empty date": lambda tmp: _timer("", "timeDate"),
    "timer empty cycle": lambda tmp: _timer("", "timeCycle"),
    "timer unquoted": lambda tmp: _timer("P30D"),
    "timer duration": lambda tmp: _timer('"P30X"'),
    "timer date": lambda tmp: _timer('"P30D"', "timeDate"),
    "timer cycle": lambda tmp: _timer('"P1W"', "timeCycle"),
    "timer Python": lambda tmp: _timer("frist.__class__"),
    "dueIn": lambda tmp: _property("dueIn", "5 dager"),
    "claimWithin": lambda tmp: _property("claimWithin", "to dager"),
    "noticeDueIn": lambda tmp: _property("noticeDueIn", "P"),
    "noticeRole": lambda tmp: _property("noticeRole", "sjef"),
    "overdueNoticeRole": lambda tmp: _property("overdueNoticeRole", "sjef"),
    "overdueNotice": lambda tmp: _property("overdueNotice", "kanskje"),
    "reassignOnOverdue": lambda tmp: _property("reassignOnOverdue", "kanskje"),
    "noticeSeverity": lambda tmp: _property("noticeSeverity", "kritisk"),
    "priority": lambda tmp: with_vurdering(('name="priority" value="2"',
                                            'name="priority" value="9"')),
    "assigneeOf no user task": lambda tmp: _property("assigneeOf", "finnes_ikke"),
    "form missing": lambda tmp: _without("vurdering_form.json"),
    "lane not a role": lambda tmp: with_vurdering(('name="saksbehandler"', 'name="Vaktmester"')),
    "lane without name": lambda tmp: with_vurdering(('name="saksbehandler"', 'name=""')),
    "service task": lambda tmp: {"t.bpmn": SERVICE_TASK.encode()},
    "receive task": lambda tmp: {"t.bpmn": SERVICE_TASK.replace(
        "bpmn:sendTask", "bpmn:receiveTask").encode()},
    "default flow elsewhere": lambda tmp: with_vurdering(('name="Voksen?"',
                                                          'name="Voksen?" default="f1"')),
    "no default flow": lambda tmp: _condition("not (alder &gt; 18)"),
    "process not drawn": lambda tmp: collect_problems_for_paths([BAD / "missing_layout.bpmn"]),
    "element not drawn": lambda tmp: with_vurdering(('bpmnElement="vurder">',
                                                     'bpmnElement="noe_annet">')),
    "called process missing": lambda tmp: with_vurdering(CALL, LAYOUT),
    "decision cell": lambda tmp: {**good_files(), "vurdering.dmn": good_files()[
        "vurdering.dmn"].replace(b'"koordinator"', b"().__class__")},
    "duplicate process": lambda tmp: {**good_files(), "kopi.bpmn": good_files()[
        "vurdering.bpmn"]},
    "legal length": lambda tmp: legal_date_warnings(_ip_sak(LEGAL_TIMER,
                                                            DURATION.format('"P1M"'))),
    "legal old call": lambda tmp: legal_date_warnings(_ip_sak(
        LEGAL_TIMER, DURATION.format('deadline(mottatt_dato, "P5W")'))),
    "legal name": lambda tmp: legal_date_warnings(_ip_sak(
        "legal_date(mottatt_dato, &quot;forelopig_svar&quot;)", "mottatt_dato")),
}


def _problems(kind: str, tmp_path) -> list[Problem]:
    found = KINDS[kind](tmp_path)
    problems = validate_files(found) if isinstance(found, dict) else found
    assert problems, kind
    return problems


def _messages(message: Message):
    """The message and every Message among its parameters (in lists too)."""
    yield message
    for value in message.params.values():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, Message):
                yield from _messages(item)


@pytest.fixture(scope="module")
def app():
    app = Flask("webui")  # the web UI's catalogs (webui/translations)
    Babel(app)
    return app


def _in(app, language: str, function, *args):
    with app.test_request_context(), force_locale(language):
        return function(*args)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_problem_is_worded_and_translated(kind, tmp_path, app):
    for problem in _problems(kind, tmp_path):
        message = problem.message
        assert isinstance(message, Message) and message.key, problem
        assert not INTERNAL.search(message), (kind, str(message))
        assert "%(" not in message
        assert problem.detail or kind == "too large", problem  # the technical text, apart
        for part in _messages(message):
            english = _in(app, "en", lambda key: get_translations().gettext(key), part.key)
            nynorsk = _in(app, "nn", lambda key: get_translations().gettext(key), part.key)
            assert english != part.key, f"no English for {part.key!r}"
            assert nynorsk, part.key
        shown = {language: _in(app, language, translate, message) for language in ("en", "nn")}
        assert shown["en"] != str(message) and "%(" not in shown["en"] + shown["nn"]
        # the one line the library page and the API's errors show: words, then the detail
        detail = f" ({problem.detail})" if problem.detail else ""
        line = _in(app, "en", problem_text, problem)
        assert line == f"{problem.file}: {problem.element}: {shown['en']}{detail}"


def test_the_roles_are_named_in_the_readers_language(tmp_path, app):
    [problem] = _problems("overdueNoticeRole", tmp_path)
    english = _in(app, "en", translate, problem.message)
    assert english == ("The role also notified when the deadline has passed: «sjef» is not a "
                       "role in Samflyt; choose one of the roles Case officer, Leader, "
                       "Coordinating unit, Coordinator, System administrator")
    assert _in(app, "nn", translate, problem.message).startswith(
        "Rolla som òg blir varsla når fristen er passert: «sjef» er ikkje ei rolle i Samflyt")
    assert "koordinerende_enhet (Koordinerende enhet)" in problem.detail  # the keys, for XML


def test_the_cli_line_is_the_bokmal_words_and_the_detail(tmp_path):
    [problem] = _problems("priority", tmp_path)
    assert str(problem) == ("vurdering.bpmn: vurder: Prioriteten må være et helt tall fra 1 "
                            "(høyest) til 5 (lavest), ikke «9» (priority must be a whole number "
                            "from 1 to 5, not '9')")
