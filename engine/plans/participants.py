"""(b) who takes part and (h) their consent.

A participant sees what their current consent covers (`visible_sections`): the whole plan,
named sections, or only the meetings, until the consent expires (on `expires_on` it no
longer holds) or is withdrawn; without one, nothing. Withdrawing takes effect at once;
withdrawing the consent to the plan itself ends the plan. Under the consent age the parents
(or the guardian) consent; from it the young person (pbrl § 4-3). Every change is audited.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from engine.cases import audit
from engine.core.errors import ConflictError, InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import Case, Consent, Person, Plan, PlanParticipant, User
from engine.deadlines import legal
from engine.deadlines.calendar import birthday, optional_date, to_date
from engine.plans import sections

#: The drafting form's `samtykke.gitt_av` values, and the engine's field names as the form
#: names them.
_FORM_GIVERS = {"personen": "personen", "foreldre": "forelder", "verge": "verge"}
_FORM_FIELDS = {"given_by_role": "gitt_av", "given_by_name": "gitt_av_navn",
                "expires_on": "samtykke_utlop"}
#: The giver's name when the form named nobody.
NOT_GIVEN = "Ikke oppgitt"
#: The drafting form's `tilgang` values and the consent scope each stands for.
_FORM_SCOPES = {"hele_planen": ("hele_planen", []), "egne_tiltak": ("deler", ["tiltak"])}


def current(ctx, plan_id: int) -> list[PlanParticipant]:
    return list(ctx.session.scalars(select(PlanParticipant).where(
        PlanParticipant.plan_id == plan_id, PlanParticipant.removed_at.is_(None))
        .order_by(PlanParticipant.id)))


def add(ctx, plan: Plan, actor: str, *, name: str, role: str, person_id: int | None = None,
        username: str | None = None, service: str | None = None, case: Case | None = None
        ) -> PlanParticipant:
    errors: dict[str, Message] = {}
    if not (name or "").strip() or len(name) > 200:
        errors["name"] = Message(N_("Navnet er en tekst på 1 til %(n)d tegn"), n=200)
    if not (role or "").strip() or len(role) > 200:
        errors["role"] = Message(N_("Rollen er en tekst på 1 til %(n)d tegn"), n=200)
    if person_id is not None and ctx.session.get(Person, person_id) is None:
        errors["person_id"] = Message(N_("Fant ikke person %(person)s"), person=person_id)
    if username is not None and ctx.session.scalar(select(User.id).where(
            User.username == username, User.active)) is None:
        errors["username"] = Message(N_("Fant ikke brukeren «%(username)s»"), username=username)
    if service is not None and len(service) > 200:
        errors["service"] = Message(N_("En tekst på høyst %(n)d tegn"), n=200)
    if errors:
        raise InvalidInput(N_("Deltakeren kan ikke legges til"), errors)
    if plan.status == "avsluttet":
        raise ConflictError(N_("Planen er avsluttet"))
    participant = PlanParticipant(plan_id=plan.id, name=name.strip(), role=role.strip(),
                                  person_id=person_id, username=username, service=service,
                                  added_at=ctx.now(), added_by=actor,
                                  added_by_case_id=case.id if case else None)
    ctx.session.add(participant)
    ctx.session.flush()
    audit.record(ctx, case, actor, "plan_participant_added", person_id=plan.person_id,
                 plan=plan.id, participant=participant.id)
    return participant


def remove(ctx, plan: Plan, participant_id: int, actor: str) -> None:
    participant = _participant(ctx, plan, participant_id)
    participant.removed_at, participant.consent_id = ctx.now(), None
    ctx.session.flush()
    audit.record(ctx, None, actor, "plan_participant_removed", person_id=plan.person_id,
                 plan=plan.id, participant=participant_id)


def give_consent(ctx, plan: Plan, actor: str, *, participant_id: int | None, scope: str,
                 given_by_name: str, given_by_role: str, given_on: date,
                 expires_on: date | None = None, sections_: list[str] | None = None,
                 given_by_person_id: int | None = None) -> Consent:
    """Record a consent: to the plan itself (`participant_id` None, scope `planen`) or to
    a participant's access. The participant's access is what this consent covers."""
    errors: dict[str, Message] = {}
    wanted = sections.PLAN_ITSELF if participant_id is None else scope
    if scope != wanted or (participant_id is not None
                           and scope not in sections.CONSENT_SCOPES):
        errors["scope"] = Message(N_("Velg hva samtykket gjelder"))
    chosen = list(dict.fromkeys(sections_ or []))
    if scope == "deler" and (not chosen or any(s not in sections.SECTIONS for s in chosen)):
        errors["sections"] = Message(N_("Velg hvilke deler av planen samtykket gjelder"))
    if given_by_role not in sections.CONSENT_GIVERS:
        errors["given_by_role"] = Message(N_("Velg hvem som gir samtykket"))
    elif (reason := _who_consents(ctx, plan, given_by_role, given_on)) is not None:
        errors["given_by_role"] = reason
    if not (given_by_name or "").strip() or len(given_by_name) > 200:
        errors["given_by_name"] = Message(N_("Oppgi hvem som ga samtykket"))
    if expires_on is not None and expires_on <= given_on:
        errors["expires_on"] = Message(N_("Utløpsdatoen må være etter datoen samtykket ble "
                                          "gitt"))
    if errors:
        raise InvalidInput(N_("Samtykket kan ikke registreres"), errors)
    participant = _participant(ctx, plan, participant_id) if participant_id else None
    consent = Consent(plan_id=plan.id, participant_id=participant_id, scope=scope,
                      sections=chosen if scope == "deler" else [],
                      given_by_person_id=given_by_person_id, given_by_name=given_by_name.strip(),
                      given_by_role=given_by_role, given_on=given_on, expires_on=expires_on,
                      renewal_due=False, recorded_by=actor, recorded_at=ctx.now())
    ctx.session.add(consent)
    ctx.session.flush()
    if participant is not None:
        participant.consent_id = consent.id
    audit.record(ctx, None, actor, "consent_given", person_id=plan.person_id, plan=plan.id,
                 consent=consent.id, participant=participant_id, scope=scope,
                 given_by_role=given_by_role)
    return consent


def withdraw(ctx, plan: Plan, consent_id: int, actor: str) -> Consent:
    """The consent no longer holds, from now. The participant loses access at once; the
    consent to the plan itself withdrawn ends the plan."""
    consent = ctx.session.get(Consent, consent_id)
    if consent is None or consent.plan_id != plan.id:
        raise NotFound(N_("Fant ikke samtykke %(consent)s"), consent=consent_id)
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at, consent.withdrawn_by = ctx.now(), actor
    for participant in ctx.session.scalars(select(PlanParticipant).where(
            PlanParticipant.consent_id == consent.id)):
        participant.consent_id = None
    ctx.session.flush()
    audit.record(ctx, None, actor, "consent_withdrawn", person_id=plan.person_id,
                 plan=plan.id, consent=consent.id, participant=consent.participant_id)
    if consent.participant_id is None:
        from engine.plans import lifecycle  # lifecycle does not import this module back
        lifecycle.end(ctx, plan, actor, "samtykke_trukket")
    return consent


def holds(consent: Consent | None, today: date) -> bool:
    """Whether a consent holds today: not withdrawn, and not at or past its expiry day."""
    return (consent is not None and consent.withdrawn_at is None
            and (consent.expires_on is None or today < consent.expires_on))


def visible_sections(ctx, plan: Plan, username: str) -> set[str] | None:
    """What of the plan a participant who is a Samflyt user may see today: section keys
    (and `moter` for the meetings), or None when they may see nothing."""
    if plan.status == "avsluttet":
        return None
    rows = ctx.session.execute(select(Consent).join(
        PlanParticipant, PlanParticipant.consent_id == Consent.id).where(
        PlanParticipant.plan_id == plan.id, PlanParticipant.username == username,
        PlanParticipant.removed_at.is_(None))).scalars().all()
    seen: set[str] = set()
    for consent in rows:
        if not holds(consent, ctx.today()):
            continue
        if consent.scope == "hele_planen":
            seen |= set(sections.SECTIONS) | {sections.MEETINGS}
        elif consent.scope == "deler":
            seen |= set(consent.sections)
        elif consent.scope == sections.MEETINGS:
            seen.add(sections.MEETINGS)
    return seen or None


def plan_consent(ctx, plan_id: int) -> Consent | None:
    """The newest consent to the plan itself that is not withdrawn."""
    return ctx.session.scalar(select(Consent).where(
        Consent.plan_id == plan_id, Consent.participant_id.is_(None),
        Consent.withdrawn_at.is_(None)).order_by(Consent.id.desc()).limit(1))


def consents(ctx, plan_id: int) -> list[Consent]:
    return list(ctx.session.scalars(select(Consent).where(Consent.plan_id == plan_id)
                                    .order_by(Consent.id)))


def mark_for_renewal(ctx, plan: Plan, actor: str) -> int:
    """The young person turned the consent age: the consents the parents or guardian gave
    that still hold are marked for renewal by the young person. Returns how many."""
    marked = 0
    for consent in ctx.session.scalars(select(Consent).where(
            Consent.plan_id == plan.id, Consent.withdrawn_at.is_(None),
            Consent.given_by_role != "personen", Consent.renewal_due.is_(False))):
        consent.renewal_due = True
        marked += 1
    ctx.session.flush()
    audit.record(ctx, None, actor, "consents_marked_for_renewal", person_id=plan.person_id,
                 plan=plan.id, count=marked)
    return marked


# --- the drafting form ------------------------------------------------------------------------

def form_rows(ctx, plan: Plan) -> list[dict[str, Any]]:
    rows = []
    today = ctx.today()
    for participant in current(ctx, plan.id):
        consent = ctx.session.get(Consent, participant.consent_id) \
            if participant.consent_id else None
        access = "ingen"
        if holds(consent, today) and consent is not None:
            access = "hele_planen" if consent.scope == "hele_planen" else "egne_tiltak"
        rows.append({"navn": participant.name, "rolle": participant.role, "tilgang": access,
                     "samtykke_tilgang": access != "ingen"})
    return rows


def sync_from_form(ctx, plan: Plan, rows: list[dict], actor: str, case: Case | None) -> None:
    """The participants as the form lists them: new names added, missing ones removed, and
    each one's consent as the form says (given by whoever consented to the plan)."""
    present = {(p.name, p.role): p for p in current(ctx, plan.id)}
    wanted = {(row["navn"].strip(), row["rolle"].strip()): row for row in rows}
    for key, participant in present.items():
        if key not in wanted and participant.username is None:
            remove(ctx, plan, participant.id, actor)
    giver = plan_consent(ctx, plan.id)
    for key, row in wanted.items():
        participant = present.get(key) or add(ctx, plan, actor, name=key[0], role=key[1],
                                              case=case)
        scope = _FORM_SCOPES.get(row.get("tilgang", "ingen")) \
            if row.get("samtykke_tilgang") else None
        consent = ctx.session.get(Consent, participant.consent_id) \
            if participant.consent_id else None
        if scope is None and consent is not None:
            withdraw(ctx, plan, consent.id, actor)
        elif scope is not None and (consent is None or (consent.scope, consent.sections)
                                    != (scope[0], scope[1])):
            give_consent(ctx, plan, actor, participant_id=participant.id, scope=scope[0],
                         sections_=scope[1], given_on=ctx.today(),
                         given_by_name=giver.given_by_name if giver else NOT_GIVEN,
                         given_by_role=giver.given_by_role if giver else _default_giver(
                             ctx, plan),
                         given_by_person_id=giver.given_by_person_id if giver else None)


