"""The `samflyt` command line, run as a user would (click's runner, a real SQLite file)."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from webui.cli import main

BAD = Path(__file__).parent.parent / "fixtures" / "bad"
BENCH = Path(__file__).resolve().parents[1] / "fixtures" / "bench"
FRIST = Path(__file__).parent.parent / "fixtures" / "engine" / "frist_test.bpmn"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMFLYT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return run


@pytest.mark.parametrize(("filename", "expected"), [
    ("unquoted_timer.bpmn", ('vent_30_dager: Verdien til tidsuret må stå i anførselstegn: skriv '
                            '"P30D", ikke P30D (timer expression P30D is an unquoted')),
    ("gateway_without_default.bpmn", ("stor_nok: Alle betingelsene ut av porten kan være usanne "
                                     "samtidig")),
    ("entity_bomb.bpmn", "DOCTYPE-deklarasjoner er ikke tillatt"),
    ("external_entity.bpmn", "DOCTYPE-deklarasjoner er ikke tillatt"),
    ("subclasses_script.bpmn", ("escape: Skriptet kan ikke brukes: «__subclasses__» begynner med "
                               'understrek (_), og slike navn er sperret (linje 1) (Line 1: '
                               '"__subclasses__" is an invalid attribute name')),
    ("service_task.bpmn", "hent_opplysninger: En tjenesteoppgave kan ikke kjøres"),
])
def test_validate_refuses_with_file_element_message(cli, filename, expected):
    result = cli("processes", "validate", BAD / filename)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith(f"{BAD / filename}: ") for line in lines)
    assert any(expected in line for line in lines)


def test_validate_accepts_a_good_file(cli):
    result = cli("processes", "validate", BENCH / "bench_two_user_tasks.bpmn",
                 BENCH / "bench_form.json")
    assert result.exit_code == 0, result.output


def test_init_deploy_users_and_sweep(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMFLYT_PROCESSES_DIR", str(BENCH))
    result = cli("init")
    assert result.exit_code == 0 and "deployed bench_two_user_tasks v1" in result.output
    assert "deployed bench_two_user_tasks v1" in cli("init").output  # same content: same version
    result = cli("processes", "deploy", FRIST, FRIST.with_name("frist_form.json"))
    assert result.exit_code == 0 and "deployed frist_test v1" in result.output
    result = cli("processes", "deploy", BAD / "unquoted_timer.bpmn")
    assert result.exit_code == 1 and "må stå i anførselstegn" in result.output
    assert "unquoted" in result.output  # the detail, in parentheses
    assert cli("users", "add", "kari", "--role", "saksbehandler").exit_code == 0
    result = cli("users", "add", "kari", "--role", "saksbehandler")
    assert result.exit_code == 1 and "finnes allerede" in result.output
    result = cli("sweep")
    assert result.exit_code == 0 and "0 timer(s) fired" in result.output


def test_deploy_refuses_a_service_task(cli):
    result = cli("processes", "deploy", BAD / "service_task.bpmn")
    assert result.exit_code == 1
    assert "hent_opplysninger: En tjenesteoppgave kan ikke kjøres" in result.output
    assert "send_kvittering: En sendeoppgave kan ikke kjøres" in result.output
    assert "(send tasks cannot run" in result.output
    assert "deployed" not in result.output


def test_init_refuses_a_processes_directory_that_does_not_exist(cli, tmp_path, monkeypatch):
    missing = tmp_path / "prosesser"
    monkeypatch.setenv("SAMFLYT_PROCESSES_DIR", str(missing))
    result = cli("init")
    assert result.exit_code == 1
    assert f"SAMFLYT_PROCESSES_DIR {missing} is not a directory" in result.output
    assert not (tmp_path / "cli.sqlite3").exists()  # nothing created


def test_init_refuses_a_processes_directory_without_a_diagram(cli, tmp_path, monkeypatch):
    forms_only = tmp_path / "prosesser"
    (forms_only / "forms").mkdir(parents=True)
    (forms_only / "forms" / "bench_form.json").write_bytes((BENCH / "bench_form.json").read_bytes())
    (forms_only / "notes.bpmn.txt").write_text("not a diagram")
    monkeypatch.setenv("SAMFLYT_PROCESSES_DIR", str(forms_only))
    result = cli("init")
    assert result.exit_code == 1
    assert f"SAMFLYT_PROCESSES_DIR {forms_only} holds no .bpmn file" in result.output
    # The same directory with a diagram deploys.
    (forms_only / "bench_two_user_tasks.bpmn").write_bytes(
        (BENCH / "bench_two_user_tasks.bpmn").read_bytes())
    result = cli("init")
    assert result.exit_code == 0 and "deployed bench_two_user_tasks v1" in result.output


def test_password_policy_and_deactivation_from_the_command_line(cli):
    """Issue 13, finding 11: a 4-character password was accepted; no user could be
    deactivated."""
    from engine.accounts import credentials
    from engine.core.settings import Settings
    from engine.environment import EngineEnvironment
    assert cli("init").exit_code == 0
    assert cli("users", "add", "kari", "--role", "saksbehandler").exit_code == 0
    result = cli("users", "password", "kari", "--password", "demo")
    assert result.exit_code == 1 and "minst 12 tegn" in result.output
    result = cli("users", "password", "kari", "--password", "password1234")
    assert result.exit_code == 1 and "vanligste" in result.output
    assert cli("users", "password", "kari", "--password", "en lang nok setning").exit_code == 0
    env = EngineEnvironment(Settings.from_env())
    try:
        with env.unit_of_work() as ctx:
            assert credentials.authenticate(ctx, "kari", "en lang nok setning") is not None
            token = credentials.issue_token(ctx, "kari")
        result = cli("users", "deactivate", "kari")
        assert result.exit_code == 0 and "deactivated kari" in result.output
        with env.unit_of_work() as ctx:
            assert credentials.authenticate(ctx, "kari", "en lang nok setning") is None
            assert credentials.user_for_token(ctx, token).user is None
        assert cli("users", "activate", "kari").exit_code == 0
        with env.unit_of_work() as ctx:
            assert credentials.authenticate(ctx, "kari", "en lang nok setning") is not None
        assert cli("users", "deactivate", "nobody").exit_code == 1
    finally:
        env.dispose()


def test_tokens_listed_and_revoked_from_the_command_line(cli):
    assert cli("init").exit_code == 0
    assert cli("users", "add", "kari", "--role", "saksbehandler").exit_code == 0
    first = cli("users", "token", "kari", "--name", "rapport", "--days", "7")
    second = cli("users", "token", "kari", "--name", "integrasjon")
    assert first.exit_code == second.exit_code == 0
    assert cli("users", "token", "kari", "--days", "400").exit_code == 1
    listing = cli("users", "tokens", "kari").output.splitlines()
    assert [line.split()[1] for line in listing[1:]] == ["integrasjon", "rapport"]
    rapport_id = listing[2].split()[0]
    assert cli("users", "revoke-token", rapport_id).exit_code == 0
    listing = cli("users", "tokens", "kari").output.splitlines()
    assert listing[2].rstrip().split()[-2:] != ["-", "-"]  # revoked: a time in the last column
    assert listing[1].rstrip().endswith("-")  # the other one is not revoked
    assert cli("users", "revoke-token", "99999").exit_code == 1


def test_validate_warns_about_a_legal_deadline_without_the_helper_but_accepts_it(cli, tmp_path):
    import shutil
    processes = Path(__file__).resolve().parents[2] / "processes"
    copy = tmp_path / "processes"
    shutil.copytree(processes, copy)
    ip_sak = copy / "ip_sak.bpmn"
    text = ip_sak.read_text(encoding="utf-8")
    timer = ('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">legal_date(mottatt_dato, '
             '"forelopig_svar")</bpmn:timeDate>')
    assert text.count(timer) == 1
    ip_sak.write_text(text.replace(
        timer, '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1M"</bpmn:timeDuration>'),
        encoding="utf-8")
    result = cli("processes", "validate", copy)
    assert result.exit_code == 0, result.output
    [warning] = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert f"{ip_sak}: timer_en_maned: Tidsuret ser ut som en lovbestemt frist" in warning
    assert "(the timer looks like a legal deadline" in warning
