"""Users, process definitions, cases and what runs them: instances, human tasks, timers,
notices, the audit trail.

Tables that inboxes and sweeps read (human_tasks, timers, notices) are denormalised
and indexed for those queries, so that neither ever deserialises a workflow.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db.models.base import Base


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Has had the coordinating unit's coordinator training (hol § 7-3).
    trained_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    #: Role keys (see settings.ROLES). Stored with the user: every request reads them.
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The units the user belongs to, their home unit first: a copy of `unit_members` kept
    #: by engine/organisation/units.py (its only writer), so that the access check on every
    #: request reads it with the user instead of asking the database again.
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: How notices reach the user by e-mail: immediate | digest (one a day) | none.
    #: None: the setting SAMFLYT_NOTICE_EMAIL_DEFAULT. In-app notices are always shown.
    notice_email: Mapped[str | None] = mapped_column(String(20))

    @property
    def role_keys(self) -> set[str]:
        return set(self.roles)


class DefinitionFile(Base):
    """One BPMN, DMN or form file, stored once by content hash."""
    __tablename__ = "definition_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # bpmn | dmn | form
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)


class ProcessVersion(Base):
    """A deployed version of one process: the process key and the set of files it needs."""
    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),
                      UniqueConstraint("process_key", "bundle_hash"))
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    bundle_hash: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(80))
    #: Loaded only to parse the version on a spec-cache miss.
    files: Mapped[list[DefinitionFile]] = relationship(secondary="process_version_files")


class ProcessVersionFile(Base):
    __tablename__ = "process_version_files"
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"),
                                                    primary_key=True)
    definition_file_id: Mapped[int] = mapped_column(ForeignKey("definition_files.id"),
                                                    primary_key=True)


class SavedFilter(Base):
    """An inbox filter an officer saved under a name (the inbox's query string)."""
    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("username", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]


class SignInFailure(Base):
    """A failed sign-in (wrong name or password), kept for the sign-in limit
    (engine/accounts.py); a successful sign-in removes the user name's rows."""
    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_username", "username", "at"),
                      Index("ix_sign_in_failures_address", "address", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class WebSession(Base):
    """A signed-in web session, kept on the server (engine/accounts/web_sessions.py). The
    browser's cookie holds only a random token; this row holds its SHA-256, so a copied
    cookie stops working when the session ends (sign-out, idle, a password change)."""
    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id", "ended_at"),)
    #: SHA-256 (hex) of the session token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    #: The last request's time, written at most once a minute (the idle timeout reads it).
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token for the JSON API (engine/accounts/credentials.py). The token is shown
    once when issued; this row holds its SHA-256, a name saying what it is for, when it
    expires and when it was revoked, so each token can be listed and revoked by itself."""
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user", "user_id", "revoked_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 (hex) of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    #: The last request's time, written at most once a minute.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ProcessDraft(Base):
    """An edited file of a process that is not deployed yet (one draft per process and file).

    Drafts are kept even when invalid; deploying validates them together with the newest
    version's other files and, when it succeeds, removes them."""
    __tablename__ = "process_drafts"
    __table_args__ = (UniqueConstraint("process_key", "filename"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # bpmn | dmn | form
    content: Mapped[str] = mapped_column(Text)
    #: The deployed version the draft was started from (None for a new process).
    base_version: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]


class CaseNumberCounter(Base):
    __tablename__ = "case_number_counters"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key",
                                       name="uq_cases_idempotency_key"),
                      # the case list's default order (engine/persons/search.py)
                      Index("ix_cases_received", "received_on", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    process_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | closed
    #: The person the application is about (engine/persons); None only for a case started
    #: without one (a test's bare process run).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    #: The person's name when the case was registered, kept in step with the person: the
    #: inbox and the search show it without a join.
    person_name: Mapped[str | None] = mapped_column(String(200))
    #: The date the application was received (not registered): deadlines count from it.
    received_on: Mapped[date | None] = mapped_column(Date)
    #: What is asked, comma-separated keys of engine/persons/catalogue.py SERVICES
    #: ("ip,koordinator"); the case list's type filter.
    services: Mapped[str | None] = mapped_column(String(60))
    #: Who applied: the person, or one of their relations (`applicant_relation`:
    #: forelder | verge | parorende; None: the person or a service reporting a need).
    applicant_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    applicant_relation: Mapped[str | None] = mapped_column(String(20))
    #: The applicant has no fullmakt covering health information: no later step may
    #: address health information to them (letters read this mark).
    applicant_without_fullmakt: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The plan the case opened or joined (engine/plans).
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    #: The application data as registered (the person's data; read access is logged).
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Facts processes publish for the whole case (decision, appeal deadline...), see the
    #: `caseFacts` property in docs/processes.md. Seeds processes started later.
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The appointed coordinator's username, kept current by the engine.
    coordinator: Mapped[str | None] = mapped_column(String(80), index=True)
    #: The unit responsible for the case: set at registration (the registering user's home
    #: unit), changed only with a reason (engine/organisation/responsibility.py). Access
    #: follows it (engine/access/rules.py).
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"),
                                                            index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    #: The key the client sent with the start (an API `Idempotency-Key` header, the new-case
    #: form's hidden token): a retry with the same key by the same user returns this case.
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None]
    instances: Mapped[list[ProcessInstance]] = relationship(
        back_populates="case", order_by="(ProcessInstance.started_at, ProcessInstance.id)")


class ProcessInstance(Base):
    """One running process of a case: the main process, an appeal, one review cycle...

    `state` is SpiffWorkflow's serialisation without the spec (specs are stored once per
    version); `lock_version` is the optimistic-concurrency counter.
    """
    __tablename__ = "process_instances"
    __table_args__ = (Index("ix_process_instances_case_status", "case_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    # running | completed | error
    status: Mapped[str] = mapped_column(String(20), default="running")
    state: Mapped[str | None] = mapped_column(Text)
    #: Data at completion (the state is dropped then, so history never weighs on live state).
    result: Mapped[dict[str, Any] | None]
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    #: Whether timer rows are waiting, so a step without timers skips the timer query.
    has_timers: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(80))
    completed_at: Mapped[datetime | None]
    parent_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    case: Mapped[Case] = relationship(back_populates="instances")
    version: Mapped[ProcessVersion] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    """A user task as the inbox sees it: one row per task, kept in step with the engine."""
    __tablename__ = "human_tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        Index("ix_human_tasks_assignee", "status", "assignee", "due_at"),
        Index("ix_human_tasks_role", "status", "candidate_role", "due_at"),
        Index("ix_human_tasks_due", "status", "due_at"),
        Index("ix_human_tasks_completed_by", "completed_by", "completed_at"),
        Index("ix_human_tasks_case", "case_id", "status"),
        Index("ix_human_tasks_claim", "status", "claim_due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str] = mapped_column(String(100))
    case_number: Mapped[str] = mapped_column(String(40), index=True)
    candidate_role: Mapped[str] = mapped_column(String(40))
    assignee: Mapped[str | None] = mapped_column(String(80))
    form: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | completed | cancelled
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(80))
    #: Data saved as a draft, not yet submitted.
    draft: Mapped[dict[str, Any] | None]
    #: When the task, if nobody has claimed it by then, raises its "not claimed" notice
    #: (`claimWithin`, engine/deadlines.py); None once raised, claimed, or with no such deadline.
    claim_due_at: Mapped[datetime | None]
    instance: Mapped[ProcessInstance] = relationship(lazy="raise")
    #: Bumped on every change (claim, assign, complete): a form posts the version it saw,
    #: and a concurrent change loses with a conflict instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Timer(Base):
    """The next fire time of a waiting timer event, so the sweep selects only what is due."""
    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("instance_id", "spiff_task_id"),
                      Index("ix_timers_due", "status", "fire_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    fire_at: Mapped[datetime]
    # waiting | fired | cancelled | failed
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    fired_at: Mapped[datetime | None]
    #: When the case started waiting at the timer (the heat map's waiting time); None for
    #: rows written before this column existed.
    created_at: Mapped[datetime | None]
    instance: Mapped[ProcessInstance] = relationship(lazy="raise")


class Notice(Base):
    """An escalation notice: who (role and/or user), what (kind), when it is due, how severe.

    Lifecycle: pending (a deadline known ahead, raised by the sweep when `due_at` passes) ->
    raised (shown in-app and e-mailed) -> acknowledged (someone has seen it) -> resolved (the
    work is done: `resolution` says how). A pending notice whose work is done before it is due
    goes straight to resolved and is never shown (`raised_at` stays empty).
    """
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_role", "status", "role"),
                      Index("ix_notices_user", "status", "username"),
                      Index("ix_notices_due", "status", "due_at"),
                      Index("ix_notices_instance", "instance_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    #: Makes raising idempotent: the same event never raises the same notice twice.
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(20))  # info | warning | escalation
    role: Mapped[str | None] = mapped_column(String(40))
    username: Mapped[str | None] = mapped_column(String(80))
    case_number: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str | None] = mapped_column(String(100))
    #: pending | raised | acknowledged | resolved
    status: Mapped[str] = mapped_column(String(20), default="raised")
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    #: The deadline the notice is about (a working day, see engine/deadlines.py); a pending
    #: notice is raised when it passes.
    due_at: Mapped[datetime | None]
    raised_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    #: How the work was done: task_completed, task_cancelled, task_claimed, process_completed,
    #: element_completed.
    resolution: Mapped[str | None] = mapped_column(String(40))
    #: The user task a task-deadline notice watches (not claimed / not completed in time).
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    #: Comma-separated user task ids whose completion resolves the notice (`noticeResolvedBy`).
    resolve_on: Mapped[str | None] = mapped_column(String(500))
    #: What raising does besides notifying: "reassign" (`reassignOnOverdue`).
    action: Mapped[str | None] = mapped_column(String(20))
    #: When the e-mail deliveries were planned (None: not yet).
    dispatched_at: Mapped[datetime | None]
    instance: Mapped[ProcessInstance | None] = relationship(lazy="raise")
    human_task: Mapped[HumanTask | None] = relationship(lazy="raise")


class NoticeDelivery(Base):
    """One notice to one user by e-mail: sent at once, or collected for the daily digest."""
    __tablename__ = "notice_deliveries"
    __table_args__ = (UniqueConstraint("notice_id", "username"),
                      Index("ix_notice_deliveries_queue", "status", "mode", "username"))
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    username: Mapped[str] = mapped_column(String(80))
    mode: Mapped[str] = mapped_column(String(20))  # immediate | digest
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued|sent|skipped|failed
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The error's type and message from the mail server (never the message's content).
    last_error: Mapped[str | None] = mapped_column(String(300))
    notice: Mapped[Notice] = relationship(lazy="joined")


class AuditEvent(Base):
    """Append-only: who did what to which case, and when. Reads of a case are events too.

    On PostgreSQL the table is partitioned by month on `at` and its primary key is (id, at)
    (engine/audit/partitions.py, migration 0017); `id` alone is unique all the same (one
    sequence), which is what the ORM keys objects by."""
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_case", "case_id", "id"),
                      Index("ix_audit_person", "person_id", "at"),
                      Index("ix_audit_actor", "actor", "at"),
                      Index("ix_audit_kind", "kind", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: The person the event concerns (a case's person, or a person or plan read or changed
    #: outside a case): the person's read log reads by it.
    person_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
