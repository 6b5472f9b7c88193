"""The shipped process files: they parse, every user task has a valid form, every element is
drawn, lanes are roles, and the engine's own validator finds nothing to refuse.

These tests read the files only (no database): see test_process_behaviour.py for runs through
SpiffWorkflow and test_scenario_*.py for whole cases through the engine.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.accounts.roles import ROLES
from engine.definitions.validation import collect_problems_for_paths

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FORMS = PROCESSES / "forms"
BPMN_FILES = sorted(PROCESSES.glob("*.bpmn"))
DMN_FILES = sorted((PROCESSES / "dmn").glob("*.dmn"))
FORM_FILES = sorted(FORMS.glob("*.json"))

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
              "boundaryEvent", "userTask", "scriptTask", "businessRuleTask", "callActivity", "task",
              "manualTask", "serviceTask", "sendTask", "receiveTask", "subProcess",
              "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")
EXPECTED_PROCESSES = {"ip_sak", "vedtak", "oppnevne_koordinator", "utarbeide_plan",
                      "periodisk_evaluering", "klage", "barnekoordinator_oppfolging",
                      "koordinatorbytte", "plan_tilslutning",
                      "oppfolgingspunkt", "samtykke_ved_16"}
EXPECTED_DECISIONS = {"vurdering_rett", "klagefrist"}
#: Processes started by a person registering something: their start event has a form.
START_FORMS = {"ip_sak": "soknad.json", "klage": "klage.json"}


def _root(path: Path):
    return etree.parse(str(path)).getroot()


def _properties(node) -> dict[str, str]:
    return {p.get("name"): p.get("value")
            for p in node.findall(
                "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)}


@pytest.fixture(scope="module")
def parser() -> SpiffBpmnParser:
    parser = SpiffBpmnParser(validator=VALIDATOR)  # with the BPMN/DMN XSD checks
    parser.add_dmn_files([str(p) for p in DMN_FILES])
    parser.add_bpmn_files([str(p) for p in BPMN_FILES])
    return parser


def test_the_expected_processes_and_decisions_are_shipped(parser):
    assert set(parser.get_process_ids()) == EXPECTED_PROCESSES
    assert set(parser.dmn_parsers) == EXPECTED_DECISIONS
    # one process per file, named after its key
    for path in BPMN_FILES:
        assert [p.get("id") for p in _root(path).iterfind("bpmn:process", NS)] == [path.stem]


@pytest.mark.parametrize("key", sorted(EXPECTED_PROCESSES))
def test_every_process_builds_with_what_it_calls(parser, key):
    spec = parser.get_spec(key)
    subprocess_specs = parser.get_subprocess_specs(key)  # raises when a called process is missing
    assert spec.name == key
    called = {ts.spec for s in [spec, *subprocess_specs.values()] for ts in s.task_specs.values()
              if type(ts).__name__ == "CallActivity"}
    assert called <= set(subprocess_specs)


def test_the_engine_validator_accepts_the_whole_directory():
    assert [str(p) for p in collect_problems_for_paths([PROCESSES])] == []


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_user_task_has_an_existing_valid_form(path):
    tasks = _root(path).findall(".//bpmn:userTask", NS)
    for task in tasks:
        form = _properties(task).get("formJsonSchemaFilename")
        assert form, f"{task.get('id')} has no form"
        assert (FORMS / form).is_file(), f"{task.get('id')}: {form} is missing"
        Draft202012Validator.check_schema(json.loads((FORMS / form).read_text(encoding="utf-8")))


@pytest.mark.parametrize(("key", "form"), sorted(START_FORMS.items()))
def test_processes_started_by_a_person_have_a_start_form(key, form):
    [start] = _root(PROCESSES / f"{key}.bpmn").findall(".//bpmn:startEvent", NS)
    assert _properties(start)["formJsonSchemaFilename"] == form


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_forms_are_draft_2020_12_with_norwegian_titles(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["title"] and schema["description"]
    assert set(schema["required"]) <= set(schema["properties"])

    def walk(node, where):
        if "properties" in node:
            for name, prop in node["properties"].items():
                assert name.isascii() and name == name.lower(), f"{where}.{name}: ASCII snake_case"
                if "title" not in prop and set(prop) - {"minLength"}:
                    pytest.fail(f"{where}.{name} has no title")
                walk(prop, f"{where}.{name}")
        for option in node.get("oneOf", []):
            if "const" in option:
                assert option.get("title"), f"{where}: enum value {option['const']!r} has no label"
        if "items" in node:
            walk(node["items"], f"{where}[]")
        if node.get("format") == "date":
            assert node["type"] == "string"
    walk(schema, path.name)


def test_every_form_is_used():
    used = set()
    for path in BPMN_FILES:
        used |= {p.get("value") for p in _root(path).iter("{%s}property" % NS["spiffworkflow"])
                 if p.get("name") == "formJsonSchemaFilename"}
    assert {p.name for p in FORM_FILES} == used


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_is_drawn(path):
    root = _root(path)
    shapes = {s.get("bpmnElement"): s for s in root.iter("{%s}BPMNShape" % NS["bpmndi"])}
    edges = {e.get("bpmnElement"): e for e in root.iter("{%s}BPMNEdge" % NS["bpmndi"])}
    [plane] = root.findall(".//bpmndi:BPMNPlane", NS)
    [collaboration] = root.findall("bpmn:collaboration", NS)
    assert plane.get("bpmnElement") == collaboration.get("id")
    for participant in collaboration.findall("bpmn:participant", NS):
        assert shapes[participant.get("id")].get("isHorizontal") == "true"
    for lane in root.iter("{%s}lane" % NS["bpmn"]):
        assert shapes[lane.get("id")].get("isHorizontal") == "true"
    nodes = [n for tag in FLOW_NODES for n in root.iter("{%s}%s" % (NS["bpmn"], tag))]
    assert nodes
    for node in nodes:
        assert node.get("id") in shapes, f"{node.get('id')} has no shape"
        bounds = shapes[node.get("id")].find("dc:Bounds", NS)
        assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
    for flow in root.iter("{%s}sequenceFlow" % NS["bpmn"]):
        assert flow.get("id") in edges, f"{flow.get('id')} has no edge"
        assert len(edges[flow.get("id")].findall("di:waypoint", NS)) >= 2
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_lanes_are_roles_and_hold_every_flow_node(path):
    root = _root(path)
    lanes = root.findall(".//bpmn:lane", NS)
    assert lanes
    assert {lane.get("name") for lane in lanes} <= set(ROLES)
    in_lanes = [ref.text for lane in lanes for ref in lane.findall("bpmn:flowNodeRef", NS)]
    nodes = {n.get("id") for tag in FLOW_NODES for n in root.iter("{%s}%s" % (NS["bpmn"], tag))}
    assert sorted(in_lanes) == sorted(nodes)  # each exactly once


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_names_are_norwegian_and_ids_snake_case(path):
    root = _root(path)
    for tag in FLOW_NODES:
        for node in root.iter("{%s}%s" % (NS["bpmn"], tag)):
            assert node.get("id").isascii() and node.get("id") == node.get("id").lower()
            if not tag.endswith("Gateway"):
                assert node.get("name"), f"{node.get('id')} has no name"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_timer_durations_are_quoted_python(path):
    for definition in _root(path).iter("{%s}timerEventDefinition" % NS["bpmn"]):
        for expression in definition:
            text = expression.text.strip()
            value = ast.parse(text, mode="eval").body
            if isinstance(value, ast.Constant):
                assert isinstance(value.value, str) and value.value.startswith("P")


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_exclusive_gateways_have_a_default_or_complementary_conditions(path):
    root = _root(path)
    flows = list(root.iter("{%s}sequenceFlow" % NS["bpmn"]))
    for gateway in root.iter("{%s}exclusiveGateway" % NS["bpmn"]):
        outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
        conditions = [f.findtext("bpmn:conditionExpression", namespaces=NS) for f in outgoing]
        if len(outgoing) < 2:
            continue
        if gateway.get("default"):
            default = [f for f in outgoing if f.get("id") == gateway.get("default")]
            assert default and default[0].find("bpmn:conditionExpression", NS) is None
        else:
            a, b = sorted(conditions, key=len)
            assert len(outgoing) == 2 and b.strip() == f"not {a.strip()}", gateway.get("id")


def test_legal_references_and_deadline_lengths_live_in_data_not_scripts():
    for path in BPMN_FILES:
        for script in _root(path).iter("{%s}script" % NS["bpmn"]):
            assert "§" not in script.text
            assert not any(f'"P{n}W"' in script.text for n in range(1, 9))
    klagefrist = (PROCESSES / "dmn" / "klagefrist.dmn").read_text(encoding="utf-8")
    assert "§ 7-5" in klagefrist and "§ 29" in klagefrist


def test_follow_up_processes_exist():
    started = set()
    for path in BPMN_FILES:
        for prop in _root(path).iter("{%s}property" % NS["spiffworkflow"]):
            if prop.get("name") == "startProcess":
                started.add(prop.get("value"))
    assert started == {"periodisk_evaluering", "barnekoordinator_oppfolging"}
    assert started <= EXPECTED_PROCESSES


def test_notices_name_known_kinds_severities_and_roles():
    seen = {}
    for path in BPMN_FILES:
        for node in _root(path).iter():
            props = _properties(node) if node.find("bpmn:extensionElements", NS) is not None else {}
            if "notice" in props:
                assert props.get("noticeSeverity") in ("info", "warning", "escalation")
                assert props.get("noticeRole", "koordinator") in ROLES
                seen[props["notice"]] = props["noticeSeverity"]
    assert seen == {
        "interim_reply_warning": "warning", "interim_reply_escalation": "escalation",
        "review_due": "info", "review_overdue_reminder": "warning", "review_overdue": "escalation",
        "appeal_reminder": "warning", "child_turning_18": "warning",
        "child_coordinator_ended": "info", "coordinator_vacancy": "escalation"}


def _form_errors(form: str, data: dict) -> list[str]:
    schema = json.loads((FORMS / form).read_text(encoding="utf-8"))
    return [e.message for e in Draft202012Validator(schema).iter_errors(data)]


SOKNAD = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=False,
              onsker_barnekoordinator=False,
              navn="Kari", fodselsdato="1970-03-01", mottatt_dato="2026-01-05",
              tjenester=["fysioterapi"],
              forventet_varighet_maneder=12, nav_basert=False)


@pytest.mark.parametrize(("form", "data", "valid"), [
    ("soknad.json", SOKNAD, True),
    ("soknad.json", dict(SOKNAD, onsker_ip=False), False),                      # nothing asked for
    # fullmakt must be stated
    ("soknad.json", dict(SOKNAD, soker_rolle="parorende"), False),
    ("soknad.json", dict(SOKNAD, soker_rolle="parorende", fullmakt=False, soker_navn="Per"), True),
    ("soknad.json", dict(SOKNAD, tjenester=["akupunktur"]), False),
    ("godkjenne_plan.json", {"godkjent": True}, False),                          # no review date
    ("godkjenne_plan.json", {"godkjent": True, "neste_evaluering": "2026-08-03"}, True),
    ("godkjenne_plan.json", {"godkjent": False}, True),
    ("gjennomfore_evaluering.json", {"resultat": "fortsette", "oppsummering": "x"}, False),
    ("gjennomfore_evaluering.json", {"resultat": "avslutte", "oppsummering": "x"}, True),
    ("oppnevne_koordinator.json", {"koordinator": "kari"}, False),               # no service
    # the training is the register's (the picker shows it, the engine checks it): not asked
    ("oppnevne_koordinator.json", {"koordinator": "kari", "tjenesteomrade": "x"}, True),
    ("utforme_vedtak.json", {"vedtak_ip": "innvilget", "vedtak_koordinator": None,
                             "vedtak_barnekoordinator": None,
                             "hjemmel": "pbrl_2_5", "begrunnelse": "x",
                             "ansvarlig_tjenesteomrade": "x",
                             "oppstartsdato": "2026-02-01"}, False),  # IP granted: a review date
    ("utforme_vedtak.json", {"vedtak_ip": "avslag", "vedtak_koordinator": None,
                             "vedtak_barnekoordinator": None,
                             "hjemmel": "pbrl_2_5", "begrunnelse": "x"}, True),
    ("utforme_vedtak.json", {"vedtak_ip": "avslag", "vedtak_koordinator": None,
                             "vedtak_barnekoordinator": None,
                             "hjemmel": "pbrl_2_5", "begrunnelse": ""}, False),  # reasons required
    ("signere_vedtak.json", {"vedtak_godkjent": False}, False),  # sent back without a comment
])
def test_forms_enforce_the_rules(form, data, valid):
    assert (_form_errors(form, data) == []) is valid
