"""Validation of process files before deploy (engine/validation.py, engine/safe_xml.py)."""
import dataclasses
from pathlib import Path

import pytest

from engine.core.messages import Message
from engine.definitions.validation import (
    Problem,
    collect_problems_for_paths,
    validate_files,
)
from engine.workflow import safe_xml
from engine.workflow.safe_xml import XmlRefused, safe_parse_xml

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOOD, BAD = FIXTURES / "good", FIXTURES / "bad"
NO_DTD = "DOCTYPE-deklarasjoner er ikke tillatt"


def good_files() -> dict[str, bytes]:
    """The good fixtures keyed by base name, as a deploy receives them."""
    return {path.name: path.read_bytes() for path in sorted(GOOD.rglob("*")) if path.is_file()}


def with_vurdering(*replacements: tuple[str, str], **extra: bytes) -> dict[str, bytes]:
    """The good files with text replaced in vurdering.bpmn (each replacement must apply)."""
    files = good_files()
    text = files["vurdering.bpmn"].decode()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    files["vurdering.bpmn"] = text.encode()
    files.update(extra)
    return files


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def said(problem: Problem) -> tuple[str, dict]:
    """The key of the problem's message and its parameters, nested messages by their keys."""
    def plain(value):
        if isinstance(value, Message):
            return value.key if not value.params else said_of(value)
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return value

    def said_of(message: Message) -> tuple[str, dict]:
        return message.key, {name: plain(value) for name, value in message.params.items()}
    assert isinstance(problem.message, Message), problem
    return said_of(problem.message)


@pytest.fixture
def parsing_forbidden(monkeypatch):
    """Fail if lxml is asked to parse: proves a refusal happened before any parsing."""
    def refuse(*args, **kwargs):
        raise AssertionError("the XML parser was called")
    monkeypatch.setattr(safe_xml.etree, "fromstring", refuse)


# --- good files ---------------------------------------------------------------------------

def test_good_fixtures_have_no_problems():
    assert validate_files(good_files()) == []
    assert collect_problems_for_paths([GOOD]) == []


def test_a_single_bpmn_finds_its_form_beside_it():
    assert collect_problems_for_paths([FIXTURES / "bench" / "bench_two_user_tasks.bpmn"]) == []


@pytest.mark.parametrize("form_folder", ["forms", "."])
def test_a_single_bpmn_finds_its_form_in_forms_folder_or_beside_it(tmp_path, form_folder):
    (tmp_path / "p.bpmn").write_bytes(
        (FIXTURES / "bench" / "bench_two_user_tasks.bpmn").read_bytes())
    problems = collect_problems_for_paths([tmp_path / "p.bpmn"])  # one per task
    assert {(said(p)[0], said(p)[1]["form"], p.detail) for p in problems} == {(
        FORM_MISSING, "bench_form.json",
        "form 'bench_form.json' not found (expected in processes/forms/)")}
    (tmp_path / form_folder).mkdir(exist_ok=True)
    (tmp_path / form_folder / "bench_form.json").write_bytes(
        (FIXTURES / "bench" / "bench_form.json").read_bytes())
    assert collect_problems_for_paths([tmp_path / "p.bpmn"]) == []


FORM_MISSING = ("Skjemaet «%(form)s» finnes ikke blant prosessens skjemaer; legg det til (i "
                "processes/forms/) eller velg et annet skjema")
NO_DEFAULT = ("Alle betingelsene ut av porten kan være usanne samtidig, og da stopper saken; "
              "gjør en av flytene til standardflyt")


def test_problem_prints_file_element_message_and_detail_and_is_frozen():
    problem = Problem("a.bpmn", "gw", Message(NO_DEFAULT), "conditions can all be false")
    assert str(problem) == f"a.bpmn: gw: {NO_DEFAULT} (conditions can all be false)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.message = Message("x")
    # a text never worded is still a Message (its key is the text), so the web UI can show it
    assert Problem("a.bpmn", "-", "rå tekst").message.key == "rå tekst"


# --- hostile XML --------------------------------------------------------------------------

def test_entity_bomb_is_refused_before_parsing(parsing_forbidden):
    data = (BAD / "entity_bomb.bpmn").read_bytes()
    with pytest.raises(XmlRefused, match=NO_DTD):
        safe_parse_xml(data, "entity_bomb.bpmn")
    problem = only(validate_files({"entity_bomb.bpmn": data}))
    assert (problem.file, problem.element) == ("entity_bomb.bpmn", "-")
    assert NO_DTD in problem.message


