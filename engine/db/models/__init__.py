"""The schema, one module per area. Alembic migrations in engine/db/alembic are written from
these models; import them from here (`from engine.db.models import Case`).

- `base`: the declarative base and the UTC datetime type;
- `core`: users, process definitions, cases, instances, human tasks, timers, notices, audit;
- `persons`: the person and their relations;
- `letters`: letters of a case and their recipients;
- `organisation`: units, their members, emergency access, absences with a stand-in;
- `plans`: the individual plan and its content, consents, coordinators, meetings, versions.
"""
from engine.db.models.base import Base, UTCDateTime
from engine.db.models.core import (
    ApiToken,
    AuditEvent,
    Case,
    CaseNumberCounter,
    DefinitionFile,
    HumanTask,
    Notice,
    NoticeDelivery,
    ProcessDraft,
    ProcessInstance,
    ProcessVersion,
    ProcessVersionFile,
    SavedFilter,
    SignInFailure,
    Timer,
    User,
    WebSession,
)
from engine.db.models.letters import Letter, LetterRecipient
from engine.db.models.organisation import Absence, AccessOverride, Unit, UnitMember
from engine.db.models.persons import Person, PersonRelation
from engine.db.models.plans import (
    Consent,
    Plan,
    PlanActionItem,
    PlanCoordinator,
    PlanGoal,
    PlanMeasure,
    PlanMeeting,
    PlanParticipant,
    PlanVersion,
)

__all__ = [
    "Absence", "AccessOverride", "ApiToken", "AuditEvent", "Base", "Case", "CaseNumberCounter",
    "Consent",
    "DefinitionFile", "HumanTask", "Letter", "LetterRecipient", "Notice", "NoticeDelivery",
    "Person", "PersonRelation",
    "Plan", "PlanActionItem", "PlanCoordinator", "PlanGoal", "PlanMeasure", "PlanMeeting",
    "PlanParticipant", "PlanVersion", "ProcessDraft", "ProcessInstance", "ProcessVersion",
    "ProcessVersionFile", "SavedFilter", "SignInFailure", "Timer", "UTCDateTime", "Unit",
    "UnitMember", "User", "WebSession",
]
