"""The rules the engine applies to plans by the calendar, once a day (engine/scheduling):

- **consent age** (pbrl § 4-3): on the legal date of the rule `samtykke_ved_16`
  (engine/deadlines/legal.py: the 16th birthday, moved to the next working day when it falls
  on a weekend or a public holiday), when consents given by the parents or the guardian still
  hold, those are marked for renewal and the coordinator gets
  the task "Innhente samtykke fra den unge" (process `samtykke_ved_16`) on the plan's case.
  The rule reads the person's birth date, so a birth recorded later (an expected child) moves
  it with no more ado;
- **consent expiry**: the coordinator is warned `SAMFLYT_CONSENT_WARNING_DAYS` ahead, and
  told on the day it ends (the access it gave ends by itself that day: engine/plans/
  participants.py `holds`).

Each rule finds only what is due and not yet done, so running it twice does nothing twice
(the notices' source keys, the consents' renewal mark).
"""
from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import exists, select

from engine.accounts.roles import COORDINATING_UNIT
from engine.cases import audit, casework
from engine.cases.action_items import carrier_case
from engine.db import fastpath
from engine.db.models import Case, Consent, Notice, Person, Plan
from engine.deadlines import legal
from engine.deadlines.calendar import years_before
from engine.notices import notice_board
from engine.plans import coordinators, participants, sections

log = logging.getLogger(__name__)

CONSENT_AGE_PROCESS = "samtykke_ved_16"
#: The legal rule whose date the consent-age task falls on (engine/deadlines/legal_rules.toml).
CONSENT_AGE_RULE = legal.CONSENT_AGE_RULE


def apply_due(ctx) -> list[str]:
    """Apply the rules due today; one line per thing done ("case_number: what")."""
    return _consent_age(ctx) + _consent_expiry(ctx)


def _consent_age(ctx) -> list[str]:
    today = ctx.today()
    # who has turned 16 (the legal date is that birthday or the next working day after it)
    cutoff = years_before(today, legal.consent_age())
    parents_consent = exists().where(Consent.plan_id == Plan.id,
                                     Consent.withdrawn_at.is_(None),
                                     Consent.renewal_due.is_(False),
                                     Consent.given_by_role != "personen")
    due = ctx.session.execute(select(Plan, Person.birth_date)
                              .join(Person, Person.id == Plan.person_id)
                              .where(Plan.status.in_(sections.OPEN_STATUSES),
                                     Person.birth_date <= cutoff, parents_consent)
                              .order_by(Plan.id)).tuples().all()
    done = []
    for plan, born in due:
        if legal.legal_date(born, CONSENT_AGE_RULE) > today.isoformat():
            continue  # the 16th birthday fell on a holiday: the rule falls on the next working day
        participants.mark_for_renewal(ctx, plan, "system")
        case = carrier_case(ctx, plan)
        if case is None:
            continue
        casework.start_process(ctx, case.id, CONSENT_AGE_PROCESS, {}, "system")
        done.append(f"{case.case_number}: {CONSENT_AGE_PROCESS}")
    return done


def _consent_expiry(ctx) -> list[str]:
    today = ctx.today()
    warn_until = today + timedelta(days=ctx.settings.consent_warning_days)
    done = []
    for consent, plan in ctx.session.execute(
            select(Consent, Plan).join(Plan, Plan.id == Consent.plan_id)
            .where(Consent.expires_on.is_not(None), Consent.expires_on <= warn_until,
                   Consent.expires_on >= today - timedelta(days=1),
                   Consent.withdrawn_at.is_(None),
                   Plan.status.in_(sections.OPEN_STATUSES))).tuples():
        assert consent.expires_on is not None  # noqa: S101 - the query says so
        ended = consent.expires_on <= today
        kind = notice_board.CONSENT_EXPIRED if ended else notice_board.CONSENT_EXPIRING
        key = f"{kind}:{consent.id}"
        if ctx.session.scalar(select(Notice.id).where(Notice.source_key == key)) is not None:
            continue
        case = carrier_case(ctx, plan)
        if case is None:
            continue
        _notice(ctx, case, plan, kind, key, consent.expires_on)
        done.append(f"{case.case_number}: {kind}")
    return done


def _notice(ctx, case: Case, plan: Plan, kind: str, key: str, due: date) -> None:
    now = ctx.now()
    fastpath.insert(ctx, Notice(
        case_id=case.id, source_key=key, kind=kind, severity="warning",
        role=COORDINATING_UNIT, username=coordinators.current(ctx, plan.id),
        case_number=case.case_number, status=notice_board.RAISED, created_at=now,
        raised_at=now, due_at=now))
    audit.record(ctx, case, "system", "notice_raised", kind=kind, due=due.isoformat())
