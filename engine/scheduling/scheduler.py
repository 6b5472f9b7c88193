"""The background work, as units of work that open and commit their own transactions, like a
request handler.

Both set-ups run exactly this: the embedded default from a thread in `samflyt serve`
(webui/background.py), the scaled one from Celery tasks (tasks/jobs.py) that beat schedules.
- `sweep`: fire the due timers (engine.sweep), raise the due pending notices
  (engine.deadlines), resolve notices whose task was claimed or finished meanwhile, and hand
  the open tasks of officers absent today to their stand-ins (engine.administration.absences).
- `dispatch`: plan the e-mails of newly raised notices and send the immediate ones.
- `digests`: send each user's daily digest.
- `send_letter`, `letters`: send a digital letter's copy to SvarUt, and (letters) send the
  queued copies and ask SvarUt about the sent ones, each copy in its own transaction.
- `audit_partitions`: the audit trail's month partitions made ahead (daily; PostgreSQL).

`now` is business time: the clock of the run's contexts stands still at it (default: the
environment's clock when the run starts). The sweep's items go SAMFLYT_SWEEP_CHUNK to a
transaction (a chunk with a lost race is done again an item at a time); several sweepers may
run at once (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time) and a
sweeper killed half-way loses nothing: what it had not committed is done by the next.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError

from engine.administration import absences
from engine.audit import partitions
from engine.cases import plan_rules
from engine.core.context import EngineContext
from engine.deadlines import task_deadlines
from engine.letters import documents, outbox
from engine.notices import mailing
from engine.scheduling import chunks
from engine.scheduling.sweep import fire_instances, sweep_once
from engine.scheduling.sweep import sweep as sweep_timers

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Report:
    fired: list[str] = dataclasses.field(default_factory=list)     # "case_number: timer name"
    notices: list[str] = dataclasses.field(default_factory=list)   # "case_number: kind -> who"
    resolved: int = 0      # notices whose task was claimed or finished meanwhile
    handed_over: int = 0   # tasks of absent officers handed to their stand-ins
    skipped: int = 0       # items another worker had
    sent: int = 0          # e-mails sent (a digest counts once)
    failed: int = 0        # e-mails the mail server refused (tried again later)
    stuck: list[str] = dataclasses.field(default_factory=list)  # "case_number: element" whose
    # timer step failed on the case's data: stopped, the coordinating unit told

    def lines(self) -> list[str]:
        return ([f"fired {f}" for f in self.fired] + [f"notice {n}" for n in self.notices]
                + ([f"resolved {self.resolved} notice(s)"] if self.resolved else [])
                + ([f"handed over {self.handed_over} task(s) of absent officers"]
                   if self.handed_over else [])
                + ([f"sent {self.sent} e-mail(s)"] if self.sent else [])
                + ([f"failed {self.failed} e-mail(s)"] if self.failed else [])
                + [f"stuck {s} (the diagram must be fixed)" for s in self.stuck]
                + ([f"skipped {self.skipped} (another worker had them)"] if self.skipped else []))

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def contexts(env, now: datetime | None) -> tuple[datetime, Callable]:
    """The run's business time and a context factory whose clock stands still at it."""
    now = (now or env.clock()).astimezone(UTC)  # SQLite keeps no offset: UTC only

    def make_ctx(session) -> EngineContext:
        return EngineContext(session=session, clock=lambda: now, settings=env.settings,
                             specs=env.specs, workflows=env.workflows)
    return now, make_ctx


def _unit(env, make_ctx, work):
    """Run `work(ctx)` in its own transaction; (True, result), or (False, None) on a lost race."""
    return chunks.attempt(env.session_factory, make_ctx, work)


def _read(env, make_ctx, query):
    with env.session_factory() as session:
        return query(make_ctx(session))


# --- the sweep ------------------------------------------------------------------------------------

def sweep(env, now: datetime | None = None) -> Report:
    started = time.perf_counter()
    now, make_ctx = contexts(env, now)
    timers = sweep_timers(env.session_factory, make_ctx, now)
    report = Report(fired=timers.fired, notices=timers.notices, skipped=timers.skipped,
                    stuck=timers.stuck)
    items = _read(env, make_ctx, lambda ctx: task_deadlines.due_items(ctx, now))
    # a chunk of items in one transaction; if anything goes wrong there, one at a time (a
    # lost race then costs only its own item, and anything else is raised from its item)
    chunks.run(env.session_factory, make_ctx, items, env.settings.sweep_chunk,
               together=lambda ctx, chunk: [_describe(notice) for notice in
                                            task_deadlines.raise_items(ctx, chunk, now)],
               keep=lambda raised: report.notices.extend(notice for notice in raised if notice),
               alone=lambda item: _raise(env, make_ctx, item[1], now, report, item[0]))
    _ok, resolved = _unit(env, make_ctx, task_deadlines.resolve_stale)
    report.resolved += resolved or 0
    ok, handed_over = _unit(env, make_ctx, absences.hand_over_due)
    report.handed_over += handed_over or 0
    report.skipped += 0 if ok else 1
    _plan_rules(env, make_ctx, report)
    busy = report.fired or report.notices or report.resolved or report.stuck or report.skipped
    log.log(logging.INFO if busy else logging.DEBUG,
            "sweep done fired=%d notices=%d resolved=%d stuck=%d skipped=%d duration_ms=%.0f",
            len(report.fired), len(report.notices), report.resolved, len(report.stuck),
            report.skipped, (time.perf_counter() - started) * 1000)
    return report