def plan_consent_from_form(ctx, plan: Plan, values: dict, actor: str) -> None:
    if not values.get("samtykke_til_plan"):
        return
    given_on = optional_date(values.get("samtykke_dato")) or ctx.today()
    existing = plan_consent(ctx, plan.id)
    role = _FORM_GIVERS.get(values.get("gitt_av", ""), _default_giver(ctx, plan))
    name = (values.get("gitt_av_navn") or "").strip() \
        or str(sections.CONSENT_GIVERS[role])
    expires = optional_date(values.get("samtykke_utlop"))
    if existing is not None and (existing.given_by_name, existing.given_by_role,
                                 existing.given_on, existing.expires_on) \
            == (name, role, given_on, expires):
        return
    try:
        give_consent(ctx, plan, actor, participant_id=None, scope=sections.PLAN_ITSELF,
                     given_by_name=name, given_by_role=role, given_on=given_on,
                     expires_on=expires)
    except InvalidInput as error:  # the fields as the drafting form names them
        raise InvalidInput(error.message, {f"samtykke.{_FORM_FIELDS.get(k, k)}": v
                                           for k, v in error.errors.items()}) from None
    if existing is not None:  # the new consent replaces the old one
        existing.withdrawn_at, existing.withdrawn_by = ctx.now(), actor


def _default_giver(ctx, plan: Plan) -> str:
    person = ctx.session.get(Person, plan.person_id)
    return "personen" if _of_consent_age(person, ctx.today()) else "forelder"


def _who_consents(ctx, plan: Plan, role: str, on: date) -> Message | None:
    person = ctx.session.get(Person, plan.person_id)
    adult = _of_consent_age(person, on)
    if role == "personen" and not adult:
        return Message(N_("Under %(age)d år samtykker foreldrene eller vergen"),
                       age=legal.consent_age())
    if role != "personen" and adult:
        return Message(N_("Fra %(age)d år samtykker personen selv"), age=legal.consent_age())
    return None


def _of_consent_age(person: Person | None, on: date) -> bool:
    if person is None or person.birth_date is None:
        return False
    return to_date(birthday(person.birth_date, legal.consent_age())) <= on


def _participant(ctx, plan: Plan, participant_id: int) -> PlanParticipant:
    participant = ctx.session.get(PlanParticipant, participant_id)
    if participant is None or participant.plan_id != plan.id:
        raise NotFound(N_("Fant ikke deltaker %(participant)s"), participant=participant_id)
    return participant
