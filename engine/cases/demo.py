"""Demo data for `samflyt demo`: a user for each role and cases in different states, each
about a person registered with a synthetic national number (the demo needs
SAMFLYT_ALLOW_SYNTHETIC_IDS on; `make run` sets it); the persons of engine/cases/demo_persons.py
add relations, protected addresses, plans with meetings and a 16th birthday coming up.

The cases are driven through the same operations the web UI uses. Some are registered
"in the past" (a context whose clock stands earlier), so that deadlines are already near
or passed when the product starts, and the first sweep raises their notices.
"""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from sqlalchemy import select

from engine.accounts import users
from engine.cases import casework, demo_persons, intake
from engine.cases.casework import MAIN_PROCESS
from engine.core.clock import FakeClock
from engine.db.models import User
from engine.deadlines import legal
from engine.organisation import units as organisation
from engine.persons import identity
from engine.worklist import humantasks

DEMO_PASSWORD = "demo"  # noqa: S105 - the demo users' published password
#: The demo's units besides the default one (forvaltningskontoret, made by the migration).
DEMO_UNITS = [
    ("koordinerende-enhet", "Koordinerende enhet", "koordineringsenhet"),
    ("hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste"),
    ("nav-sentrum", "NAV Sentrum", "nav"),
]
#: (username, roles, display name, coordinator training, units: None is the default unit)
DEMO_USERS = [
    ("saksbehandler1", ["saksbehandler"], "Siri Saksbehandler", False, None),
    ("saksbehandler2", ["saksbehandler"], "Sander Saksbehandler", False, None),
    ("leder1", ["leder"], "Lise Leder", False, None),
    ("koordinerende1", ["koordinerende_enhet"], "Kim Koordinerende enhet", False,
     ["koordinerende-enhet"]),
    ("koordinator1", ["koordinator"], "Kari Koordinator", True, ["hjemmetjenesten"]),
    ("koordinator2", ["koordinator"], "Kåre Koordinator", True, ["hjemmetjenesten"]),
    ("leder2", ["leder"], "Hanne Hjemmetjenesteleder", False, ["hjemmetjenesten"]),
    ("nav1", ["saksbehandler"], "Nora NAV-veileder", False, ["nav-sentrum"]),
    ("admin1", ["admin"], "Ada Admin", False, None),
]


def _application(navn, fodselsdato, mottatt, **changes) -> dict:
    data = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=True,
                onsker_barnekoordinator=False, navn=navn, fodselsdato=fodselsdato,
                mottatt_dato=mottatt,
                tjenester=["hjemmesykepleie", "fysioterapi", "nav_oppfolging"],
                forventet_varighet_maneder=36, nav_basert=False)
    data.update(changes)
    return data


def _assessment(**changes) -> dict:
    data = dict(kartlegging_dato=None, funn="Behov for flere tjenester som må samordnes",
                konklusjon_ip="innvilge", konklusjon_koordinator="innvilge",
                konklusjon_barnekoordinator=None, vurdering="Vilkårene i pbrl § 2-5 er oppfylt")
    data.update(changes)
    return data


def _decision(today: str, review: str, **changes) -> dict:
    data = dict(vedtak_ip="innvilget", vedtak_koordinator="innvilget", vedtak_barnekoordinator=None,
                hjemmel="pbrl_2_5", begrunnelse="Langvarige og koordinerte tjenester",
                ansvarlig_tjenesteomrade="Hjemmetjenesten", oppstartsdato=today,
                forste_evaluering=review)
    data.update(changes)
    return data


def _plan(review: str, start: str, end: str) -> dict:
    return dict(
        hovedmal="Bo trygt hjemme",
        delmal=[{"beskrivelse": "Handle selv i nærbutikken", "frist": end}],
        ressurser_og_behov="Motivert; trenger hjelp morgen og kveld",
        deltakere=[{"navn": "Personen selv", "rolle": "Personen selv", "tilgang": "hele_planen",
                    "samtykke_tilgang": True}],
        koordineringsansvar="Koordinator",
        bidrag={"personen": "Egentrening", "tjenestene": "Stell og trening",
                "parorende": "Handling"},
        tiltak=[{"hva": "Hjemmesykepleie", "omfang": "2 besøk daglig",
                 "ansvarlig": "Hjemmetjenesten",
                 "gjennomforing": "Morgen og kveld"}],
        planperiode_fra=start, planperiode_til=end, neste_evaluering=review,
        samtykke={"samtykke_til_plan": True, "gitt_av": "personen", "samtykke_dato": start},
        samarbeid_andre_etater="NAV deltar i ansvarsgruppen")


class _Driver:
    def __init__(self, ctx, people: dict[str, User]):
        self.ctx, self.people = ctx, people

    def today(self, days: int = 0) -> str:
        return (self.ctx.now() + timedelta(days=days)).date().isoformat()

    def complete(self, case, name, username, data):
        [task] = [t for t in humantasks.open_tasks(self.ctx, case.id) if t.name == name]
        humantasks.complete(self.ctx, task.id, self.people[username], data)

    def decide(self, case, decision, **assessment):
        self.complete(case, "Kartlegging og vurdering", "saksbehandler1",
                      _assessment(kartlegging_dato=self.today(), **assessment))
        self.complete(case, "Utforme vedtak", "saksbehandler1", decision)
        self.complete(case, "Signere vedtak", "leder1", {"vedtak_godkjent": True})
        self.complete(case, "Sende vedtaksbrev", "saksbehandler1",
                      {"kanal": "digital_postkasse", "leveringsdato": self.today()})

    def appoint(self, case, coordinator="koordinator1"):
        self.complete(case, "Oppnevne koordinator", "koordinerende1",
                      {"koordinator": coordinator, "tjenesteomrade": "Hjemmetjenesten"})
        self.complete(case, "Bekrefte oppdraget", coordinator, {"oppdrag_bekreftet": True})