def test_entity_bomb_in_utf16_is_refused_before_parsing(parsing_forbidden):
    # A byte search cannot see a UTF-16 DOCTYPE, so anything but UTF-8 is refused outright.
    text = (BAD / "entity_bomb.bpmn").read_text()
    with pytest.raises(XmlRefused, match="Bare XML i UTF-8 godtas"):
        safe_parse_xml(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
                       "b.bpmn")
    with pytest.raises(XmlRefused, match="Bare XML i UTF-8 godtas, ikke UTF-16"):
        safe_parse_xml(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(), "b.bpmn")


def test_external_entity_is_refused(parsing_forbidden):
    problem = only(collect_problems_for_paths([BAD / "external_entity.bpmn"]))
    assert NO_DTD in problem.message
    assert "root:" not in problem.message  # nothing of /etc/passwd was read


def test_size_limit(parsing_forbidden):
    with pytest.raises(XmlRefused, match="grensen er 5 242 880 byte"):
        safe_parse_xml(b"<a/>" + b" " * (5 * 1024 * 1024), "big.bpmn")
    problem = only(validate_files({"f.json": b"{}" + b" " * 100}, max_bytes=100))
    assert problem.message == "Filen er 102 byte; grensen er 100 byte"


def test_malformed_xml():
    problem = only(validate_files({"x.bpmn": b"<bpmn:definitions"}))
    # in the user's words, with where; lxml's own text is the detail
    assert problem.message == ("Ikke gyldig XML: et navnerom-prefiks er ikke deklarert "
                               "(linje 1, kolonne 18)")
    assert problem.message.key.startswith("Ikke gyldig XML: %(description)s")
    assert "Namespace prefix bpmn on definitions is not defined" in problem.detail
    problem = only(validate_files({"x.bpmn": b"<a>\n  <b></c></a>"}))
    assert problem.message == ("Ikke gyldig XML: en slutt-tagg passer ikke med start-taggen "
                               "(linje 2, kolonne 10)")


# --- rules, one bad fixture each ----------------------------------------------------------

@pytest.mark.parametrize(("fixture", "element", "message", "detail"), [
    ("unquoted_timer.bpmn", "vent_30_dager",
     'Verdien til tidsuret må stå i anførselstegn: skriv "P30D", ikke P30D',
     ('timer expression P30D is an unquoted ISO 8601 literal; '
      'timer expressions are Python, so write it quoted: "P30D"')),
    ("gateway_without_default.bpmn", "stor_nok", NO_DEFAULT,
     "conditions can all be false; add a default flow"),
    ("missing_layout.bpmn", "bad_process",
     ("Prosessen er ikke tegnet: filen har bare prosessen, ikke tegningen av den; åpne den i en "
     "BPMN-tegner og lagre den på nytt"), "missing diagram layout (bpmndi:BPMNDiagram)"),
])
def test_bad_fixture(fixture, element, message, detail):
    problem = only(collect_problems_for_paths([BAD / fixture]))
    assert problem == Problem(str(BAD / fixture), element, message, detail)


def test_subclasses_script_is_refused_naming_the_attributes():
    problems = collect_problems_for_paths([BAD / "subclasses_script.bpmn"])
    assert {p.element for p in problems} == {"escape"}
    assert sorted((said(p) for p in problems), key=str) == [
        ("%(what)s kan ikke brukes: %(description)s (linje %(line)s)",
         {"what": "Skriptet", "description": (
             "«%(name)s» begynner med understrek (_), og slike navn er sperret",
             {"name": attribute}), "line": 1})
        for attribute in ("__base__", "__class__", "__subclasses__")]
    text = " ".join(p.detail for p in problems)
    for attribute in ("__class__", "__base__", "__subclasses__"):
        assert f'"{attribute}" is an invalid attribute name' in text


def test_form_that_is_not_json_schema():
    problem = only(collect_problems_for_paths([BAD / "invalid_schema_form.json"]))
    assert problem.element == "/properties/alder/type"
    assert problem.message == "Ikke gyldig JSON Schema: «heltall» er ikke tillatt som «type»"
    assert "'heltall'" in problem.detail


