"""Moving running cases to a new version of their process (engine/migration.py): the preview,
the move itself (instance, task rows, timer rows, audit), refusals, and the case running on.

The cases run on ip_sak with duration timers (tests/ip_sak_duration_timers.py, deployed by
`duration_timers`): a changed duration is what the migration counts from the timer's start."""
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from engine.cases import audit, casework
from engine.core.errors import NotFound, PermissionDenied
from engine.db.models import HumanTask, Notice, ProcessInstance, Timer
from engine.definitions import case_migration, library, store
from engine.scheduling.sweep import sweep_once
from engine.worklist import humantasks
from tests.ip_sak_duration_timers import TIMER, deploy_duration_timers, duration_timer_text

ROOT = Path(__file__).parents[2] / "processes"
OLD_NAME, NEW_NAME = "Sende foreløpig svar", "Send foreløpig svar til søkeren"
TASK = f'<bpmn:userTask id="task_forelopig_svar" name="{OLD_NAME}">'
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
APPLICATION = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=True,
                   onsker_barnekoordinator=False, navn="Kari Nordmann", fodselsdato="1970-03-01",
                   mottatt_dato="2026-01-05", tjenester=["hjemmesykepleie", "fysioterapi"],
                   forventet_varighet_maneder=36, nav_basert=False)
ASSESSMENT = dict(kartlegging_dato="2026-01-08", funn="Behov for tjenester som må samordnes",
                  konklusjon_ip="innvilge", konklusjon_koordinator="innvilge",
                  konklusjon_barnekoordinator=None, vurdering="Vilkårene er oppfylt")
REPLY = dict(forelopig_svar_dato="2026-01-27", forelopig_svar_grunn="Venter på legeopplysninger",
             forventet_vedtaksdato="2026-02-20", forelopig_svar_kanal="digital_postkasse")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def changed_ip_sak() -> bytes:
    """timer_en_maned "P1M" -> "P3W", and the interim-reply task renamed."""
    text = duration_timer_text()
    assert text.count(TIMER) == 1 and text.count(TASK) == 1
    text = text.replace(TIMER, TIMER.replace('"P1M"', '"P3W"'))
    return text.replace(TASK, TASK.replace(OLD_NAME, NEW_NAME)).encode()


def without_kartlegging() -> bytes:
    """ip_sak without the assessment task: the DMN suggestion leads straight to the decision."""
    root = etree.fromstring(duration_timer_text().encode())
    process = root.find(f"{{{BPMN}}}process")
    for element in (f"{{{BPMN}}}userTask[@id='task_kartlegging']",
                    f"{{{BPMN}}}sequenceFlow[@id='flow_til_vedtak']"):
        process.remove(process.find(element))
    process.find(f"{{{BPMN}}}sequenceFlow[@id='flow_til_kartlegging']").set("targetRef",
                                                                          "call_vedtak")
    process.find(f"{{{BPMN}}}callActivity[@id='call_vedtak']/{{{BPMN}}}incoming").text = \
        "flow_til_kartlegging"
    for element in list(root.iter()):
        if element.get("bpmnElement") in ("task_kartlegging", "flow_til_vedtak") or (
                element.tag == f"{{{BPMN}}}flowNodeRef" and element.text == "task_kartlegging"):
            element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


@pytest.fixture(autouse=True)
def duration_timers(ctx):
    """The cases start on ip_sak with duration timers."""
    return deploy_duration_timers(ctx)


@pytest.fixture
def officer(make_user):
    return make_user("siri", "saksbehandler")


@pytest.fixture
def unit(make_user):
    return make_user("enhet", "koordinerende_enhet")


def deploy(ctx, unit, files: dict[str, bytes]) -> int:
    """The newest ip_sak with `files` changed, deployed as a new version; its number."""
    if "ip_sak.bpmn" in files or "forelopig_svar.json" in files:
        version, created = library.deploy_upload(ctx, unit, "ip_sak", files)
        assert created
        return version.version
    newest = store.latest_version(ctx, "ip_sak")  # a called process changed
    bundle = {f.filename: f.content.encode() for f in newest.files}
    [version] = [v for v in store.deploy_files(ctx, {**bundle, **files}, "enhet")
                 if v.process_key == "ip_sak"]
    assert version.version == newest.version + 1
    return version.version


