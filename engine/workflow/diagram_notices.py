"""Notices a diagram raises: an element with a `notice` property, passed in a step, raises
one notice (once per element and instance), to a role or a person, due when the diagram says."""
from __future__ import annotations

import logging

from sqlalchemy import bindparam, select

from engine.cases import audit
from engine.core.context import EngineContext
from engine.db import fastpath
from engine.db.models import Notice
from engine.deadlines import task_deadlines
from engine.notices import notice_board
from engine.workflow.loading import Loaded, evaluate_property, lane_of

log = logging.getLogger(__name__)


_NOTICE_BY_SOURCE = fastpath.Query(
    select(Notice.id).where(Notice.source_key == bindparam("source_key")))


def raise_notice(ctx: EngineContext, loaded: Loaded, task, props: dict[str, str]) -> Notice | None:
    kind = props["notice"]
    # the workflow's root task id identifies the instance, and exists before it is flushed
    source_key = f"{loaded.workflow.task_tree.id}:{task.id}:{kind}"
    known = loaded.notice_keys
    if (source_key in known if known is not None
            else fastpath.run(ctx, _NOTICE_BY_SOURCE, source_key=source_key)):
        return None
    username = None
    if props.get("noticeUserExpression"):
        username = evaluate_property(loaded, task, props["noticeUserExpression"]) or None
    role = props.get("noticeRole") or lane_of(task) or ctx.settings.fallback_role
    now = ctx.now()
    due_at = task_deadlines.notice_due_at(ctx, props,
                                     lambda expression: evaluate_property(loaded, task, expression))
    notice = Notice(case_id=loaded.case.id, instance_id=loaded.instance.id, source_key=source_key,
                    kind=kind, severity=props.get("noticeSeverity", "warning"), role=role,
                    username=username, case_number=loaded.case.case_number,
                    element_id=task.task_spec.bpmn_id, status=notice_board.RAISED, created_at=now,
                    raised_at=now, due_at=due_at,
                    resolve_on=task_deadlines.resolve_on(props.get("noticeResolvedBy")))
    fastpath.insert(ctx, notice)
    if known is not None:
        known.add(source_key)
    audit.record(ctx, loaded.case, "system", "notice_raised", kind=kind, role=role,
                 user=username, severity=notice.severity)
    log.info("notice raised kind=%s case=%s element=%s role=%s user=%s", kind,
             loaded.case.case_number, notice.element_id, role, username)
    return notice