def _plan_rules(env, make_ctx, report: Report) -> None:
    """The plans' calendar rules, once a day per process (they are idempotent: a second
    process that runs them the same day finds nothing due)."""
    day = make_ctx(None).today()
    if env.plan_rules_day == day:
        return
    ok, done = _unit(env, make_ctx, plan_rules.apply_due)
    if ok:
        env.plan_rules_day = day
        report.notices.extend(done or [])
    else:
        report.skipped += 1


def _raise(env, make_ctx, item_id: int, now: datetime, report: Report,
           kind: str = "notice") -> None:
    ok, notice = _unit(env, make_ctx, lambda ctx: _describe(
        task_deadlines.raise_item(ctx, kind, item_id, now)))
    if not ok:
        report.skipped += 1
    elif notice:
        report.notices.append(notice)


def _describe(notice) -> str | None:
    return task_deadlines.describe(notice) if notice is not None else None


def fire_instance(env, instance_id: int, now: datetime | None = None) -> Report:
    """Fire the due timers of one process instance (the `samflyt.fire_timers` task)."""
    now, make_ctx = contexts(env, now)
    result = fire_instances(env.session_factory, make_ctx, [instance_id], now, 1)
    return Report(fired=result.fired, notices=result.notices, skipped=result.skipped,
                  stuck=result.stuck)


def raise_notice(env, notice_id: int, now: datetime | None = None) -> Report:
    """Raise one due pending notice (the `samflyt.raise_notice` task)."""
    now, make_ctx = contexts(env, now)
    report = Report()
    _raise(env, make_ctx, notice_id, now, report)
    return report


def raise_unclaimed(env, task_id: int, now: datetime | None = None) -> Report:
    """Raise the "not claimed" notice of one task whose claim deadline passed (the
    `samflyt.raise_unclaimed` task)."""
    now, make_ctx = contexts(env, now)
    report = Report()
    _raise(env, make_ctx, task_id, now, report, kind="task")
    return report


def sweep_in(ctx, now: datetime | None = None) -> Report:
    """The whole sweep inside the caller's transaction (flushes only): for tests and
    scenarios that drive time with a fake clock."""
    now = (now or ctx.now()).astimezone(UTC)
    timers = sweep_once(ctx, now)
    raised = task_deadlines.raise_due(ctx, now)
    return Report(fired=timers.fired,
                  notices=timers.notices + [task_deadlines.describe(n) for n in raised]
                  + plan_rules.apply_due(ctx),
                  resolved=task_deadlines.resolve_stale(ctx))


# --- e-mail ---------------------------------------------------------------------------------------

def _count(report: Report, status: str | None) -> None:
    if status is None:
        report.skipped += 1
    elif status == "sent":
        report.sent += 1
    elif status in ("queued", "failed"):
        report.failed += 1


def dispatch(env, sender, now: datetime | None = None) -> Report:
    """Plan the e-mails of raised notices, then send the queued immediate ones."""
    now, make_ctx = contexts(env, now)
    report = Report()
    for notice_id in _read(env, make_ctx, mailing.undispatched_ids):
        ok, _ = _unit(env, make_ctx,
                      lambda ctx, notice_id=notice_id: mailing.plan_deliveries(ctx, notice_id))
        report.skipped += 0 if ok else 1
    for delivery_id in _read(env, make_ctx, mailing.queued_immediate_ids):
        ok, status = _unit(env, make_ctx, lambda ctx, delivery_id=delivery_id: mailing.deliver(
            ctx, sender, delivery_id))
        _count(report, status if ok else None)
    return report


def deliver(env, sender, delivery_id: int, now: datetime | None = None) -> Report:
    """Send one queued e-mail (the `samflyt.deliver_notice` task)."""
    now, make_ctx = contexts(env, now)
    report = Report()
    ok, status = _unit(env, make_ctx, lambda ctx: mailing.deliver(ctx, sender, delivery_id))
    _count(report, status if ok else None)
    return report