def instance_of(ctx, case) -> ProcessInstance:
    ctx.session.flush()
    return ctx.session.scalar(select(ProcessInstance).where(
        ProcessInstance.case_id == case.id, ProcessInstance.process_key == "ip_sak"))


def waiting_timer(ctx, case, element="gw_vent_en_maned") -> Timer:
    return ctx.session.scalar(select(Timer).where(Timer.case_id == case.id,
                                                  Timer.element_id == element))


def open_names(ctx, case) -> list[str]:
    return sorted(t.name for t in humantasks.open_tasks(ctx, case.id))


def test_preview_and_migrate_the_changed_timer_and_the_renamed_task(ctx, clock, officer, unit):
    early = casework.start_case(ctx, APPLICATION, officer)   # Monday 5 January, 09:00
    clock.advance(days=14)
    later = casework.start_case(ctx, APPLICATION, officer)   # Monday 19 January
    clock.advance(days=7)
    sweep_once(ctx)  # three weeks for the early case: the interim-reply task opens
    assert OLD_NAME in open_names(ctx, early)
    v1 = instance_of(ctx, early).version.version
    v2 = deploy(ctx, unit, {"ip_sak.bpmn": changed_ip_sak()})
    newest = casework.start_case(ctx, APPLICATION, officer)
    assert instance_of(ctx, newest).version.version == v2
    assert waiting_timer(ctx, newest).fire_at == clock() + (utc(2026, 2, 16) - utc(2026, 1, 26))
    assert waiting_timer(ctx, later).fire_at == utc(2026, 2, 19, 8)  # P1M, the old rule

    preview = case_migration.preview(ctx, unit, "ip_sak")
    assert preview.to_version == v2 and preview.total == 2
    plans = {p.case_number: p for p in preview.items}
    assert set(plans) == {early.case_number, later.case_number}  # not the newest case
    assert all(p.compatible and p.from_version == v1 for p in plans.values())
    [renamed] = plans[early.case_number].renamed
    assert (renamed.element_id, renamed.before, renamed.after) == (
        "task_forelopig_svar", OLD_NAME, NEW_NAME)
    [timer] = plans[later.case_number].timers
    assert (timer.element_id, timer.name) == ("gw_vent_en_maned", "Én måned uten vedtak")
    assert (timer.before, timer.after) == (utc(2026, 2, 19, 8), utc(2026, 2, 9, 8))
    assert (timer.expression_before, timer.expression_after, timer.fires_now) == (
        '"P1M"', '"P3W"', False)
    assert plans[later.case_number].renamed == []
    # three weeks from 5 January have passed: by the new rule the early case is due now
    [due] = plans[early.case_number].timers
    assert (due.before, due.after, due.fires_now) == (utc(2026, 2, 5, 8), utc(2026, 1, 26, 8),
                                                      True)
    assert instance_of(ctx, early).version.version == v1  # a preview changes nothing

    result = case_migration.migrate(ctx, unit, "ip_sak", None)
    assert sorted(p.case_number for p in result.migrated) == sorted(plans)
    assert result.refused == []
    for case in (early, later):
        assert instance_of(ctx, case).version.version == v2
    assert waiting_timer(ctx, later).fire_at == utc(2026, 2, 9, 8)
    assert waiting_timer(ctx, later).status == "waiting"
    assert waiting_timer(ctx, early).status == "fired"
    escalations = ctx.session.scalars(select(Notice.case_id).where(
        Notice.kind == "interim_reply_escalation")).all()
    assert escalations == [early.id]
    # the inbox row of the renamed task has the new name
    rows = humantasks.inbox(ctx, officer, "roles")
    assert {(r.case_number, r.name) for r in rows if r.element_id == "task_forelopig_svar"} == {
        (early.case_number, NEW_NAME)}
    events = audit.case_history(ctx, early.id, {"instance_migrated", "timer_fired"})
    assert [e.kind for e in events][-2:] == ["timer_fired", "instance_migrated"]
    moved = events[-1]
    assert moved.actor == "enhet"
    assert (moved.details["from_version"], moved.details["to_version"]) == (v1, v2)
    assert moved.details["tasks_changed"][0]["after"] == NEW_NAME
    assert moved.details["timers"][0]["after"] == "2026-01-26T08:00:00+00:00"
    [later_moved] = audit.case_history(ctx, later.id, {"instance_migrated"})
    assert later_moved.details["timers"][0]["before"] == "2026-02-19T08:00:00+00:00"

    again = case_migration.migrate(ctx, unit, "ip_sak", None)
    assert (again.migrated, again.refused) == ([], [])
    assert case_migration.preview(ctx, unit, "ip_sak").items == []
    explicit = case_migration.migrate(ctx, unit, "ip_sak", [early.id])
    assert (explicit.migrated, explicit.unchanged) == ([], [early.case_number])

    # both cases run on under the new version
    [reply] = [t for t in humantasks.open_tasks(ctx, early.id) if t.name == NEW_NAME]
    humantasks.complete(ctx, reply.id, officer, REPLY, expected_version=reply.version)
    assert open_names(ctx, early) == ["Kartlegging og vurdering"]
    [assessment] = humantasks.open_tasks(ctx, later.id)
    humantasks.complete(ctx, assessment.id, officer, ASSESSMENT)
    assert open_names(ctx, later) == ["Utforme vedtak"]
    clock.set(utc(2026, 2, 9, 8))
    fired = sweep_once(ctx).fired
    assert f"{later.case_number}: Én måned uten vedtak" in fired
    assert not any(f.startswith(newest.case_number) for f in fired)


