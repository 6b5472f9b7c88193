"""Logging: each key operation writes one INFO line with its identifiers (case number, task,
element, user, process key, version), and no log record ever carries what the case is about.

A whole case runs through the engine on both databases with distinctive health-like values
in its data (a made-up diagnosis, a person's name, a birth-number-like number, free text);
every record captured, at DEBUG, is searched for them: its message, its arguments and its
formatted line.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from engine.accounts import credentials, users
from engine.cases import casework
from engine.core import logs
from engine.core.settings import Settings
from engine.definitions import case_migration, store
from engine.worklist import humantasks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

#: What the case is about: none of it may reach a log.
NAME = "Tordis Flyndrevik-Aasgaard"
BIRTH_NUMBER = "17037034567"
DIAGNOSIS = "Kvernstuen-Moes syndrom"
FREE_TEXT = "Sover dårlig etter innleggelsen, redd for å falle om natta"
PASSWORD = "Hemmelig-Passord-913"
HEALTH_DATA = (NAME, BIRTH_NUMBER, DIAGNOSIS, FREE_TEXT, PASSWORD,
               # parts a careless formatter might still let through
               "Flyndrevik", "Kvernstuen", "innleggelsen", "Hemmelig")

OFFICER, LEADER, UNIT, COORDINATOR = "siri.saksbehandler", "lars.leder", "kim.enhet", "kari.koord"


def application(**changes) -> dict:
    data = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=True,
                onsker_barnekoordinator=False, navn=NAME, fodselsdato="1970-03-17",
                fodselsnummer=BIRTH_NUMBER, mottatt_dato="2026-01-05",
                tjenester=["hjemmesykepleie", "fysioterapi", "nav_oppfolging"],
                forventet_varighet_maneder=36, nav_basert=False, merknad=FREE_TEXT)
    data.update(changes)
    return data


def assessment(**changes) -> dict:
    data = dict(kartlegging_dato="2026-01-08", funn=f"{DIAGNOSIS}. {FREE_TEXT}",
                konklusjon_ip="innvilge", konklusjon_koordinator="innvilge",
                konklusjon_barnekoordinator=None, vurdering=f"{NAME} har {DIAGNOSIS}")
    data.update(changes)
    return data


def decision(**changes) -> dict:
    data = dict(vedtak_ip="innvilget", vedtak_koordinator="innvilget",
                vedtak_barnekoordinator=None, hjemmel="pbrl_2_5",
                begrunnelse=f"{NAME} ({BIRTH_NUMBER}) trenger hjelp: {DIAGNOSIS}",
                ansvarlig_tjenesteomrade="Hjemmetjenesten", oppstartsdato="2026-02-01",
                forste_evaluering="2026-08-03")
    data.update(changes)
    return data


class Case:
    """One case through the engine, each step in a unit of work of its own (as a request)."""

    def __init__(self, env, data: dict, actor: str, process_key: str = casework.MAIN_PROCESS):
        self.env = env
        with env.unit_of_work() as ctx:
            case = casework.start_case(ctx, data, users.get_user(ctx, actor), process_key)
            self.id, self.number = case.id, case.case_number

    def complete(self, name: str, actor: str, data: dict) -> None:
        with self.env.unit_of_work() as ctx:
            [task] = [t for t in humantasks.open_tasks(ctx, self.id) if t.name == name]
            humantasks.complete(ctx, task.id, users.get_user(ctx, actor), data,
                                expected_version=task.version)

    def decide(self, vedtak: dict) -> None:
        self.complete("Kartlegging og vurdering", OFFICER, assessment())
        self.complete("Utforme vedtak", OFFICER, vedtak)
        self.complete("Signere vedtak", LEADER, {"vedtak_godkjent": True,
                                                 "kommentar_leder": FREE_TEXT})
        self.complete("Sende vedtaksbrev", OFFICER, {"kanal": "digital_postkasse",
                                                     "leveringsdato": "2026-01-14"})


class Log:
    def __init__(self, caplog):
        self.caplog = caplog

    def lines(self, phrase: str) -> list[str]:
        return [record.getMessage() for record in self.caplog.records
                if record.getMessage().startswith(phrase + " ")]

    def has(self, phrase: str, **fields) -> str:
        """The one-line record that starts with `phrase` and holds each key=value."""
        found = [line for line in self.lines(phrase)
                 if all(re.search(rf"(^|\s){key}={re.escape(str(value))}(\s|$)", line)
                        for key, value in fields.items())]
        assert found, f"no {phrase!r} line with {fields}: {self.lines(phrase)}"
        assert all("\n" not in line for line in found)
        return found[0]


@pytest.fixture
def people(committed_env):
    with committed_env.unit_of_work() as ctx:
        for username, role in ((OFFICER, "saksbehandler"), (LEADER, "leder"),
                               (UNIT, "koordinerende_enhet"), (COORDINATOR, "koordinator")):
            users.add_user(ctx, username, [role], display_name=NAME,
                           trained_coordinator=role == "koordinator")
        credentials.set_password(ctx, OFFICER, PASSWORD)


def test_each_key_operation_logs_one_line_and_no_record_holds_health_data(committed_env,
                                                                          clock, caplog,
                                                                          people):
    env, log = committed_env, Log(caplog)
    caplog.set_level(logging.DEBUG)

    granted = Case(env, application(), OFFICER)
    granted.decide(decision())
    granted.complete("Oppnevne koordinator", UNIT, {
        "koordinator": COORDINATOR, "tjenesteomrade": "Hjemmetjenesten"})
    refused = Case(env, application(tjenester=["fysioterapi"]), OFFICER)
    refusal = decision(vedtak_ip="avslag", vedtak_koordinator="avslag")
    del refusal["forste_evaluering"], refusal["oppstartsdato"], refusal["ansvarlig_tjenesteomrade"]
    refused.decide(refusal)
    with env.unit_of_work() as ctx:
        casework.register_appeal(ctx, refused.id, {"klage_mottatt": "2026-02-02",
                                                   "klager": NAME, "grunnlag": FREE_TEXT},
                                 users.get_user(ctx, OFFICER))
    waiting = Case(env, {"navn": NAME, "notat": DIAGNOSIS}, OFFICER, process_key="frist_test")
    clock.advance(days=3)
    report = env.sweep()

    log.has("case started", case=granted.number, process="ip_sak", version=1, user=OFFICER)
    log.has("task completed", case=granted.number, element="task_kartlegging",
            name=repr("Kartlegging og vurdering"), user=OFFICER)
    log.has("task completed", case=granted.number, name=repr("Signere vedtak"), user=LEADER)
    log.has("coordinator appointed", case=granted.number, coordinator=COORDINATOR, user=UNIT)
    log.has("case closed", case=refused.number, user=OFFICER)
    log.has("process started", case=refused.number, process="klage", user=OFFICER)
    log.has("timer fired", case=waiting.number, timer=repr("Tre dager"), element="frist_tre_dager")
    log.has("notice raised", kind="test_reminder", case=waiting.number)
    assert len(report.fired) == 1 and report.notices
    sweep_line = log.has("sweep done", fired=1, notices=len(report.notices), stuck=0)
    assert re.search(r"duration_ms=\d+$", sweep_line)

    # a deployed version, and the waiting case moved to it
    changed = (FIXTURES / "engine" / "frist_test.bpmn").read_text(encoding="utf-8").replace(
        "</bpmn:definitions>", "<!-- changed --></bpmn:definitions>")
    with env.unit_of_work() as ctx:
        [version] = store.deploy_files(ctx, {
            "frist_test.bpmn": changed.encode(),
            "frist_form.json": (FIXTURES / "engine" / "frist_form.json").read_bytes()}, UNIT)
        result = case_migration.migrate(ctx, users.get_user(ctx, UNIT), "frist_test",
                                        [waiting.id])
        assert [plan.case_number for plan in result.migrated] == [waiting.number]
    log.has("definition deployed", process="frist_test", version=version.version,
            hash=version.bundle_hash[:12], user=UNIT)
    log.has("cases migrated", process="frist_test", to_version=version.version,
            moved=waiting.number, refused="-", user=UNIT)

    # sign-in: success, failures, then the limit
    with env.unit_of_work() as ctx:
        assert credentials.sign_in(ctx, OFFICER, PASSWORD, "10.0.0.7") is not None
    for attempt in range(env.settings.sign_in_max_failures):
        with env.unit_of_work() as ctx:
            assert credentials.sign_in(ctx, OFFICER, PASSWORD + str(attempt), "10.0.0.7") is None
    with pytest.raises(credentials.SignInThrottled), env.unit_of_work() as ctx:
        credentials.sign_in(ctx, OFFICER, PASSWORD, "10.0.0.7")
    log.has("sign-in succeeded", user=OFFICER, address="10.0.0.7")
    assert len(log.lines("sign-in failed")) == env.settings.sign_in_max_failures
    log.has("sign-in refused, too many failures", user=OFFICER, address="10.0.0.7",
            locked="username")

    assert_no_health_data(caplog.records)


def assert_no_health_data(records) -> None:
    formatter = logging.Formatter(logs.FORMAT)
    assert records
    for record in records:
        texts = (record.getMessage(), str(record.msg), repr(record.args),
                 formatter.format(record))
        for text in texts:
            for secret in HEALTH_DATA:
                assert secret not in text, f"{secret!r} logged by {record.name}: {text}"


def test_a_timer_step_that_fails_logs_a_warning_naming_only_the_element(committed_env, clock,
                                                                        caplog, people):
    text = (FIXTURES / "engine" / "frist_test.bpmn").read_text(encoding="utf-8")
    marker = '<spiffworkflow:property name="notice" value="test_reminder" />'
    broken = text.replace("frist_test", "frist_feiler").replace(marker, marker + (
        '<spiffworkflow:property name="noticeUserExpression" value="felt_som_mangler" />'))
    with committed_env.unit_of_work() as ctx:
        store.deploy_files(ctx, {"frist_feiler.bpmn": broken.encode(),
                                 "frist_form.json": (FIXTURES / "engine" /
                                                     "frist_form.json").read_bytes()}, UNIT)
    stuck = Case(committed_env, {"navn": NAME, "notat": DIAGNOSIS}, OFFICER,
                 process_key="frist_feiler")
    clock.advance(days=3)
    caplog.set_level(logging.DEBUG)
    committed_env.sweep()
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING
                 and r.getMessage().startswith("timer step failed")]
    assert re.search(rf"case={stuck.number} element=varsel timers=1$", warning.getMessage())
    assert_no_health_data(caplog.records)


def test_configure_writes_one_line_per_record_at_the_settings_level(capsys):
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    try:
        logs.configure(Settings(log_level="warning"))
        logs.configure(Settings(log_level="warning"))  # again: replaces, does not add
        assert len([h for h in root.handlers if h.get_name() == "samflyt"]) == 1
        logging.getLogger("engine.example").info("not written case=%s", "IP-2026-00001")
        logging.getLogger("engine.example").warning("written case=%s", "IP-2026-00002")
        written = capsys.readouterr().err.splitlines()
        assert len(written) == 1
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING engine\.example: "
                            r"written case=IP-2026-00002", written[0]), written
        with pytest.raises(ValueError, match="SAMFLYT_LOG_LEVEL"):
            logs.configure(Settings(log_level="loud"))
        assert root.level == logging.WARNING  # an unknown level changed nothing
    finally:
        for handler in root.handlers[:]:
            if handler.get_name() == "samflyt":
                root.removeHandler(handler)
        root.setLevel(before[0])
    assert Settings.from_env({}).log_level == "INFO"
    assert Settings.from_env({"SAMFLYT_LOG_LEVEL": "DEBUG"}).log_level == "DEBUG"
