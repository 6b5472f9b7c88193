"""The letter a task will draft, previewed from the form as the officer has filled it in so
far (nothing is saved): the officer sees the letter inside the task before sending the
decision to the leader. A task's page also shows the letter it works on (`for_task`)."""
from __future__ import annotations

from sqlalchemy import select

from engine.access import rules
from engine.cases import audit
from engine.core.errors import InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, HumanTask, Letter, Person, ProcessInstance, User
from engine.definitions import store
from engine.letters import content, drafting, render
from engine.letters.kinds import KINDS, LANGUAGES
from engine.workflow import loading


def task_properties(ctx, task: HumanTask) -> dict[str, str]:
    instance = ctx.session.get(ProcessInstance, task.instance_id)
    for spec in ctx.specs.get(instance.version).all_task_specs():
        if (spec.bpmn_id or spec.name) == task.element_id:
            return loading.properties(spec)
    return {}


def for_task(ctx, task: HumanTask) -> Letter | None:
    """The letter a task with `letterOperation` works on: the newest of its kind."""
    props = task_properties(ctx, task)
    kind = props.get("letterTemplate")
    if not props.get("letterOperation") or kind not in KINDS:
        return None
    return ctx.session.scalar(select(Letter).where(
        Letter.case_id == task.case_id, Letter.kind == kind, Letter.corrects_id.is_(None))
        .order_by(Letter.id.desc()).limit(1))


def preview_pdf(ctx, task_id: int, user: User, values: dict) -> bytes:
    """The draft letter of a drafting task from the form's values, as PDF (not saved)."""
    task = ctx.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(N_("Fant ikke oppgave %(task)s"), task=task_id)
    if rules.require_task(ctx, task, user) != rules.FULL or task.status != "open":
        raise PermissionDenied(N_("Du kan ikke forhåndsvise brevet i denne oppgaven"))
    props = task_properties(ctx, task)
    template = props.get("letterTemplate")
    if props.get("letterOperation") != "draft" or template not in KINDS:
        raise NotFound(N_("Oppgaven lager ikke noe brev"))
    instance = ctx.session.get(ProcessInstance, task.instance_id)
    version = instance.version
    case = ctx.session.get(Case, task.case_id)
    person = ctx.session.get(Person, case.person_id) if case.person_id else None
    language = (values.get("brev_malform") or (person.written_language if person else None)
                or ctx.settings.malform)
    if language not in LANGUAGES:
        raise InvalidInput(N_("Velg bokmål eller nynorsk"),
                           {"brev_malform": N_("Velg bokmål eller nynorsk")})
    schema = store.form_schema(ctx, version, task.form) if task.form else None
    letter = Letter(case_id=case.id, person_id=case.person_id, kind=template,
                    template=template, version_id=version.id, language=language,
                    status=drafting.DRAFT, facts=content.decision_facts(ctx, version, values,
                                                                         schema),
                    free_text=drafting.free_text_of(KINDS[template], values),
                    created_at=ctx.now(), created_by=user.username)
    drafting.set_recipients(ctx, letter, KINDS[template])
    audit.record(ctx, case, user.username, "case_read", purpose=f"letter preview {task.id}")
    html = drafting.preview_html(ctx, letter)
    return render.to_pdf(html)