def test_a_case_waiting_at_a_removed_element_is_refused_and_left_alone(ctx, officer, unit):
    case = casework.start_case(ctx, APPLICATION, officer)
    instance = instance_of(ctx, case)
    state, lock = instance.state, instance.lock_version
    v2 = deploy(ctx, unit, {"ip_sak.bpmn": without_kartlegging()})
    [plan] = case_migration.preview(ctx, unit, "ip_sak").items
    assert not plan.compatible
    assert plan.reason == ("Saken venter ved «Kartlegging og vurdering», som ikke finnes i "
                           f"versjon {v2}")
    result = case_migration.migrate(ctx, unit, "ip_sak", [case.id])
    assert result.migrated == []
    [refusal] = result.refused
    assert (refusal.case_number, refusal.reason) == (case.case_number, plan.reason)
    ctx.session.expire_all()
    instance = instance_of(ctx, case)
    assert (instance.version.version, instance.state, instance.lock_version) == (
        v2 - 1, state, lock)
    assert open_names(ctx, case) == ["Kartlegging og vurdering"]
    [event] = audit.case_history(ctx, case.id, {"instance_migration_refused"})
    assert event.details["reason"] == plan.reason and event.actor == "enhet"
    assert case_migration.migrate(ctx, unit, "ip_sak", None).refused[0].reason == plan.reason


def test_a_case_that_passed_a_removed_element_is_refused(ctx, officer, unit):
    case = casework.start_case(ctx, APPLICATION, officer)
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.complete(ctx, task.id, officer, ASSESSMENT)
    deploy(ctx, unit, {"ip_sak.bpmn": without_kartlegging()})
    [plan] = case_migration.preview(ctx, unit, "ip_sak").items
    assert not plan.compatible and "har passert «Kartlegging og vurdering»" in plan.reason


def test_a_case_inside_a_called_process_moves_and_runs_on(ctx, officer, unit):
    case = casework.start_case(ctx, APPLICATION, officer)
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.complete(ctx, task.id, officer, ASSESSMENT)
    assert open_names(ctx, case) == ["Utforme vedtak"]
    vedtak = (ROOT / "vedtak.bpmn").read_text(encoding="utf-8")
    assert vedtak.count('name="Utforme vedtak"') == 1
    deploy(ctx, unit, {"vedtak.bpmn": vedtak.replace('name="Utforme vedtak"',
                                                     'name="Skrive vedtaket"').encode()})
    [plan] = case_migration.preview(ctx, unit, "ip_sak").items
    assert plan.compatible
    assert [(c.before, c.after) for c in plan.renamed] == [("Utforme vedtak", "Skrive vedtaket")]
    result = case_migration.migrate(ctx, unit, "ip_sak", [case.id])
    assert [p.case_number for p in result.migrated] \
        == [case.case_number]
    [task] = humantasks.open_tasks(ctx, case.id)
    assert task.name == "Skrive vedtaket"
    decision = dict(vedtak_ip="innvilget", vedtak_koordinator="innvilget",
                    vedtak_barnekoordinator=None, hjemmel="pbrl_2_5", begrunnelse="Behov",
                    ansvarlig_tjenesteomrade="Hjemmetjenesten", oppstartsdato="2026-02-01",
                    forste_evaluering="2026-08-03")
    humantasks.complete(ctx, task.id, officer, decision)
    assert open_names(ctx, case) == ["Signere vedtak"]


