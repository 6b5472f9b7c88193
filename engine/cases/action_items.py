"""A meeting's action items for Samflyt users become tasks in their inbox: one short
process (`oppfolgingspunkt`) per item, on the plan's newest open case, assigned to the user
in the role they work in, due when the item is due."""
from __future__ import annotations

from sqlalchemy import select

from engine.accounts.roles import COORDINATOR, NON_WORK_ROLES, ROLES
from engine.cases import casework
from engine.db.models import Case, Plan, PlanActionItem, PlanMeeting, User
from engine.plans import lifecycle, meetings, plan_page

ACTION_ITEM_PROCESS = "oppfolgingspunkt"


def record_meeting(ctx, plan_id: int, actor: User, held_on, attendees: list[str],
                   minutes: str, items: list[meetings.ActionItem]
                   ) -> tuple[PlanMeeting, list[PlanActionItem]]:
    plan = lifecycle.get(ctx, plan_id)
    plan_page.require_change(ctx, plan, actor)
    meeting, rows = meetings.record(ctx, plan, actor.username, held_on, attendees, minutes,
                                    items)
    case = carrier_case(ctx, plan)
    for row in rows:
        if row.responsible_username is None or case is None:
            continue
        user = ctx.session.scalar(select(User).where(User.username == row.responsible_username))
        before = len(ctx.new_tasks)
        data = {"oppfolgingspunkt": row.what, "ansvarlig_bruker": row.responsible_username,
                "ansvarlig_rolle": _work_role(user), "motedato": held_on.isoformat(),
                "frist": row.due_on.isoformat() if row.due_on else ""}
        casework.start_process(ctx, case.id, ACTION_ITEM_PROCESS, data, actor)
        row.case_id = case.id
        created = ctx.new_tasks[before:]
        row.human_task_id = created[0].id if created else None
    ctx.session.flush()
    return meeting, rows


def carrier_case(ctx, plan: Plan) -> Case | None:
    """The case the plan's tasks run on: its newest open case, else the one that opened it."""
    case = ctx.session.scalar(select(Case).where(Case.plan_id == plan.id, Case.status == "open")
                              .order_by(Case.id.desc()).limit(1))
    if case is None and plan.opened_by_case_id is not None:
        case = ctx.session.get(Case, plan.opened_by_case_id)
    return case


def _work_role(user: User | None) -> str:
    """The role the user's task is in: coordinator when they are one, else their first work
    role."""
    roles = user.role_keys if user is not None else set()
    if COORDINATOR in roles:
        return COORDINATOR
    return next((role for role in ROLES if role in roles and role not in NON_WORK_ROLES),
                COORDINATOR)