def test_form_that_is_not_json():
    problem = only(collect_problems_for_paths([BAD / "not_json_form.json"]))
    assert problem.message == ("Ikke gyldig JSON: et feltnavn må stå i doble anførselstegn "
                               "(eller det står et komma for mye) (linje 5, kolonne 1)")
    assert problem.detail.startswith("Expecting property name enclosed in double quotes")


# --- rules, as edits of a good diagram ----------------------------------------------------

def test_complementary_conditions_need_no_default():
    # The good diagram uses `alder >= 18` / `not (alder >= 18)`; spacing does not matter.
    files = with_vurdering(("not (alder &gt;= 18)", "not(alder&gt;=18 )"))
    assert validate_files(files) == []


def test_conditions_that_only_look_complementary_need_a_default():
    files = with_vurdering(("not (alder &gt;= 18)", "not (alder &gt; 18)"))
    problem = only(validate_files(files))
    assert problem.message == NO_DEFAULT and problem.message.key == NO_DEFAULT
    assert problem.detail == "conditions can all be false; add a default flow"


def test_a_default_flow_satisfies_the_gateway_rule():
    files = with_vurdering(("not (alder &gt;= 18)", "alder &lt; 16"),
                           ('name="Voksen?"', 'name="Voksen?" default="f_barn"'))
    assert validate_files(files) == []


@pytest.mark.parametrize(("timer", "message", "detail"), [
    ("2026-01-01", 'skriv "2026-01-01", ikke 2026-01-01', 'write it quoted: "2026-01-01"'),
    ("R3/P1W", 'skriv "R3/P1W", ikke R3/P1W', 'write it quoted: "R3/P1W"'),
    ('"P30X"', ("Tidsuret «P30X» er ikke en varighet Samflyt kan lese; skriv for eksempel "
               '"P30D"'), "timer value 'P30X' is not a valid ISO 8601 duration"),
    ('"P"', "Tidsuret «P» er ikke en varighet", "timer value 'P' is not a valid ISO 8601 duration"),
    ("frist.__class__", "Tidsuret kan ikke brukes: «__class__» begynner med understrek",
     '"__class__" is an invalid attribute name'),
    ("", 'Tidsuret er ikke fylt ut; skriv hvor lenge det skal vente, for eksempel "P30D"',
     "the timer has no duration expression"),
])
def test_bad_timer_expressions(timer, message, detail):
    files = with_vurdering(('>"P30D"</bpmn:timeDuration>', f">{timer}</bpmn:timeDuration>"))
    problem = only(validate_files(files))
    assert problem.element == "vent" and message in problem.message
    assert detail in problem.detail


@pytest.mark.parametrize("timer", ['"PT12H"', "neste_evaluering", "add_duration(mottatt, 'P30D')"])
def test_good_timer_expressions(timer):
    assert validate_files(with_vurdering(('>"P30D"<', f">{timer}<"))) == []


TIMER_INVALID = ("Tidsuret «%(value)s» er ikke %(kind)s Samflyt kan lese; skriv for eksempel "
                 "%(example)s")


@pytest.mark.parametrize(("kind", "value", "problem"), [
    ("timeDate", '"2026-12-01T09:00:00+01:00"', None),
    ("timeDate", "birthday(fodselsdato, 18)", None),
    ("timeDate", '"P30D"', ({"value": "P30D", "kind": "et tidspunkt",
                             "example": '"2026-12-01T09:00:00+01:00"'},
                            "timer value 'P30D' is not a valid ISO 8601 date")),
    ("timeCycle", '"R3/P1W"', None),
    ("timeCycle", '"R/2026-12-01T09:00:00+01:00/P1W"', None),
    ("timeCycle", '"P1W"', ({"value": "P1W", "kind": "en gjentakelse", "example": '"R3/P1W"'},
                            "timer value 'P1W' is not a valid ISO 8601 cycle")),
])
def test_timer_dates_and_cycles(kind, value, problem):
    files = with_vurdering(('<bpmn:timeDuration xsi:type', f"<bpmn:{kind} xsi:type"),
                           ('>"P30D"</bpmn:timeDuration>', f">{value}</bpmn:{kind}>"))
    problems = validate_files(files)
    if problem is None:
        assert problems == []
    else:
        [found] = problems
        assert (found.file, found.element, found.detail) == ("vurdering.bpmn", "vent", problem[1])
        assert said(found) == (TIMER_INVALID, problem[0])