def test_a_case_changed_since_the_preview_is_refused(ctx, officer, unit):
    case = casework.start_case(ctx, APPLICATION, officer)
    deploy(ctx, unit, {"ip_sak.bpmn": changed_ip_sak()})
    seen = case_migration.case_tokens(case_migration.preview(ctx, unit, "ip_sak").items)
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.save_draft(ctx, task.id, officer, {"funn": "Utkast"})  # the task, not the case
    humantasks.complete(ctx, task.id, officer, ASSESSMENT)           # the case moved on
    result = case_migration.migrate(ctx, unit, "ip_sak", [case.id], seen=seen)
    assert result.migrated == []
    assert result.refused[0].reason.startswith("Saken er endret siden forhåndsvisningen")
    fresh = case_migration.case_tokens(case_migration.preview(ctx, unit, "ip_sak").items)
    assert [p.case_id for p in case_migration.migrate(ctx, unit, "ip_sak", [case.id],
                                                 seen=fresh).migrated] == [case.id]


def test_data_that_no_longer_fits_the_new_form_is_listed(ctx, clock, officer, unit):
    case = casework.start_case(ctx, APPLICATION, officer)
    clock.advance(days=21)
    sweep_once(ctx)
    [reply] = [t for t in humantasks.open_tasks(ctx, case.id) if t.name == OLD_NAME]
    humantasks.save_draft(ctx, reply.id, officer, {"forelopig_svar_grunn": "Venter på svar",
                                                   "forelopig_svar_kanal": "papir"})
    form = (ROOT / "forms" / "forelopig_svar.json").read_text(encoding="utf-8")
    narrower = form.replace('"minLength": 1,', '"minLength": 1, "maxLength": 5,').replace(
        '{\n          "const": "papir",\n          "title": "Papirpost"\n        }', '')
    narrower = narrower.replace(
        '"title": "Digital post der det er mulig, ellers papir"\n        },',
        '"title": "Digital post der det er mulig, ellers papir"\n        }')
    assert narrower != form
    deploy(ctx, unit, {"forelopig_svar.json": narrower.encode()})
    [plan] = case_migration.preview(ctx, unit, "ip_sak").items
    assert plan.compatible
    problems = {(p.where, p.field, p.message) for p in plan.data_problems}
    assert problems == {(OLD_NAME, "forelopig_svar_grunn", "Teksten er for lang"),
                        (OLD_NAME, "forelopig_svar_kanal", "Velg en av verdiene")}
    result = case_migration.migrate(ctx, unit, "ip_sak", None)
    assert result.migrated[0].data_problems == plan.data_problems
    row = ctx.session.get(HumanTask, reply.id)
    assert row.draft["forelopig_svar_grunn"] == "Venter på svar"  # nothing lost


def test_unknown_versions_and_other_roles(ctx, officer, unit, make_user):
    with pytest.raises(NotFound):
        case_migration.preview(ctx, unit, "ip_sak", to_version=999)
    with pytest.raises(NotFound):
        case_migration.migrate(ctx, unit, "finnes_ikke", None)
    for user in (officer, make_user("lars", "leder")):
        with pytest.raises(PermissionDenied):
            case_migration.preview(ctx, user, "ip_sak")
        with pytest.raises(PermissionDenied):
            case_migration.migrate(ctx, user, "ip_sak", None)
    admin = make_user("admin", "admin")
    assert case_migration.preview(ctx, admin, "ip_sak").items == []
