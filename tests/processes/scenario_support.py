"""Helpers for the scenario tests: the people of a municipality, form data and a driver for
one case through the engine's API (cases, humantasks, notices, audit, sweep) under the fake
clock of tests/conftest.py.
"""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from engine.cases import audit, casework
from engine.notices import notice_board
from engine.scheduling.sweep import sweep_once
from engine.worklist import humantasks

OSLO = ZoneInfo("Europe/Oslo")


@dataclasses.dataclass
class People:
    officer: object       # saksbehandler
    leader: object        # leder
    unit: object          # koordinerende enhet
    coordinator: object   # trained koordinator
    coordinator2: object  # another trained koordinator
    untrained: object     # a koordinator without the training


def make_people(make_user) -> People:
    return People(
        officer=make_user("siri.saksbehandler", "saksbehandler"),
        leader=make_user("lars.leder", "leder"),
        unit=make_user("kim.enhet", "koordinerende_enhet"),
        coordinator=make_user("kari.koord", "koordinator", trained=True),
        coordinator2=make_user("ola.koord", "koordinator", trained=True),
        untrained=make_user("uno.koord", "koordinator"),
    )


def application(**changes) -> dict:
    """The application form (soknad.json) of an adult asking for IP and a coordinator."""
    data = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=True,
                onsker_barnekoordinator=False, navn="Kari Nordmann", fodselsdato="1970-03-01",
                mottatt_dato="2026-01-05",
                tjenester=["hjemmesykepleie", "fysioterapi", "nav_oppfolging"],
                forventet_varighet_maneder=36, nav_basert=False)
    data.update(changes)
    return data


def assessment(**changes) -> dict:
    data = dict(kartlegging_dato="2026-01-08", funn="Behov for tjenester som må samordnes",
                konklusjon_ip="innvilge", konklusjon_koordinator="innvilge",
                konklusjon_barnekoordinator=None, vurdering="Vilkårene er oppfylt")
    data.update(changes)
    return data


def decision(**changes) -> dict:
    data = dict(vedtak_ip="innvilget", vedtak_koordinator="innvilget", vedtak_barnekoordinator=None,
                hjemmel="pbrl_2_5", begrunnelse="Langvarige og koordinerte tjenester",
                ansvarlig_tjenesteomrade="Hjemmetjenesten", oppstartsdato="2026-02-01",
                forste_evaluering="2026-08-03")
    data.update(changes)
    return data


def plan(**changes) -> dict:
    data = dict(
        hovedmal="Bo trygt hjemme",
        delmal=[{"beskrivelse": "Gå til butikken selv", "frist": "2026-06-01"}],
        ressurser_og_behov="Motivert; trenger hjelp morgen og kveld",
        deltakere=[{"navn": "Kari Nordmann", "rolle": "Personen selv", "tilgang": "hele_planen",
                    "samtykke_tilgang": True},
                   {"navn": "Hjemmesykepleien", "rolle": "Hjemmetjenesten",
                    "tilgang": "egne_tiltak",
                    "samtykke_tilgang": True}],
        koordineringsansvar="Koordinator Kari Koord",
        bidrag={"personen": "Egentrening", "tjenestene": "Stell og trening",
                "parorende": "Handling"},
        tiltak=[{"hva": "Hjemmesykepleie", "omfang": "2 besøk daglig",
                 "ansvarlig": "Hjemmetjenesten",
                 "gjennomforing": "Morgen og kveld"},
                {"hva": "Fysioterapi", "omfang": "1 time i uken",
                 "ansvarlig": "Fysioterapitjenesten"}],
        planperiode_fra="2026-02-01", planperiode_til="2027-02-01",
        samtykke={"samtykke_til_plan": True, "gitt_av": "personen", "samtykke_dato": "2026-02-01"},
        samarbeid_andre_etater="NAV-veileder deltar i ansvarsgruppen")
    data.update(changes)
    return data


