"""Need-based access in the web UI: an officer of another unit is refused a case and offered
emergency access; with a reason they read it (a banner says so), the coordinating unit gets
a notice, and the refusal, the grant and the read are in the audit log. A supervisor moves a
case to another unit only with a reason."""
from __future__ import annotations

from sqlalchemy import select

from engine.accounts import users
from engine.cases import audit, casework
from engine.db.models import Case, Notice
from engine.organisation import units
from tests.webui.conftest import password_hash, user


def _other_unit_officer(engine_do):
    def make(ctx):
        units.add_unit(ctx, "hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste")
        users.add_user(ctx, "bjorn", ["saksbehandler"], display_name="Bjørn",
                       password_hash=password_hash(), units=["hjemmetjenesten"])
    engine_do(make)


def _case(engine_do) -> int:
    return engine_do(lambda ctx: casework.start_case(
        ctx, {}, user(ctx, "saksbehandler1"), process_key="stafett").id)


def test_another_units_officer_is_refused_and_may_use_emergency_access(
        web_env, browser, engine_do):
    _other_unit_officer(engine_do)
    case_id = _case(engine_do)
    bjorn = browser("bjorn")
    refused = bjorn.get(f"/cases/{case_id}")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403 and 'id="override-reason"' in page
    assert f"/cases/{case_id}/override" in page
    short = bjorn.post(f"/cases/{case_id}/override", {"reason": "nå"})
    assert short.status_code == 422 and 'id="override-reason"' in short.get_data(as_text=True)
    granted = bjorn.post(f"/cases/{case_id}/override",
                         {"reason": "Legevakten trenger planen nå"})
    assert granted.status_code == 302 and granted.headers["Location"].endswith(
        f"/cases/{case_id}")
    page = bjorn.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="override-banner"' in page
    history = engine_do(lambda ctx: [(e.actor, e.kind, dict(e.details)) for e in
                                     audit.case_history(ctx, case_id)])
    kinds = [(actor, kind) for actor, kind, _ in history if actor == "bjorn"]
    assert ("bjorn", "access_override") in kinds and ("bjorn", "case_read") in kinds
    [reason] = [d["reason"] for a, k, d in history if k == "access_override"]
    assert reason == "Legevakten trenger planen nå"
    refusals = engine_do(lambda ctx: ctx.session.scalar(select(audit.AuditEvent.id).where(
        audit.AuditEvent.kind == "read_refused", audit.AuditEvent.actor == "bjorn")))
    assert refusals is not None
    notice_role = engine_do(lambda ctx: ctx.session.scalar(select(Notice.role).where(
        Notice.case_id == case_id, Notice.kind == "access_override")))
    assert notice_role == "koordinerende_enhet"
    # the administrator is never offered it
    assert 'id="override-reason"' not in browser("admin1").get(
        f"/cases/{case_id}").get_data(as_text=True)


def test_a_supervisor_moves_a_case_to_another_unit_with_a_reason(web_env, browser, engine_do):
    _other_unit_officer(engine_do)
    case_id = _case(engine_do)
    leader = browser("leder1")
    page = leader.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="move-unit"' in page and "Forvaltningskontoret" in page
    target = engine_do(lambda ctx: units.get_unit(ctx, "hjemmetjenesten").id)
    assert leader.post(f"/cases/{case_id}/unit", {"unit": str(target), "reason": ""}
                       ).status_code == 302
    assert engine_do(lambda ctx: ctx.session.get(Case, case_id).responsible_unit_id) != target
    assert 'id="move-unit"' not in browser("saksbehandler1").get(
        f"/cases/{case_id}").get_data(as_text=True)
    assert browser("saksbehandler1").post(f"/cases/{case_id}/unit", {
        "unit": str(target), "reason": "Flyttes"}).status_code == 403
    assert leader.post(f"/cases/{case_id}/unit", {
        "unit": str(target), "reason": "Hjemmetjenesten gir tjenestene"}).status_code == 302
    assert engine_do(lambda ctx: ctx.session.get(Case, case_id).responsible_unit_id) == target
    assert browser("bjorn").get(f"/cases/{case_id}").status_code == 200
    assert browser("saksbehandler1").get(f"/cases/{case_id}").status_code == 403
