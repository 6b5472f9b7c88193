"""The timer sweep: fire what is due, nothing else.

Its cost grows with what is due, not with what waits: it reads the indexed `timers`
table, never the workflows that are not due. The due instances are fired a chunk to a
transaction (SAMFLYT_SWEEP_CHUNK), and two sweepers at once never fire a timer twice: on
PostgreSQL the rows are taken with FOR UPDATE SKIP LOCKED; everywhere, the instance's
version check makes the loser of a race roll back (its chunk is done again an instance at a
time) and leave the work to the winner.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from sqlalchemy import bindparam, select

from engine.accounts.roles import PROCESS_ERROR_ROLE
from engine.cases import audit
from engine.core.context import EngineContext
from engine.core.errors import ProcessError
from engine.db import fastpath
from engine.db.models import Case, Notice, ProcessInstance, ProcessVersion, Timer
from engine.deadlines import task_deadlines
from engine.notices import notice_board
from engine.scheduling import chunks
from engine.workflow import loading, step

log = logging.getLogger(__name__)


@dataclasses.dataclass
class SweepResult:
    fired: list[str] = dataclasses.field(default_factory=list)      # "case_number: timer name"
    notices: list[str] = dataclasses.field(default_factory=list)    # "case_number: kind -> who"
    skipped: int = 0                                                 # taken by another sweeper
    stuck: list[str] = dataclasses.field(default_factory=list)      # "case_number: element"

    def add(self, other: SweepResult) -> None:
        """Count what `other` did too."""
        self.fired += other.fired
        self.notices += other.notices
        self.skipped += other.skipped
        self.stuck += other.stuck

    def lines(self) -> list[str]:
        return ([f"fired {f}" for f in self.fired] + [f"notice {n}" for n in self.notices]
                + [f"stuck {f} (the diagram must be fixed)" for f in self.stuck]
                + ([f"skipped {self.skipped} (another sweeper had them)"] if self.skipped else []))


def due_instance_ids(ctx: EngineContext, now: datetime, limit: int | None = None) -> list[int]:
    """Instances with at least one timer due at `now`, oldest due first."""
    query = (select(Timer.instance_id, Timer.fire_at).where(Timer.status == "waiting",
                                                            Timer.fire_at <= now)
             .order_by(Timer.fire_at).limit(limit or ctx.settings.sweep_batch))
    seen: dict[int, None] = {}
    for instance_id, _ in ctx.session.execute(query):
        seen.setdefault(instance_id)
    return list(seen)


#: Instances with their case and version (PostgreSQL: their rows locked; rows another
#: sweeper holds are left out); their waiting timers are read after the lock is taken (so a
#: sweeper that waited sees what the other one fired).
_INSTANCES = fastpath.Query.rows(
    ProcessInstance, Case, ProcessVersion,
    shape=lambda query: query
    .select_from(ProcessInstance)
    .join(Case, Case.id == ProcessInstance.case_id)
    .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
    .where(ProcessInstance.id.in_(bindparam("ids", expanding=True)))
    .with_for_update(skip_locked=True, of=ProcessInstance.__table__),
    in_lists=True)
_WAITING = fastpath.Query.rows(
    Timer, shape=lambda query: query
    .where(Timer.status == "waiting", Timer.instance_id.in_(bindparam("ids", expanding=True)))
    .order_by(Timer.fire_at, Timer.id),
    in_lists=True)
_NOTICE_KEYS = fastpath.Query(
    select(Notice.instance_id, Notice.source_key)
    .where(Notice.instance_id.in_(bindparam("ids", expanding=True))), in_lists=True)


def fire_due_timers(ctx: EngineContext, instance_id: int, now: datetime, result: SweepResult
                    ) -> bool:
    """Fire the due timers of one instance and run it on. False when another sweeper has it."""
    return fire_many(ctx, [instance_id], now, result)[0]


def fire_many(ctx: EngineContext, instance_ids: list[int], now: datetime, result: SweepResult
              ) -> list[bool]:
    """Fire the due timers of several instances in the caller's transaction, their rows read
    in three statements (the instances, their waiting timers, their notices' source keys);
    per instance, whether it was fired (False: another sweeper has it, or fired it)."""
    found = {row[0].id: row for row in fastpath.run(ctx, _INSTANCES, ids=instance_ids)}
    waiting: dict[int, list[Timer]] = {instance_id: [] for instance_id in found}
    notice_keys: dict[int, set[str]] = {instance_id: set() for instance_id in found}
    if found:
        timers, keys = fastpath.run_together(ctx, [(_WAITING, {"ids": list(found)}),
                                                   (_NOTICE_KEYS, {"ids": list(found)})])
        for (timer,) in timers:
            waiting[timer.instance_id].append(timer)
        for instance_id, source_key in keys:
            notice_keys[instance_id].add(source_key)
    return [_fire(ctx, found[instance_id], waiting[instance_id], now, result,
                  notice_keys[instance_id])
            if instance_id in found else False for instance_id in instance_ids]


def _fire(ctx: EngineContext, row: tuple, waiting: list[Timer], now: datetime,
          result: SweepResult, notice_keys: set[str]) -> bool:
    instance, case, version = row
    fastpath.attach(instance, case=case, version=version)
    due = [timer for timer in waiting if timer.fire_at <= now]
    if not due:
        return False  # fired meanwhile by another sweeper
    if instance.status != "running":
        for timer in due:
            timer.status = "cancelled"
        return True
    # the instance's row is locked (SQLite: the writer's lock) until the commit
    loaded = loading.load(ctx, instance, rows_locked=True)
    loaded.timer_rows, loaded.notice_keys = waiting, notice_keys
    for timer in due:
        audit.record(ctx, loaded.case, "system", "timer_fired", timer=timer.name,
                     element=timer.element_id, due=timer.fire_at.isoformat())
        result.fired.append(f"{loaded.case.case_number}: {timer.name}")
        log.info("timer fired case=%s timer=%r element=%s", loaded.case.case_number,
                 timer.name, timer.element_id)
    step.run_and_persist(ctx, loaded, "system")
    # (pending notices of new tasks are raised later by the deadline sweep)
    result.notices += [task_deadlines.describe(notice) for notice in loaded.raised]
    return True


def sweep_once(ctx: EngineContext, now: datetime | None = None) -> SweepResult:
    """Fire everything due at `now` inside the caller's transaction (flushes only)."""
    result = SweepResult()
    now = now or ctx.now()
    for instance_id in due_instance_ids(ctx, now):
        fire_due_timers(ctx, instance_id, now, result)
    return result


def sweep(session_factory, make_ctx, now: datetime | None = None) -> SweepResult:
    """Fire everything due at `now` (default: the clock's now).

    A unit-of-work runner, like a request handler: it opens and commits its own transactions
    through `session_factory`, and `make_ctx(session)` builds the context. The due instances
    go SAMFLYT_SWEEP_CHUNK to a transaction (engine.scheduling.chunks); a chunk in which an
    instance loses a race or fails on its data is rolled back and done again an instance at
    a time, so each one ends as if it had been alone. Safe to run in several processes at
    once and to re-run after a crash.
    """
    with session_factory() as session:
        ctx = make_ctx(session)
        now = now or ctx.now()
        instance_ids = due_instance_ids(ctx, now)
        chunk = ctx.settings.sweep_chunk
    return fire_instances(session_factory, make_ctx, instance_ids, now, chunk)


def fire_instances(session_factory, make_ctx, instance_ids: list[int], now: datetime,
                   chunk: int) -> SweepResult:
    """Fire the due timers of `instance_ids`, `chunk` instances to a transaction (one: the
    `samflyt.fire_timers` task)."""
    result = SweepResult()

    def together(ctx: EngineContext, ids: list[int]) -> SweepResult:
        partial = SweepResult()
        fired = fire_many(ctx, ids, now, partial)
        partial.skipped += fired.count(False)
        return partial

    chunks.run(session_factory, make_ctx, instance_ids, chunk, together=together,
               keep=result.add,
               alone=lambda instance_id: _fire_one(session_factory, make_ctx, instance_id,
                                                   now, result))
    return result


def _fire_one(session_factory, make_ctx, instance_id: int, now: datetime,
              result: SweepResult) -> None:
    """One instance in a transaction of its own: a lost race skips it, a step that fails on
    the case's data stops its timers and tells the coordinating unit, anything else is
    raised."""
    partial = SweepResult()
    try:
        done, fired = chunks.attempt(session_factory, make_ctx, lambda ctx: fire_due_timers(
            ctx, instance_id, now, partial))
    except ProcessError as error:
        failure = error  # the except block unbinds `error`; the closure keeps `failure`
        _done, stuck = chunks.attempt(session_factory, make_ctx, lambda ctx: record_failure(
            ctx, instance_id, now, failure), failures=())
        result.stuck += stuck or []
        return
    if done and fired:
        result.add(partial)
    else:
        result.skipped += 1


def record_failure(ctx: EngineContext, instance_id: int, now: datetime,
                   error: ProcessError) -> list[str]:
    """A timer's step failed on the case's data. Its due timers stop (status "failed", so the
    sweep does not retry them every minute while the rest waits) and the coordinating unit
    gets a notice naming only the element. Migrating the case to a corrected version of the
    diagram arms the timer again (its row is rewritten from the workflow)."""
    due = list(ctx.session.scalars(select(Timer).where(
        Timer.instance_id == instance_id, Timer.status == "waiting", Timer.fire_at <= now)))
    if not due:
        return []
    for timer in due:
        timer.status = "failed"
    case = ctx.session.get_one(Case, due[0].case_id)
    fastpath.insert(ctx, Notice(
        case_id=case.id, instance_id=instance_id,
        source_key=f"process_error:{instance_id}:{min(t.id for t in due)}",
        kind=notice_board.PROCESS_ERROR,
        severity="escalation", role=PROCESS_ERROR_ROLE, case_number=case.case_number,
        element_id=error.element, status=notice_board.RAISED, created_at=now, raised_at=now,
        due_at=now))
    audit.record(ctx, case, "system", "process_error", element=error.element,
                 timers=[t.name for t in due])
    log.warning("timer step failed, its timers stopped and the coordinating unit told "
                "case=%s element=%s timers=%d", case.case_number, error.element, len(due))
    ctx.session.flush()
    return [f"{case.case_number}: {error.element}"]