@pytest.mark.parametrize(("name", "value", "message", "detail"), [
    ("dueIn", "5 dager", ("Fristen: «5 dager» er ikke en varighet; skriv den som en ISO "
                         "8601-varighet, for eksempel P5D (5 dager)"),
     "dueIn: not an ISO 8601 duration: '5 dager'"),
    ("priority", "9", "Prioriteten må være et helt tall fra 1 (høyest) til 5 (lavest), ikke «9»",
     "priority must be a whole number from 1 to 5, not '9'"),
    ("assigneeExpression", "saksbehandler_brukernavn.__class__",
     "Uttrykket for hvem oppgaven går til kan ikke brukes: «__class__» begynner med understrek",
     '"__class__" is an invalid attribute'),
    ("dueDateExpression", "deadline(mottatt,",
     "Fristen kan ikke leses som Python: en parentes er ikke lukket (linje 1)",
     "SyntaxError: '(' was never closed"),
])
def test_bad_task_properties(name, value, message, detail):
    old = {"dueIn": 'value="P5D"', "priority": 'value="2"',
           "assigneeExpression": 'value="saksbehandler_brukernavn"',
           "dueDateExpression": 'value="deadline(mottatt, &quot;P4W&quot;)"'}[name]
    files = with_vurdering((f'name="{name}" {old}', f'name="{name}" value="{value}"'))
    problem = only(validate_files(files))
    assert problem.element == "vurder" and message in problem.message
    assert name not in problem.message and detail in problem.detail


def test_a_python_syntax_error_is_in_words_with_the_compiler_text_as_detail():
    files = with_vurdering(("alder &gt;= 18)", "alder &gt;= 18) and"))
    [problem, *_] = validate_files(files)
    assert problem.message.startswith("Betingelsen kan ikke leses som Python: ")
    assert problem.message.key == ("%(what)s kan ikke leses som Python: %(description)s "
                                   "(linje %(line)s)")
    assert problem.detail.startswith("Line 1: SyntaxError:")


def test_missing_form():
    files = good_files()
    del files["vurdering_form.json"]
    problem = only(validate_files(files))
    assert (problem.file, problem.element) == ("vurdering.bpmn", "vurder")
    assert said(problem) == (FORM_MISSING, {"form": "vurdering_form.json"})
    assert problem.detail == ("form 'vurdering_form.json' not found (expected in "
                              "processes/forms/)")


def test_unknown_lane_role_and_custom_roles():
    files = with_vurdering(('name="saksbehandler"', 'name="saksbehandlar"'))
    problem = only(validate_files(files))
    assert problem.element == "Lane_saksbehandler"
    # the roles by their names, in the order lists show them; the keys only in the detail
    assert said(problem) == (
        ("Svømmebanen «%(name)s» har ikke navnet til en rolle; gi hver svømmebane navnet til en "
        "av rollene %(roles)s"),
        {"name": "saksbehandlar", "roles": ["Saksbehandler", "Leder", "Koordinerende enhet",
                                            "Koordinator", "Systemadministrator"]})
    assert "koordinerende_enhet" not in problem.message
    assert problem.detail.startswith("lane name 'saksbehandlar' is not a known role")
    assert "koordinerende_enhet (Koordinerende enhet)" in problem.detail
    assert validate_files(files, known_roles=["saksbehandlar", "saksbehandler"]) == []


def test_a_lane_without_a_name():
    files = with_vurdering(('name="saksbehandler"', 'name=""'))
    problem = only(validate_files(files))
    assert problem.message.startswith("Svømmebanen har ikke noe navn; gi hver svømmebane")
    assert problem.detail.startswith("the lane has no name")


def test_element_missing_from_the_layout():
    files = with_vurdering(('bpmnElement="vurder">', 'bpmnElement="something_else">'))
    problem = only(validate_files(files))
    assert problem == Problem("vurdering.bpmn", "vurder",
                              "Elementet er ikke tegnet i diagrammet; tegn det, eller slett det "
                              "om det ikke skal være med", "not drawn in the diagram layout")


def test_a_process_drawn_as_a_pool_of_a_collaboration_has_a_layout():
    files = with_vurdering(
        ('<bpmn:process id="vurdering_test"',
         ('<bpmn:collaboration id="samarbeid">'
          '<bpmn:participant id="pool" processRef="vurdering_test" />'
          '</bpmn:collaboration><bpmn:process id="vurdering_test"')),
        ('bpmnElement="vurdering_test"', 'bpmnElement="samarbeid"'))
    assert validate_files(files) == []