def load(ctx) -> list[str]:
    """Create the demo users and cases; returns lines to print. Does nothing twice."""
    if ctx.session.scalar(select(User.id).where(User.username == DEMO_USERS[0][0])):
        return ["demo data already loaded"]
    from engine.accounts.credentials import hash_password
    password_hash = hash_password(DEMO_PASSWORD)
    for key, name, kind in DEMO_UNITS:
        organisation.add_unit(ctx, key, name, kind)
    people = {name: users.add_user(ctx, name, roles, display_name=display,
                                   trained_coordinator=trained, password_hash=password_hash,
                                   units=units)
              for name, roles, display, trained, units in DEMO_USERS}
    now = ctx.now()
    lines = []

    def at(days_ago: int) -> _Driver:
        clock = FakeClock(now - timedelta(days=days_ago))
        return _Driver(dataclasses.replace(ctx, clock=clock), people)

    serials = iter(range(100, 1000))

    def start(driver: _Driver, data: dict, note: str):
        born = date.fromisoformat(data["fodselsdato"])
        number = identity.synthetic(born, next(serials))
        case = intake.register_application(
            driver.ctx, data, people["saksbehandler1"], MAIN_PROCESS,
            (MAIN_PROCESS,), person=intake.PersonChoice(national_id=number)).case
        lines.append(f"case {case.case_number}: {note}")
        return case

    d = at(2)
    start(d, _application("Kari Nordmann", "1970-03-01", d.today()),
          "registered, waiting for the assessment (saksbehandler)")
    ago = _interim_reply_warned(ctx)
    d = at(ago)
    start(d, _application("Ola Hansen", "1958-11-20", d.today()),
          f"registered {ago} days ago: interim-reply warning due (saksbehandler)")
    d = at(6)
    case = start(d, _application("Aisha Khan", "1985-06-12", d.today()),
                 "assessed; the decision waits for the leader's signature (leder)")
    d.complete(case, "Kartlegging og vurdering", "saksbehandler1",
               _assessment(kartlegging_dato=d.today()))
    d.complete(case, "Utforme vedtak", "saksbehandler1", _decision(d.today(), d.today(180)))
    d = at(10)
    case = start(d, _application("Per Olsen", "1979-01-30", d.today()),
                 "granted; the coordinating unit appoints a coordinator (koordinerende_enhet)")
    d.decide(case, _decision(d.today(), d.today(180)))
    d = at(14)
    case = start(d, _application("Emma Berg", "1990-09-09", d.today()),
                 "coordinator appointed; koordinator1 drafts the plan")
    d.decide(case, _decision(d.today(), d.today(180)))
    d.appoint(case)
    d = at(40)
    case = start(d, _application("Nils Dahl", "1949-04-04", d.today()),
                 "plan approved; first review in 50 days (koordinator1)")
    d.decide(case, _decision(d.today(), d.today(90)))
    d.appoint(case)
    d.complete(case, "Utarbeide plan", "koordinator1", _plan(d.today(90), d.today(), d.today(365)))
    d.complete(case, "Godkjenne plan", "koordinator1", {"godkjent": True,
                                                        "neste_evaluering": d.today(90)})
    d = at(20)
    case = start(d,
                 _application("Liv Johansen", "1966-12-24", d.today(), tjenester=["fysioterapi"]),
                 "refused (one service); appeal registered, waiting for assessment")
    refusal = _decision(d.today(), d.today(), vedtak_ip="avslag", vedtak_koordinator="avslag",
                        begrunnelse="Bare én tjeneste; behovet er ikke koordinert")
    del refusal["forste_evaluering"]
    d.decide(case, refusal, konklusjon_ip="avsla", konklusjon_koordinator="avsla")
    received = (now - timedelta(days=3)).date().isoformat()
    casework.register_appeal(ctx, case.id, {"klage_mottatt": received,
                                            "klager": "Liv Johansen",
                                            "grunnlag": "Jeg trenger mer enn fysioterapi"},
                          people["saksbehandler1"])
    lines += demo_persons.load(ctx, at, start, people, _application, _decision, _plan)
    return lines


def _interim_reply_warned(ctx) -> int:
    """How many days ago an application received and registered then is past its interim-reply
    warning but not its deadline today (the deadline moves off holidays, so no fixed number
    of days does it every day of the year)."""
    today = ctx.today().isoformat()
    for days_ago in range(21, 36):
        received = (ctx.today() - timedelta(days=days_ago)).isoformat()
        if legal.warning_date(received, "forelopig_svar", ctx.settings) <= today \
                < legal.legal_date(received, "forelopig_svar"):
            return days_ago
    return 24
