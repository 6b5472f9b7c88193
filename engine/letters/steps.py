"""What the diagrams do to letters: the extension property `letterOperation` on a user task
(with `letterTemplate`, the letter's template and kind) names one of these, run when the
task is completed, before the process goes on.

- `draft`, on the task that writes the decision: drafts the letter from the form (a
  decision sent back is drafted again) and puts each item's appeal rule in the data
  (`klageregler`);
- `approve`, on the leader's signing task: with the approval field true, approves the
  letter, which is then immutable, and sets `vedtaksdato` (the day it was approved);
- `send`, on the sending task: sends every copy; `leveringsdato` is the delivery date when
  it is known now, else None and the process waits for the letter's delivery;
- `compose`, on a task that tells the person something without deciding it (the appeal
  was forwarded): drafts the letter from the case's facts and the form, approved by the
  officer who completes the task, and sends it (the form's `kanal`: `papir`,
  `digital_postkasse`, or `telefon` for no letter; `sendt_dato`: the day it was posted;
  the properties `letterChannelField` and `letterDateField` name other fields for them).
"""
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.core.errors import ConflictError
from engine.core.messages import N_
from engine.db.models import Case, HumanTask, Letter, ProcessVersion, User
from engine.deadlines.calendar import optional_date
from engine.definitions import store
from engine.letters import content, drafting, sending

OPERATIONS = ("draft", "approve", "send", "compose")
#: The form's channel that means no letter (the person was told by telephone).
NO_LETTER = "telefon"
#: The form fields whose true value approves the letter.
APPROVAL_FIELDS = ("vedtak_godkjent", "godkjent")


def on_completion(ctx, case: Case, version: ProcessVersion, task: HumanTask, props: dict,
                  data: dict[str, Any], user: User, known: dict[str, Any] | None = None
                  ) -> None:
    """Run the task's letter operation; `data` is the form (the operation may add to it),
    `known` what the process knew before it."""
    operation, template = props.get("letterOperation"), props.get("letterTemplate")
    if operation not in OPERATIONS or not template:
        return
    if operation == "draft":
        schema = store.form_schema(ctx, version, task.form) if task.form else None
        facts = content.decision_facts(ctx, version, data, schema)
        drafting.draft(ctx, case, version, template, template, facts, data,
                       data.get("brev_malform"), user.username, task_id=task.id)
        data["klageregler"] = {item["tjeneste"]: {
            key: item[key] for key in ("hjemmel", "klagefrist_regel", "klagefrist_uker",
                                       "klageregel",
                                       "klageinstans")} for item in facts["punkter"]}
    elif operation == "approve":
        if any(data.get(field) is True for field in APPROVAL_FIELDS):
            approved = drafting.approve(ctx, _letter(ctx, case, template, drafting.DRAFT).id,
                                        user)
            # the decision's date, from which a later task's due date may count
            # (engine/deadlines/due_expression.py)
            data["vedtaksdato"] = (approved.approved_at or ctx.now()).astimezone(
                ZoneInfo(ctx.settings.timezone)).date().isoformat()
    elif operation == "send":
        letter = sending.send(ctx, _letter(ctx, case, template, drafting.APPROVED).id, user,
                              data.get("kanal") or "digital_postkasse",
                              optional_date(data.get("sendt_dato")),
                              optional_date(data.get("leveringsdato")))
        data["leveringsdato"] = letter.delivered_on.isoformat() if letter.delivered_on else None
    elif operation == "compose":
        channel = data.get(props.get("letterChannelField", "kanal"))
        if channel == NO_LETTER:
            return
        facts = content.notice_facts(case, {**(known or {}), **data})
        draft = drafting.draft(ctx, case, version, template, template, facts, data,
                               data.get("brev_malform"), user.username, task_id=task.id)
        drafting.approve(ctx, draft.id, user)
        sending.send(ctx, draft.id, user, channel or "digital_postkasse",
                     optional_date(data.get(props.get("letterDateField", "sendt_dato"))), None)


def _letter(ctx, case: Case, template: str, status: str) -> Letter:
    letter = ctx.session.scalar(select(Letter).where(
        Letter.case_id == case.id, Letter.kind == template, Letter.status == status)
        .order_by(Letter.id.desc()).limit(1))
    if letter is None:
        raise ConflictError(N_("Saken har ikke noe brev «%(kind)s» som venter på dette"),
                            kind=template)
    return letter