def test_pre_script_is_checked():
    files = with_vurdering(('frist = deadline(mottatt, "P4W")', "import os"))
    problem = only(validate_files(files))
    assert problem.message == ("Skriptet kan ikke brukes: import er ikke tillatt; bruk "
                               "funksjonene Samflyt har (linje 1)")
    assert problem.detail == "Line 1: imports are not allowed"


def test_python_refused_only_when_compiled_is_a_problem_not_a_crash():
    # `yield` parses, but the compiler refuses it outside a function
    files = with_vurdering(("not (alder &gt;= 18)", "(yield)"))
    [problem] = [p for p in validate_files(files) if p.element == "f_barn"]
    assert problem.message == "Betingelsen kan ikke leses som Python: en skrivefeil (linje 1)"
    assert problem.detail == "Line 1: SyntaxError: 'yield' outside function"


def test_dmn_cells_are_checked():
    files = good_files()
    files["vurdering.dmn"] = files["vurdering.dmn"].replace(b'"koordinator"', b"().__class__")
    problem = only(validate_files(files))
    assert problem.file == "vurdering.dmn" and problem.element == "OutputEntry_voksen"
    assert problem.message.startswith("Uttrykket i cellen kan ikke brukes: «__class__» begynner "
                                      "med understrek")
    assert '"__class__" is an invalid attribute name' in problem.detail


# --- SpiffWorkflow's own parser -----------------------------------------------------------

def test_missing_decision_is_reported_on_the_business_rule_task():
    files = good_files()
    del files["vurdering.dmn"]
    problem = only(validate_files(files))
    assert (problem.file, problem.element) == ("vurdering.bpmn", "foreslaa")
    assert problem.message == "Regeltabellen «vurdering» finnes ikke i prosessens DMN-filer"
    assert 'No DMN Diagram available with id "vurdering"' in problem.detail


def test_spiffworkflow_parse_error_carries_the_element():
    # A second unconditional flow out of an exclusive gateway that has no default.
    files = with_vurdering(('alder &gt;= 18</bpmn:conditionExpression>',
                            "</bpmn:conditionExpression>"),
                           ('name="Voksen?"', 'name="Voksen?" default="f_barn"'))
    files["vurdering.bpmn"] = files["vurdering.bpmn"].replace(
        b'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></bpmn:conditionExpression>', b"")
    problem = only(validate_files(files))
    assert problem.element == "f_voksen"
    assert problem.message == ("En flyt ut av en enten–eller-port har ingen betingelse og er "
                               "ikke standardflyten")
    assert "Non-default exclusive outgoing sequence flow without condition" in problem.detail


def test_schema_violation_is_reported_with_its_line():
    files = with_vurdering(("<bpmn:endEvent id=\"slutt\"", "<bpmn:endEvnt id=\"slutt\""),
                           ("</bpmn:endEvent>\n    <bpmn:endEvent id=\"slutt_barn\"",
                            "</bpmn:endEvnt>\n    <bpmn:endEvent id=\"slutt_barn\""))
    problems = validate_files(files)
    assert any(p.file == "vurdering.bpmn" and p.message.startswith(
        "Følger ikke BPMN/DMN-standarden: elementet «endEvnt» står der standarden ikke "
        "tillater det (linje ") and "endEvnt" in p.detail for p in problems), problems


