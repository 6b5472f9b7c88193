"""The shipped processes run in SpiffWorkflow itself, without a database: signals between
branches and called processes, timers, DMN suggestions and deadlines.

The workflows run with the engine's restricted script engine (the helpers of docs/processes.md)
and its clock-aware timers, on a clock these tests move. Whole cases through the engine's API,
with persistence, are in test_scenario_*.py.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.workflow.scripting import RestrictedScriptEngine
from engine.workflow.specs import parse_bundle

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
OSLO = ZoneInfo("Europe/Oslo")
START = datetime(2026, 1, 5, 9, 0, tzinfo=OSLO)

SOKNAD = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=True,
              onsker_barnekoordinator=False, navn="Kari Nordmann", fodselsdato="1970-03-01",
              mottatt_dato="2026-01-05",
              tjenester=["hjemmesykepleie", "fysioterapi", "nav_oppfolging"],
              forventet_varighet_maneder=36, nav_basert=False)
KARTLEGGING = dict(kartlegging_dato="2026-01-08", funn="Behov for tjenester som må samordnes",
                   konklusjon_ip="innvilge", konklusjon_koordinator="innvilge",
                   konklusjon_barnekoordinator=None, vurdering="Vilkårene er oppfylt")
VEDTAK = dict(vedtak_ip="innvilget", vedtak_koordinator="innvilget", vedtak_barnekoordinator=None,
              hjemmel="pbrl_2_5", begrunnelse="Langvarige og koordinerte tjenester",
              ansvarlig_tjenesteomrade="Hjemmetjenesten", oppstartsdato="2026-02-01",
              forste_evaluering="2026-08-03")
OPPNEVNING = dict(koordinator="kari.koord", tjenesteomrade="Hjemmetjenesten")


def _files():
    files = [("bpmn", p.name, p.read_text(encoding="utf-8"))
             for p in sorted(PROCESSES.glob("*.bpmn"))]
    files += [("dmn", p.name, p.read_text(encoding="utf-8"))
              for p in sorted((PROCESSES / "dmn").glob("*.dmn"))]
    return files


_PARSED = {}


def parsed(key):
    if key not in _PARSED:
        _PARSED[key] = parse_bundle(key, _files())
    return _PARSED[key]


class Run:
    """One process instance in plain SpiffWorkflow, with the notices and follow-ups it raised."""

    def __init__(self, key, data, start=START):
        self.now = start.astimezone(UTC)
        self.engine = RestrictedScriptEngine(clock=lambda: self.now)
        version = parsed(key)
        self.workflow = BpmnWorkflow(version.spec, version.subprocess_specs,
                                     script_engine=self.engine)
        for task in self.workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        self.notices, self.started, self.passed = [], [], []
        self._step()

    def _props(self, task):
        return getattr(task.task_spec, "extensions", {}).get("properties", {})

    def _context(self, task):
        # the engine offers the case's current coordinator to property expressions
        return {"case_coordinator": task.data.get("koordinator")}

    def _passed(self, task):
        self.passed.append(task.task_spec.bpmn_name)
        props = self._props(task)
        if "notice" in props:
            user = None
            if props.get("noticeUserExpression"):
                user = self.engine.evaluate(task, props["noticeUserExpression"],
                                            self._context(task))
            self.notices.append((props["notice"], props["noticeSeverity"],
                                 props.get("noticeRole") or task.task_spec.lane, user))
        if "startProcess" in props:
            self.started.append((props["startProcess"], dict(task.data)))

    def _step(self):
        self.workflow.refresh_timers()
        self.workflow.do_engine_steps(did_complete_task=self._passed)

    def _ready(self):
        return self.workflow.get_tasks(state=TaskState.READY, manual=True)

    def tasks(self):
        """(name, lane, assignee) of every task waiting for a person."""
        out = []
        for task in self._ready():
            lane, current = task.task_spec.lane, task
            while not lane and current.workflow.parent_task_id:
                current = current.workflow.top_workflow.get_task_from_id(
                    current.workflow.parent_task_id)
                lane = current.task_spec.lane
            expression = self._props(task).get("assigneeExpression")
            assignee = (self.engine.evaluate(task, expression, self._context(task))
                        if expression else None)
            out.append((task.task_spec.bpmn_name, lane, assignee))
        return sorted(out)

    def names(self):
        return [name for name, _, _ in self.tasks()]

    def data_of(self, name):
        [task] = [t for t in self._ready() if t.task_spec.bpmn_name == name]
        return task.data

    def complete(self, name, data):
        [task] = [t for t in self._ready() if t.task_spec.bpmn_name == name]
        task.data.update(data)
        task.run()
        self._passed(task)
        self._step()

    def advance(self, **delta):
        self.now += timedelta(**delta)
        self._step()

    @property
    def kinds(self):
        return [kind for kind, *_ in self.notices]

    @property
    def result(self):
        assert self.workflow.completed
        return self.workflow.last_task.data


def decide(run, vedtak=VEDTAK, leveringsdato="2026-01-20"):
    run.complete("Kartlegging og vurdering", KARTLEGGING)
    run.complete("Utforme vedtak", vedtak)
    run.complete("Signere vedtak", {"vedtak_godkjent": True})
    run.complete("Sende vedtaksbrev",
                 {"kanal": "digital_postkasse", "leveringsdato": leveringsdato})


# --- DMN suggestions ---------------------------------------------------------------------------

@pytest.mark.parametrize(("tjenester", "maneder", "fodselsdato", "expected", "warned"), [
    (["hjemmesykepleie", "fysioterapi", "nav_oppfolging"], 36, "1970-03-01",
     ("innvilge", "innvilge", "avsla"), False),
    (["hjemmesykepleie", "fysioterapi"], 8, "1970-03-01", ("vurdere", "vurdere", "avsla"), True),
    (["hjemmesykepleie", "fysioterapi"], 24, "1970-03-01", ("vurdere", "vurdere", "avsla"), True),
    (["fysioterapi"], 60, "1970-03-01", ("avsla", "avsla", "avsla"), False),
    (["fysioterapi", "avlastning", "barnehage"], 60, "2022-05-01",
     ("innvilge", "innvilge", "innvilge"), False),
    (["fysioterapi", "avlastning"], 60, "2022-05-01", ("innvilge", "innvilge", "vurdere"), False),
    (["fysioterapi", "avlastning", "skole"], 12, "2015-05-01", ("vurdere", "vurdere", "vurdere"),
     True),
])
def test_vurdering_rett_suggests_and_the_local_duration_rule_only_warns(tjenester, maneder,
                                                                        fodselsdato,
                                                                      expected, warned):
    run = Run("ip_sak", dict(SOKNAD, tjenester=tjenester, forventet_varighet_maneder=maneder,
                             fodselsdato=fodselsdato, onsker_barnekoordinator=True))
    data = run.data_of("Kartlegging og vurdering")
    assert (data["forslag_ip"], data["forslag_koordinator"],
            data["forslag_barnekoordinator"]) == expected
    assert data["antall_tjenester"] == len(tjenester)
    assert data["forslag_begrunnelse"]
    assert bool(data["forslag_advarsel"]) is warned
    if warned:
        assert "ikke et vilkår" in data["forslag_advarsel"]


def test_an_expected_child_counts_as_a_child():
    run = Run("ip_sak", dict(SOKNAD, fodselsdato="2026-06-01", barn_forventet=True,
                             tjenester=["spesialisthelsetjeneste", "avlastning", "nav_oppfolging"]))
    data = run.data_of("Kartlegging og vurdering")
    assert data["gjelder_barn"] is True and data["andre_velferdstjenester"] is True
    assert data["forslag_barnekoordinator"] == "innvilge"


HEALTH, ADMINISTRATION = "klagefrist_helse", "klagefrist_forvaltning"  # 4 and 3 weeks


@pytest.mark.parametrize(("hjemmel", "rule", "leveringsdato", "klagefrist"), [
    ("pbrl_2_5", HEALTH, "2026-01-20", "2026-02-17"),
    ("pbrl_2_5_b", HEALTH, "2026-01-20", "2026-02-17"),
    ("pbrl_2_5_c", HEALTH, "2026-01-20", "2026-02-17"),
    ("sosialtjenesteloven", ADMINISTRATION, "2026-01-20", "2026-02-10"),
    ("barnevernsloven_15_9", ADMINISTRATION, "2026-01-20", "2026-02-10"),
    # 4 weeks after 2026-03-07 is Saturday 4 April, then Easter: the next working day is 7 April
    ("pbrl_2_5", HEALTH, "2026-03-07", "2026-04-07"),
])
def test_the_appeal_deadline_follows_the_legal_basis_and_working_days(hjemmel, rule, leveringsdato,
                                                                      klagefrist):
    run = Run("vedtak", dict(SOKNAD))
    run.complete("Utforme vedtak", dict(VEDTAK, hjemmel=hjemmel))
    run.complete("Signere vedtak", {"vedtak_godkjent": True})
    run.complete("Sende vedtaksbrev", {"kanal": "papir", "leveringsdato": leveringsdato})
    assert run.result["klagefrist_regel"] == rule
    assert run.result["klagefrist"] == klagefrist
    assert [name for name in run.passed if name][-2:] == ["Vedtak fattet", "Vedtak sendt"]


def test_the_leader_can_send_the_decision_back():
    run = Run("vedtak", dict(SOKNAD))
    run.complete("Utforme vedtak", VEDTAK)
    assert run.tasks() == [("Signere vedtak", "leder", None)]
    run.complete("Signere vedtak",
                 {"vedtak_godkjent": False, "kommentar_leder": "Utdyp begrunnelsen"})
    assert run.tasks() == [("Utforme vedtak", "saksbehandler", None)]


# --- ip_sak: the interim reply branches and what follows the decision -------------------------

def test_a_decision_within_three_weeks_ends_both_watchers_through_the_called_process_signal():
    run = Run("ip_sak", SOKNAD)
    assert len(run.workflow.waiting_events()) == 2  # the two event-based gateways
    run.advance(days=10)
    decide(run)
    assert run.names() == ["Oppnevne koordinator"]
    assert run.workflow.waiting_events() == []
    assert run.notices == []
    run.complete("Oppnevne koordinator", OPPNEVNING)
    assert run.tasks() == [("Bekrefte oppdraget", "koordinator", "kari.koord")]
    run.complete("Bekrefte oppdraget", {"oppdrag_bekreftet": True})
    assert run.tasks() == [("Utarbeide plan", "koordinator", "kari.koord")]
    run.complete("Utarbeide plan", {"hovedmal": "Bo hjemme"})
    run.complete("Godkjenne plan", {"godkjent": False})
    assert run.names() == ["Utarbeide plan"]
    run.complete("Utarbeide plan", {"hovedmal": "Bo hjemme"})
    run.complete("Godkjenne plan", {"godkjent": True, "neste_evaluering": "2026-08-03"})
    assert run.workflow.completed
    assert [key for key, _ in run.started] == ["periodisk_evaluering"]
    assert run.started[0][1]["neste_evaluering"] == "2026-08-03"
    assert run.started[0][1]["koordinator"] == "kari.koord"
    assert run.passed[-3] == "Plan i drift"


def test_a_week_before_the_deadline_warns_and_an_interim_reply_in_time_prevents_the_escalation():
    # received 5 January 2026: the deadline is Thursday 5 February, the warning 29 January
    run = Run("ip_sak", SOKNAD)
    run.advance(days=23, hours=14)  # 28 January 23:00
    assert run.notices == [] and run.names() == ["Kartlegging og vurdering"]
    run.advance(hours=1)
    assert run.notices == [("interim_reply_warning", "warning", "saksbehandler", None)]
    assert run.names() == ["Kartlegging og vurdering", "Sende foreløpig svar"]
    run.complete("Sende foreløpig svar", {"forelopig_svar_dato": "2026-01-27",
                                          "forelopig_svar_grunn": "Venter på "
                 "opplysninger", "forventet_vedtaksdato": "2026-02-20"})
    assert run.workflow.waiting_events() == []  # the one-month watcher heard the reply
    run.advance(days=30)
    assert run.kinds == ["interim_reply_warning"]
    decide(run, leveringsdato="2026-02-20")
    assert run.names() == ["Oppnevne koordinator"]
    assert run.data_of("Oppnevne koordinator")["forelopig_svar_grunn"] == "Venter på opplysninger"


def test_the_deadline_without_a_reply_escalates_and_the_decision_closes_the_reply_task():
    run = Run("ip_sak", SOKNAD)
    run.advance(days=24)
    run.advance(days=6, hours=14)  # 4 February 23:00
    assert run.kinds == ["interim_reply_warning"]
    run.advance(hours=1)  # 5 February 00:00: one month after the application was received
    assert run.notices[-1] == ("interim_reply_escalation", "escalation", "leder", None)
    assert run.names() == ["Kartlegging og vurdering", "Sende foreløpig svar"]
    decide(run)
    assert run.names() == ["Oppnevne koordinator"]  # the boundary signal cancelled the reply task


def test_a_next_of_kin_without_power_of_attorney_is_asked_for_it_first():
    run = Run("ip_sak", dict(SOKNAD, soker_rolle="parorende", fullmakt=False, soker_navn="Per"))
    assert run.tasks() == [("Innhente fullmakt", "saksbehandler", None)]
    run.complete("Innhente fullmakt", {"fullmakt_innhentet": True, "fullmakt_dato": "2026-01-07"})
    assert run.names() == ["Kartlegging og vurdering"]
    with_fullmakt = Run("ip_sak",
                        dict(SOKNAD, soker_rolle="parorende", fullmakt=True, soker_navn="Per"))
    assert with_fullmakt.names() == ["Kartlegging og vurdering"]


def test_nothing_granted_closes_the_case():
    run = Run("ip_sak", SOKNAD)
    decide(run, dict(VEDTAK, vedtak_ip="avslag", vedtak_koordinator="avslag"))
    assert run.workflow.completed and "Sak avsluttet" in run.passed and run.started == []


def test_a_coordinator_without_a_plan():
    run = Run("ip_sak", dict(SOKNAD, onsker_ip=False))
    decide(run, dict(VEDTAK, vedtak_ip=None))
    run.complete("Oppnevne koordinator", OPPNEVNING)
    run.complete("Bekrefte oppdraget",
                 {"oppdrag_bekreftet": False, "merknad_koordinator": "Permisjon"})
    assert run.names() == ["Oppnevne koordinator"]
    run.complete("Oppnevne koordinator", dict(OPPNEVNING, koordinator="ola.koord"))
    assert run.tasks() == [("Bekrefte oppdraget", "koordinator", "ola.koord")]
    run.complete("Bekrefte oppdraget", {"oppdrag_bekreftet": True})
    assert run.workflow.completed
    assert "Koordinator oppnevnt" in run.passed and "Utarbeide plan" not in run.passed
    assert run.started == []


def test_a_child_coordinator_starts_its_follow_up():
    run = Run("ip_sak",
              dict(SOKNAD, fodselsdato="2008-07-05", onsker_barnekoordinator=True, onsker_ip=False))
    decide(run, dict(VEDTAK, vedtak_ip=None, vedtak_koordinator=None,
                     vedtak_barnekoordinator="innvilget",
                     hjemmel="pbrl_2_5_c"))
    run.complete("Oppnevne koordinator", OPPNEVNING)
    run.complete("Bekrefte oppdraget", {"oppdrag_bekreftet": True})
    assert [key for key, _ in run.started] == ["barnekoordinator_oppfolging"]
    assert "Koordinator oppnevnt" in run.passed


# --- the follow-up processes -------------------------------------------------------------------

def test_a_review_cycle_alerts_then_escalates_and_starts_the_next_cycle():
    run = Run("periodisk_evaluering",
              {"neste_evaluering": "2026-03-10", "koordinator": "kari.koord"})
    assert run.names() == []
    run.advance(days=64)
    assert run.notices == [("review_due", "info", "koordinator", "kari.koord")]
    assert run.tasks() == [("Gjennomføre evaluering", "koordinator", "kari.koord")]
    run.advance(days=7)
    assert run.notices[-1] == ("review_overdue_reminder", "warning", "koordinator", "kari.koord")
    run.advance(days=7)
    assert run.notices[-1] == ("review_overdue", "escalation", "koordinerende_enhet", None)
    run.complete("Gjennomføre evaluering", {"resultat": "revidere",
                                            "neste_evaluering": "2026-09-01",
                                            "oppsummering": "Nye mål"})
    run.complete("Revidere plan", {"endringer": "Nye tiltak", "neste_evaluering": "2026-09-15"})
    assert [(key, data["neste_evaluering"]) for key, data in run.started] == [
        ("periodisk_evaluering", "2026-09-15")]


@pytest.mark.parametrize(("resultat", "next_cycle"), [("fortsette", True), ("avslutte", False)])
def test_a_review_continues_or_ends_the_plan(resultat, next_cycle):
    run = Run("periodisk_evaluering",
              {"neste_evaluering": "2026-01-05", "koordinator": "kari.koord"})
    data = {"resultat": resultat, "oppsummering": "Som planlagt"}
    if next_cycle:
        data["neste_evaluering"] = "2027-01-05"
    run.complete("Gjennomføre evaluering", data)
    assert run.workflow.completed
    assert bool(run.started) is next_cycle
    assert ("Neste evaluering" if next_cycle else "Plan avsluttet") in run.passed


def test_a_child_of_seventeen_and_a_half_planned_before_the_eighteenth_birthday():
    # 18 on Sunday 5 July 2026: the assignment ends on the next working day, Monday 6 July,
    # and the warning comes six months before that
    run = Run("barnekoordinator_oppfolging",
              {"fodselsdato": "2008-07-05", "koordinator": "kari.koord"})
    assert run.notices == []
    run.advance(days=1)  # 6 January 2026
    assert run.notices == [("child_turning_18", "warning", "koordinerende_enhet", "kari.koord")]
    run.complete("Planlegge overgang til voksentjenester",
                 {"overgangsplan": "Overføres til voksenteam"})
    assert run.names() == []
    run.advance(days=180)  # Sunday 5 July 2026: 18, the legal date is the next working day
    assert run.names() == []
    run.advance(days=1)  # Monday 6 July 2026
    assert run.tasks() == [("Avslutte oppdraget som barnekoordinator", "koordinerende_enhet", None)]
    run.complete("Avslutte oppdraget som barnekoordinator", {"avsluttet_dato": "2026-07-06",
                                                             "videre_koordinator": True})
    assert run.notices[-1] == ("child_coordinator_ended", "info", "koordinerende_enhet",
                               "kari.koord")


def test_a_young_child_waits_and_the_plan_may_come_after_the_birthday():
    # 18 on Saturday 10 January 2032: the legal date is Monday 12 January
    run = Run("barnekoordinator_oppfolging",
              {"fodselsdato": "2014-01-10", "koordinator": "kari.koord"})
    assert run.notices == [] and run.names() == []
    run.now = datetime(2031, 7, 11, 23, 30, tzinfo=OSLO).astimezone(UTC)
    run.advance()
    assert run.kinds == []
    run.now = datetime(2031, 7, 12, 0, 30, tzinfo=OSLO).astimezone(UTC)
    run.advance()
    assert run.kinds == ["child_turning_18"]
    run.now = datetime(2032, 1, 10, 0, 30, tzinfo=OSLO).astimezone(UTC)
    run.advance()
    assert run.names() == ["Planlegge overgang til voksentjenester"]
    run.complete("Planlegge overgang til voksentjenester", {"overgangsplan": "Sent, men gjort"})
    assert run.names() == []  # the 18th birthday, but not yet the legal date
    run.now = datetime(2032, 1, 12, 0, 30, tzinfo=OSLO).astimezone(UTC)
    run.advance()
    assert run.names() == ["Avslutte oppdraget som barnekoordinator"]


def test_a_coordinator_change():
    run = Run("koordinatorbytte",
              {"koordinator": "kari.koord", "koordinator_som_slutter": "kari.koord"})
    assert run.notices == [("coordinator_vacancy", "escalation", "koordinerende_enhet", None)]
    run.complete("Oppnevne ny koordinator",
                 dict(OPPNEVNING, koordinator="ola.koord", overlapp_til="2026-01-20"))
    assert run.tasks() == [("Overlevering", "koordinator", "ola.koord")]
    run.complete("Overlevering",
                 {"overlevering_gjennomfort": True, "overlevering_dato": "2026-01-15"})
    assert run.workflow.completed


FACTS = dict(vedtak_ip="avslag", vedtak_koordinator="avslag", vedtak_barnekoordinator=None,
             hjemmel="pbrl_2_5", klagefrist="2026-02-17", klagefrist_regel="klagefrist_helse",
             leveringsdato="2026-01-20")


def test_an_appeal_in_time_is_forwarded_reminded_and_carried_out():
    run = Run("klage", dict(FACTS, klage_mottatt="2026-02-09", klage_postet="2026-02-09",
                             klager="Kari", grunnlag="Uenig"))
    assert run.tasks() == [("Vurdere klagen", "saksbehandler", None)]
    run.complete("Vurdere klagen",
                 {"klagevurdering": "Ingen nye opplysninger", "anbefaling": "opprettholde"})
    assert run.tasks() == [("Beslutte omgjøring", "leder", None)]
    run.complete("Beslutte omgjøring",
                 {"omgjore": False, "beslutning_begrunnelse": "Opprettholdes"})
    run.complete("Oversende til Statsforvalteren", {"oversendt_dato": "2026-02-20"})
    run.complete("Orientere klager",
                 {"sendt_dato": "2026-02-20", "kanal": "papir"})
    run.advance(days=89)
    assert run.notices == []
    run.advance(days=3)
    assert run.notices == [("appeal_reminder", "warning", "saksbehandler", None)]
    run.complete("Registrere utfall fra Statsforvalteren",
                 {"utfall": "opphevet", "utfall_dato": "2026-06-01"})
    assert run.names() == ["Iverksette utfall"]


def test_a_late_appeal_is_never_dismissed_without_a_person_deciding():
    run = Run("klage", dict(FACTS, klage_mottatt="2026-03-02", klage_postet="2026-03-02",
                             klager="Kari", grunnlag="Uenig"))
    assert run.names() == ["Vurdere for sen klage"]
    run.complete("Vurdere for sen klage", {"arsak_for_sen_klage": "Innlagt",
                                           "behandle_likevel": False,
                                           "vurdering_sen_klage": "Ingen grunn"})
    run.complete("Utforme avvisningsvedtak", {"avvisning_begrunnelse": "For sent"})
    run.complete("Signere avvisningsvedtak",
                 {"avvisning_signert": False, "kommentar_leder": "Behandle den"})
    assert run.names() == ["Vurdere for sen klage"]
    run.complete("Vurdere for sen klage", {"arsak_for_sen_klage": "Innlagt",
                                           "behandle_likevel": True,
                                           "vurdering_sen_klage": "Særlige grunner"})
    assert run.names() == ["Vurdere klagen"]


def test_a_reversal_makes_a_new_decision_with_a_new_appeal_clock():
    run = Run("klage", dict(FACTS, klage_mottatt="2026-02-09", klage_postet="2026-02-09",
                             klager="Kari", grunnlag="Uenig"))
    run.complete("Vurdere klagen", {"klagevurdering": "Nye opplysninger", "anbefaling": "omgjore"})
    run.complete("Beslutte omgjøring", {"omgjore": True, "beslutning_begrunnelse": "Omgjøres"})
    run.complete("Utforme vedtak", VEDTAK)
    run.complete("Signere vedtak", {"vedtak_godkjent": True})
    run.complete("Sende vedtaksbrev", {"kanal": "papir", "leveringsdato": "2026-03-02"})
    assert run.result["klagefrist"] == "2026-03-30"
    assert "Vedtak omgjort" in run.passed and "Oversende til Statsforvalteren" not in run.passed