def digests(env, sender, now: datetime | None = None) -> Report:
    """Send every user's digest of the notices queued for it (daily, at SAMFLYT_DIGEST_HOUR)."""
    now, make_ctx = contexts(env, now)
    report = Report()
    # plan first: a notice raised a moment ago belongs in today's digest
    for notice_id in _read(env, make_ctx, mailing.undispatched_ids):
        _unit(env, make_ctx,
              lambda ctx, notice_id=notice_id: mailing.plan_deliveries(ctx, notice_id))
    for username in _read(env, make_ctx, mailing.digest_usernames):
        ok, status = _unit(env, make_ctx, lambda ctx, username=username: mailing.send_digest(
            ctx, sender, username))
        _count(report, status if ok else None)
    return report


# --- digital letters ------------------------------------------------------------------------

@dataclasses.dataclass
class LetterReport:
    shipped: int = 0      # copies SvarUt took
    delivered: int = 0    # copies SvarUt says were delivered
    retry: int = 0        # copies to try again later (SvarUt did not answer)

    def lines(self) -> list[str]:
        return [f"shipped {self.shipped}, delivered {self.delivered}, retry {self.retry}"]

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def render_letter(env, letter_id: int, now: datetime | None = None) -> bool:
    """Render one approved letter's documents in its own transaction; True when this call
    did (False: already rendered, by another worker or whoever needed it first)."""
    _now, make_ctx = contexts(env, now)
    ok, rendered = _unit(env, make_ctx, lambda ctx: documents.render_letter(ctx, letter_id))
    return bool(ok and rendered)


def letters_to_render(env) -> list[int]:
    """The approved letters whose documents are not rendered yet."""
    _now, make_ctx = contexts(env, None)
    return _read(env, make_ctx, documents.pending)


def render_letters(env, now: datetime | None = None) -> int:
    """Render every approved letter not rendered yet (the embedded set-up's round)."""
    return sum(render_letter(env, letter_id, now) for letter_id in letters_to_render(env))


def send_letter(env, client, recipient_id: int, now: datetime | None = None) -> bool:
    """Send one queued copy in its own transaction; True when SvarUt took it. A retryable
    SvarUtError leaves it queued (its attempt counted) and is raised for the caller to retry
    (a Celery task with backoff; the sweeper's next round)."""
    _now, make_ctx = contexts(env, now)
    with env.session_factory() as session:
        ctx = make_ctx(session)
        try:
            shipped = outbox.dispatch(ctx, recipient_id, client) is not None
        except outbox.SvarUtError:
            session.commit()  # the attempt and its error are kept; the copy stays queued
            raise
        session.commit()
        return shipped


def letters_waiting(env) -> list[int]:
    """The copies to send that no attempt has been made for (a failed attempt is retried by
    whoever made it: the Celery task with backoff, or the sweeper's next round)."""
    _now, make_ctx = contexts(env, None)
    return _read(env, make_ctx, lambda ctx: outbox.waiting(ctx, outbox.QUEUED, untried=True))


def poll_letters(env, client, now: datetime | None = None) -> LetterReport:
    """Ask SvarUt about every sent copy, each in its own transaction."""
    _now, make_ctx = contexts(env, now)
    report = LetterReport()
    for recipient_id in _read(env, make_ctx, lambda ctx: outbox.waiting(ctx, outbox.SENT)):
        try:
            _ok, delivered = _unit(env, make_ctx,
                                   lambda ctx, rid=recipient_id: outbox.poll(ctx, rid, client))
        except outbox.SvarUtError:
            report.retry += 1
            continue
        report.delivered += bool(delivered)
    return report


def letters(env, client, now: datetime | None = None) -> LetterReport:
    """Send every queued copy and ask about every sent one (the embedded set-up's round)."""
    _now, make_ctx = contexts(env, now)
    shipped = retry = 0
    for recipient_id in _read(env, make_ctx, lambda ctx: outbox.waiting(ctx, outbox.QUEUED)):
        try:
            shipped += send_letter(env, client, recipient_id, now)
        except outbox.SvarUtError:
            retry += 1
    report = poll_letters(env, client, now)
    report.shipped, report.retry = shipped, report.retry + retry
    return report


# --- the audit trail ------------------------------------------------------------------------

def audit_partitions(env, now: datetime | None = None) -> list[str]:
    """Make the audit trail's month partitions ahead of time (engine/audit/partitions.py),
    in one transaction; the names of those made (none on SQLite, or when all exist)."""
    _now, make_ctx = contexts(env, now)
    try:
        _ok, made = _unit(env, make_ctx, partitions.maintain)
    except OperationalError:  # the parent table stayed locked: the next day's run makes them
        log.warning("audit partitions not made this time", exc_info=True)
        return []
    if made:
        log.info("audit partitions made: %s", ", ".join(made))
    return made or []