def test_missing_called_process():
    # Between the timer and the end: a call activity to a process that no file defines.
    call = """<bpmn:sequenceFlow id="f5" sourceRef="vent" targetRef="kall" />
    <bpmn:callActivity id="kall" calledElement="finnes_ikke">
      <bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f6" sourceRef="kall" targetRef="slutt" />"""
    layout = """<bpmndi:BPMNShape id="kall_di" bpmnElement="kall">
        <dc:Bounds x="700" y="150" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f6_di" bpmnElement="f6">
        <di:waypoint x="750" y="150" />
        <di:waypoint x="758" y="88" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>"""
    files = with_vurdering(
        ('<bpmn:sequenceFlow id="f5" sourceRef="vent" targetRef="slutt" />', call),
        ("<bpmn:incoming>f5</bpmn:incoming>\n    </bpmn:endEvent>",
         "<bpmn:incoming>f6</bpmn:incoming>\n    </bpmn:endEvent>"),
        ("<bpmn:flowNodeRef>slutt</bpmn:flowNodeRef>",
         "<bpmn:flowNodeRef>slutt</bpmn:flowNodeRef>\n<bpmn:flowNodeRef>kall</bpmn:flowNodeRef>"),
        ("</bpmndi:BPMNPlane>", layout))
    problem = only(validate_files(files))
    assert (problem.file, problem.element) == ("vurdering.bpmn", "kall")
    assert said(problem) == (("Prosessen «%(process)s» som kallet starter, finnes ikke; legg til "
                             "diagrammet med den prosessen, eller rett navnet"),
                             {"process": "finnes_ikke"})
    assert problem.detail == "called process 'finnes_ikke' not found"


# --- bounded, whatever the input ----------------------------------------------------------

def test_absurdly_nested_input_is_a_problem_not_a_crash():
    deep = "(" * 5000 + "alder" + ")" * 5000
    files = with_vurdering(("not (alder &gt;= 18)", deep), **{"deep.json": b"[" * 100_000})
    problems = validate_files(files)
    assert {p.file for p in problems} == {"vurdering.bpmn", "deep.json"}


def test_paths_that_do_not_exist_and_unknown_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hei")
    problems = collect_problems_for_paths([tmp_path / "missing.bpmn", tmp_path / "notes.txt"])
    assert [p.message for p in problems] == [
        "Filen eller mappen finnes ikke",
        ("Filtypen er ukjent: en prosess består av diagrammer (.bpmn), regeltabeller (.dmn), "
        "skjemaer (.json) og brevmaler (.j2)")]
    assert [p.detail for p in problems] == [
        "no such file or directory", "unknown file type (expected .bpmn, .dmn, .json or .j2)"]
    assert collect_problems_for_paths([tmp_path]) == []  # directories only pick process files


@pytest.mark.parametrize(("name", "value", "message", "detail"), [
    ("claimWithin", "to dager", ("Fristen for å ta oppgaven: «to dager» er ikke en varighet; skriv "
                                "den som en ISO 8601-varighet, for eksempel P2D (2 dager) eller "
                                "PT12H (12 timer), eller off for ingen frist"),
     "claimWithin: not an ISO 8601 duration"),
    ("claimWithin", "off", None, None),
    ("noticeDueIn", "P", "Fristen i varselet: «P» er ikke en varighet", "noticeDueIn:"),
    ("overdueNoticeRole", "sjef",
     ("Rollen som også varsles når fristen er passert: «sjef» er ikke en rolle i Samflyt; velg en "
     "av rollene Saksbehandler, Leder, Koordinerende enhet, Koordinator, Systemadministrator"),
     ("overdueNoticeRole: 'sjef' is not a known role (roles: admin (Systemadministrator), "
     "koordinator (Koordinator), koordinerende_enhet (Koordinerende enhet), leder (Leder), "
     "saksbehandler (Saksbehandler))")),
    ("overdueNoticeRole", "leder", None, None),
    ("reassignOnOverdue", "kanskje", ("Tilbakeføringen til køen når fristen er passert må være "
                                     "true (på) eller false (av), ikke «kanskje»"),
     "reassignOnOverdue must be true or false"),
    ("overdueNotice", "false", None, None),
    ("noticeSeverity", "kritisk", ("Alvorlighetsgraden til varselet må være info (til "
                                  "orientering), warning (advarsel) eller escalation (eskalering), "
                                  "ikke «kritisk»"),
     "noticeSeverity must be one of info, warning, escalation"),
    ("noticeDueExpression", "fristen.__class__",
     "Fristen i varselet kan ikke brukes: «__class__» begynner med understrek",
     '"__class__" is an invalid attribute'),
])
def test_bad_deadline_properties(name, value, message, detail):
    files = with_vurdering(('<spiffworkflow:property name="priority" value="2" />',
                            ('<spiffworkflow:property name="priority" value="2" />'
                             f'<spiffworkflow:property name="{name}" value="{value}" />')))
    problems = validate_files(files)
    if message is None:
        assert problems == []
    else:
        problem = only(problems)
        assert problem.element == "vurder" and message in problem.message
        assert name not in problem.message and detail in problem.detail


