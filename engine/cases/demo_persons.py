"""The demo's persons with more to them than a name: a child with parents and a plan whose
16th birthday is near, a pårørende without fullmakt, a person with strengt fortrolig address
and a plan, an expected child. Each is registered and driven through the engine's own
operations (registry, intake, humantasks, action_items), as an officer would."""
from __future__ import annotations

from datetime import date, timedelta

from engine.cases import action_items, intake
from engine.cases.casework import MAIN_PROCESS
from engine.deadlines.calendar import years_before
from engine.persons import identity, registry
from engine.persons.registry import PersonDetails
from engine.plans import lifecycle, meetings, participants

#: The demo's strengt fortrolig address: it must appear on no page a coordinator or a plan
#: participant opens (tests/browser look for it).
PROTECTED_ADDRESS = "Skjermet gate 6"


def load(ctx, at, start, people, application, decision, plan) -> list[str]:
    lines = []
    today = ctx.today()
    officer = people["saksbehandler1"]

    # a child who turns 16 in three weeks, with both parents, and an approved plan
    born = years_before(today, 16) + timedelta(days=21)
    mother = registry.register(ctx, PersonDetails(
        name="Hanne Lie", national_id=identity.synthetic(date(1982, 5, 14), 201),
        address="Fjordveien 12", postal_code="5003", postal_place="Bergen"), "demo")
    father = registry.register(ctx, PersonDetails(
        name="Jon Lie", national_id=identity.synthetic(date(1980, 8, 3), 202),
        address="Fjordveien 12", postal_code="5003", postal_place="Bergen"), "demo")
    child = registry.register(ctx, PersonDetails(
        name="Sofie Lie", national_id=identity.synthetic(born, 700),
        address="Fjordveien 12", postal_code="5003", postal_place="Bergen"), "demo")
    for parent in (mother, father):
        registry.add_relation(ctx, child.id, parent.id, "forelder", "demo",
                              parental_responsibility=True)
    d = at(60)
    case = intake.register_application(
        d.ctx, application("Sofie Lie", born.isoformat(), d.today(), soker_rolle="forelder",
                           soker_navn="Hanne Lie",
                           tjenester=["habilitering_rehabilitering", "skole", "ppt"]),
        officer, MAIN_PROCESS, (MAIN_PROCESS,),
        person=intake.PersonChoice(person_id=child.id, applicant_person_id=mother.id)).case
    d.decide(case, decision(d.today(), d.today(120)))
    d.appoint(case)
    child_plan = plan(d.today(120), d.today(), d.today(365))
    child_plan.update(
        hovedmal="Mestre skolehverdagen og trene mot mer selvstendighet",
        deltakere=[{"navn": "Hanne Lie", "rolle": "Mor", "tilgang": "hele_planen",
                    "samtykke_tilgang": True},
                   {"navn": "Jon Lie", "rolle": "Far", "tilgang": "hele_planen",
                    "samtykke_tilgang": True},
                   {"navn": "Kontaktlærer, Bergen skole", "rolle": "Skolen",
                    "tilgang": "egne_tiltak", "samtykke_tilgang": True}],
        samtykke={"samtykke_til_plan": True, "gitt_av": "foreldre",
                  "gitt_av_navn": "Hanne Lie og Jon Lie",
                  "samtykke_dato": d.today()},
        tiltak=[{"hva": "Fysioterapi", "omfang": "1 time i uken",
                 "ansvarlig": "Habiliteringstjenesten", "gjennomforing": "På skolen, tirsdager"},
                {"hva": "Tilrettelagt undervisning", "omfang": "Daglig", "ansvarlig": "Skolen",
                 "gjennomforing": "Etter PPTs tilråding"}])
    d.complete(case, "Utarbeide plan", "koordinator1", child_plan)
    d.complete(case, "Godkjenne plan", "koordinator1", {"godkjent": True,
                                                        "neste_evaluering": d.today(120)})
    m = at(20)
    assert case.plan_id is not None  # noqa: S101 - the approval above opened it
    action_items.record_meeting(
        m.ctx, case.plan_id, people["koordinator1"], date.fromisoformat(m.today()),
        ["Sofie Lie", "Hanne Lie", "Kari Koordinator", "Kontaktlærer"],
        "Gjennomgang av tiltakene på skolen. Fysioterapien fungerer godt.",
        [meetings.ActionItem("Søke om avlastning", "Siri Saksbehandler", "saksbehandler1",
                             date.fromisoformat(m.today(14))),
         meetings.ActionItem("Avtale møte med PPT", "Hanne Lie", None,
                             date.fromisoformat(m.today(30)))])
    lines.append(f"case {case.case_number}: Sofie Lie, 16 on {born:%d.%m}"
                 "; plan with parents' consent and a meeting (koordinator1)")

    # a pårørende without fullmakt applies
    d = at(3)
    applicant = registry.register(ctx, PersonDetails(
        name="Ingrid Hansen", national_id=identity.synthetic(date(1961, 2, 2), 203)), "demo")
    elder = registry.register(ctx, PersonDetails(
        name="Arne Hansen", national_id=identity.synthetic(date(1939, 10, 1), 204)), "demo")
    registry.add_relation(ctx, elder.id, applicant.id, "parorende", "demo")
    case = intake.register_application(
        d.ctx, application("Arne Hansen", "1939-10-01", d.today(), soker_rolle="parorende",
                           soker_navn="Ingrid Hansen", fullmakt=False),
        officer, MAIN_PROCESS, (MAIN_PROCESS,),
        person=intake.PersonChoice(person_id=elder.id, applicant_person_id=applicant.id)).case
    lines.append(f"case {case.case_number}: applied by a pårørende without fullmakt")

    # strengt fortrolig address, with an approved plan coordinated by koordinator1
    d = at(30)
    hidden = registry.register(ctx, PersonDetails(
        name="Nora Vik", national_id=identity.synthetic(date(1992, 7, 7), 205),
        address=PROTECTED_ADDRESS, postal_code="0001", postal_place="Oslo",
        protection="strengt_fortrolig"), "demo")
    case = intake.register_application(
        d.ctx, application("Nora Vik", "1992-07-07", d.today()), officer, MAIN_PROCESS,
        (MAIN_PROCESS,), person=intake.PersonChoice(person_id=hidden.id)).case
    d.decide(case, decision(d.today(), d.today(100)))
    d.appoint(case)
    d.complete(case, "Utarbeide plan", "koordinator1", plan(d.today(100), d.today(),
                                                            d.today(365)))
    d.complete(case, "Godkjenne plan", "koordinator1", {"godkjent": True,
                                                        "neste_evaluering": d.today(100)})
    assert case.plan_id is not None  # noqa: S101 - the approval above opened it
    nora_plan = lifecycle.get(ctx, case.plan_id)
    teacher = participants.add(ctx, nora_plan, "koordinator1", name="Kåre Koordinator",
                               role="Fastlegekontoret", username="koordinator2")
    participants.give_consent(ctx, nora_plan, "koordinator1", participant_id=teacher.id,
                              scope="deler", sections_=["tiltak"], given_by_name="Nora Vik",
                              given_by_role="personen", given_on=today)
    lines.append(f"case {case.case_number}: Nora Vik, strengt fortrolig address; plan with "
                 "koordinator2 as a participant who sees the measures only")

    # an expected child: barnekoordinator asked before birth
    d = at(5)
    due = today + timedelta(days=60)
    case = intake.register_application(
        d.ctx, application("Barn av Maria Solberg", due.isoformat(), d.today(),
                           onsker_ip=False, onsker_koordinator=False,
                           onsker_barnekoordinator=True, barn_forventet=True,
                           soker_rolle="forelder", soker_navn="Maria Solberg",
                           tjenester=["spesialisthelsetjeneste", "helsestasjon"]),
        officer, MAIN_PROCESS, (MAIN_PROCESS,)).case
    lines.append(f"case {case.case_number}: an expected child (barnekoordinator), due "
                 f"{due:%d.%m.%Y}")
    return lines
