"""A diagram drawn in the plain bpmn-js modeler (no Samflyt extensions, isExecutable="false",
lanes named as people type them) deploys through every real path and runs: its lanes are
roles, its tasks have no forms, its gateway has a default flow and one plain condition."""
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from engine.cases import casework
from engine.core.errors import DefinitionError
from engine.db.models import ProcessInstance
from engine.definitions import store
from engine.definitions.validation import validate_files
from engine.worklist import humantasks
from webui.cli import main as cli_main

PLAIN = Path(__file__).resolve().parents[1] / "fixtures" / "plain" / "enkel_soknad.bpmn"
KEY = "Process_0x7kq2n"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def plain_files(text: str | None = None) -> dict[str, bytes]:
    return {PLAIN.name: (text or PLAIN.read_text(encoding="utf-8")).encode("utf-8")}


def test_the_fixture_is_what_plain_bpmn_js_writes():
    text = PLAIN.read_text(encoding="utf-8")
    root = etree.fromstring(text.encode())
    assert root.nsmap["bpmn"] == BPMN[1:-1] and "spiffworkflow" not in text
    assert "extensionElements" not in text and "camunda" not in text
    [process] = root.iter(f"{BPMN}process")
    assert (process.get("id"), process.get("isExecutable")) == (KEY, "false")
    assert [lane.get("name") for lane in root.iter(f"{BPMN}lane")] == [
        "Saksbehandler", "Leder", "Koordinerende enhet"]
    assert len(list(root.iter(f"{BPMN}userTask"))) == 2
    [gateway] = root.iter(f"{BPMN}exclusiveGateway")
    assert gateway.get("default")
    [condition] = root.iter(f"{BPMN}conditionExpression")
    assert condition.text == "antall_tjenester < 2"


def test_deploys_as_a_plain_diagram_and_runs_with_lanes_as_roles(ctx, make_user):
    officer = make_user("siri.saksbehandler", "saksbehandler")
    leader = make_user("lars.leder", "leder")
    [version] = store.deploy_files(ctx, plain_files(), "tests")
    assert (version.process_key, version.name, version.version) == (KEY, "Enkel søknad", 1)
    [stored] = version.files
    # the only change to the stored file: the process that runs says so
    assert stored.content == PLAIN.read_text(encoding="utf-8").replace(
        f'<bpmn:process id="{KEY}" isExecutable="false">',
        f'<bpmn:process id="{KEY}" isExecutable="true">')
    assert store.deploy_files(ctx, plain_files(), "tests") == [version]  # same content

    case = casework.start_case(ctx, {"antall_tjenester": 3}, officer, process_key=KEY)
    [first] = humantasks.open_tasks(ctx, case.id)
    assert (first.name, first.candidate_role, first.form) == ("Vurdere søknaden", "saksbehandler",
                                                              None)
    assert [t.id for t in humantasks.inbox(ctx, officer, "roles")] == [first.id]
    assert humantasks.inbox(ctx, leader, "roles") == []
    humantasks.complete(ctx, first.id, officer, {})

    [second] = humantasks.open_tasks(ctx, case.id)
    assert (second.name, second.candidate_role) == ("Godkjenne vedtaket", "leder")
    assert [t.id for t in humantasks.inbox(ctx, leader, "roles")] == [second.id]
    assert humantasks.inbox(ctx, officer, "roles") == []
    humantasks.complete(ctx, second.id, leader, {})

    assert humantasks.open_tasks(ctx, case.id) == []
    [instance] = ctx.session.query(ProcessInstance).filter_by(case_id=case.id).all()
    assert instance.status == "completed" and case.status == "closed"


def test_the_plain_condition_takes_the_other_branch(ctx, make_user):
    officer = make_user("siri.saksbehandler", "saksbehandler")
    store.deploy_files(ctx, plain_files(), "tests")
    case = casework.start_case(ctx, {"antall_tjenester": 1}, officer, process_key=KEY)
    [first] = humantasks.open_tasks(ctx, case.id)
    humantasks.complete(ctx, first.id, officer, {})
    assert humantasks.open_tasks(ctx, case.id) == [] and case.status == "closed"


def test_a_lane_that_names_no_role_is_refused_with_the_roles(ctx):
    files = plain_files(PLAIN.read_text(encoding="utf-8").replace('name="Leder"',
                                                                  'name="Vaktmester"'))
    [problem] = validate_files(files)
    assert problem.file == PLAIN.name and problem.element.startswith("Lane_")
    assert problem.message.startswith("Svømmebanen «Vaktmester» har ikke navnet til en rolle")
    assert "Koordinerende enhet" in problem.message
    assert "koordinerende_enhet" not in problem.message
    assert problem.detail.startswith("lane name 'Vaktmester' is not a known role")
    assert "leder (Leder)" in problem.detail
    assert "koordinerende_enhet (Koordinerende enhet)" in problem.detail
    with pytest.raises(DefinitionError):
        store.deploy_files(ctx, files, "tests")


def test_another_non_executable_pool_is_documentation_unless_it_is_the_one_deployed(ctx):
    text = PLAIN.read_text(encoding="utf-8").replace(
        "</bpmn:collaboration>", '  <bpmn:participant id="Participant_bruker" name="Bruker" '
                                 'processRef="Process_bruker" />\n  </bpmn:collaboration>\n'
                                 '  <bpmn:process id="Process_bruker" isExecutable="false" />', 1)
    assert store.deploy_files(ctx, plain_files(text), "tests") == []
    [version] = store.deploy_files(ctx, plain_files(text), "tests", key=KEY)
    assert version.process_key == KEY
    [stored] = version.files
    assert 'id="Process_bruker" isExecutable="false"' in stored.content


def test_samflyt_processes_validate_and_deploy(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMFLYT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    result = runner.invoke(cli_main, ["processes", "validate", str(PLAIN)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli_main, ["init"], catch_exceptions=False).exit_code == 0
    result = runner.invoke(cli_main, ["processes", "deploy", str(PLAIN)], catch_exceptions=False)
    assert result.exit_code == 0 and f"deployed {KEY} v1" in result.output, result.output