# --- task types Samflyt cannot run ----------------------------------------------------------

PLAIN = FIXTURES / "plain" / "enkel_soknad.bpmn"
SERVICE_TASK = BAD / "service_task.bpmn"
RUNS_ANYWAY = "; make it a user task (someone does it) or a script task"
DO_INSTEAD = "Gjør den til en brukeroppgave (noen gjør den) eller en skriptoppgave"


def test_service_and_send_tasks_are_refused_naming_the_element():
    problems = collect_problems_for_paths([SERVICE_TASK])
    assert problems == [
        Problem(str(SERVICE_TASK), "hent_opplysninger",
                "En tjenesteoppgave kan ikke kjøres: Samflyt kaller ingen eksterne tjenester. "
                + DO_INSTEAD,
                "service tasks cannot run: Samflyt calls no external services" + RUNS_ANYWAY),
        Problem(str(SERVICE_TASK), "send_kvittering",
                "En sendeoppgave kan ikke kjøres: Samflyt sender ingen BPMN-meldinger, så "
                "ingenting ville bli sendt og ingen bedt om å sende det. " + DO_INSTEAD,
                "send tasks cannot run: Samflyt sends no BPMN messages, so nothing would be sent "
                "and nobody asked to send it" + RUNS_ANYWAY)]


def test_a_receive_task_is_refused():
    text = SERVICE_TASK.read_text().replace("bpmn:sendTask", "bpmn:receiveTask")
    problems = validate_files({"mottak.bpmn": text.encode()})
    assert [(p.element, p.message.split(":")[0], p.detail.split(":")[0]) for p in problems] == [
        ("hent_opplysninger", "En tjenesteoppgave kan ikke kjøres", "service tasks cannot run"),
        ("send_kvittering", "En mottaksoppgave kan ikke kjøres", "receive tasks cannot run")]


def test_the_same_diagram_with_user_tasks_is_valid():
    # What the refusals ask for: nothing else in the fixture is wrong.
    text = SERVICE_TASK.read_text()
    for kind in ("serviceTask", "sendTask"):
        text = text.replace(f"bpmn:{kind}", "bpmn:userTask")
    assert validate_files({"tjenestekall.bpmn": text.encode()}) == []


def test_a_send_task_in_a_documentation_pool_is_not_refused():
    # A plain modeler's collaboration: the applicant's pool is drawn, never deployed.
    text = PLAIN.read_text()
    pool = ('<bpmn:participant id="Participant_soker" name="Søker" processRef="soker" />\n'
            '  </bpmn:collaboration>\n'
            '  <bpmn:process id="soker" isExecutable="false">\n'
            '    <bpmn:sendTask id="send_soknad" name="Send søknad" />\n'
            '  </bpmn:process>')
    shapes = ('<bpmndi:BPMNShape id="Participant_soker_di" bpmnElement="Participant_soker" '
              'isHorizontal="true"><dc:Bounds x="160" y="500" width="900" height="120" />'
              '</bpmndi:BPMNShape>\n'
              '      <bpmndi:BPMNShape id="send_soknad_di" bpmnElement="send_soknad">'
              '<dc:Bounds x="350" y="520" width="100" height="80" /></bpmndi:BPMNShape>\n'
              '    </bpmndi:BPMNPlane>')
    for old, new in (("</bpmn:collaboration>", pool), ("</bpmndi:BPMNPlane>", shapes)):
        assert text.count(old) == 1
        text = text.replace(old, new)
    files = {"enkel_soknad.bpmn": text.encode()}
    assert validate_files(files, key="Process_0x7kq2n") == []
    # Deployed as a process of its own, the same send task is refused.
    assert [p.detail.split(":")[0] for p in validate_files(files, key="soker")
            if p.element == "send_soknad"] == ["send tasks cannot run"]


def test_deploying_a_service_task_is_refused_and_stores_nothing(ctx):
    from engine.core.errors import DefinitionError
    from engine.db.models import ProcessVersion
    from engine.definitions import store
    with pytest.raises(DefinitionError) as refused:
        store.deploy_files(ctx, {"tjenestekall.bpmn": SERVICE_TASK.read_bytes()}, "test")
    assert [p.element for p in refused.value.problems] == ["hent_opplysninger", "send_kvittering"]
    assert ctx.session.query(ProcessVersion).filter_by(process_key="tjenestekall").count() == 0