class CaseDriver:
    """One case through the engine's API, seen as the people who work on it see it."""

    def __init__(self, ctx, clock, case):
        self.ctx, self.clock, self.case = ctx, clock, case

    @classmethod
    def start(cls, ctx, clock, actor, data):
        return cls(ctx, clock, casework.start_case(ctx, data, actor))

    # --- tasks
    def open(self):
        return humantasks.open_tasks(self.ctx, self.case.id)

    def tasks(self):
        """(name, candidate role, assignee) of the open tasks, sorted by name."""
        return sorted((t.name, t.candidate_role, t.assignee) for t in self.open())

    def names(self):
        return sorted(t.name for t in self.open())

    def task(self, name):
        found = [t for t in self.open() if t.name == name]
        assert len(found) == 1, f"{name!r} not open exactly once: {self.tasks()}"
        return found[0]

    def complete(self, name, user, data):
        task = self.task(name)
        return humantasks.complete(self.ctx, task.id, user, data, expected_version=task.version)

    # --- time
    def advance(self, **delta):
        """Move the clock and run the sweep, as the scheduler would."""
        self.clock.advance(**delta)
        return sweep_once(self.ctx)

    def advance_to(self, moment):
        self.clock.set(moment)
        return sweep_once(self.ctx)

    # --- what the case shows
    def notices(self):
        return [(n.kind, n.severity, n.role, n.username)
                for n in notice_board.for_case(self.ctx, self.case.id)]

    def notice_kinds(self):
        return [n.kind for n in notice_board.for_case(self.ctx, self.case.id)]

    def history(self, *kinds):
        return audit.case_history(self.ctx, self.case.id, set(kinds) or None)

    def processes(self, status=None):
        return [(i.process_key, i.status) for i in self.case.instances
                if status is None or i.status == status]

    def refresh(self):
        """The case as the engine left it (flushed; the session's identity map keeps it current)."""
        self.ctx.session.flush()
        self.ctx.session.refresh(self.case)
        return self.case


def today(clock) -> str:
    return clock().astimezone(OSLO).date().isoformat()


def plus_days(iso: str, days: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


# --- steps that many scenarios share ------------------------------------------------------------

def decide(case: CaseDriver, people: People, vedtak: dict, leveringsdato: str,
           kartlegging: dict | None = None, kanal: str = "digital_postkasse") -> None:
    """Assessment, decision drafted, signed by the leader and sent, delivered on `leveringsdato`."""
    case.complete("Kartlegging og vurdering", people.officer, kartlegging or assessment())
    case.complete("Utforme vedtak", people.officer, vedtak)
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": kanal, "leveringsdato": leveringsdato})


def appoint(case: CaseDriver, people: People, coordinator) -> None:
    """The coordinating unit appoints `coordinator`, who confirms the assignment."""
    case.complete("Oppnevne koordinator", people.unit,
                  {"koordinator": coordinator.username, "tjenesteomrade": "Hjemmetjenesten"})
    case.complete("Bekrefte oppdraget", coordinator, {"oppdrag_bekreftet": True})


def approve_plan(case: CaseDriver, coordinator, neste_evaluering: str) -> None:
    case.complete("Utarbeide plan", coordinator, plan(neste_evaluering=neste_evaluering))
    case.complete("Godkjenne plan", coordinator,
                  {"godkjent": True, "neste_evaluering": neste_evaluering})


def appeal(**changes) -> dict:
    """The appeal form (klage.json)."""
    data = dict(klage_mottatt="2026-02-02", klager="Kari Nordmann",
                grunnlag="Jeg trenger hjelp fra flere tjenester enn vedtaket legger til grunn")
    data.update(changes)
    return data


def refused_case(ctx, clock, people):
    """A case whose decision (IP and coordinator refused) was delivered on 14 January 2026."""
    case = CaseDriver.start(ctx, clock, people.officer, application(tjenester=["fysioterapi"]))
    refusal = decision(vedtak_ip="avslag", vedtak_koordinator="avslag")
    del refusal["forste_evaluering"]
    decide(case, people, refusal, leveringsdato="2026-01-14",
           kartlegging=assessment(konklusjon_ip="avsla", konklusjon_koordinator="avsla"))
    assert case.case.status == "closed" and case.case.facts["klagefrist"] == "2026-02-11"
    return case
