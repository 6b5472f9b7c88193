"""The administration pages (/admin): users, roles, the training register, deactivation,
units, API tokens and absences with a stand-in. Each form posts with CSRF and redirects; an
invalid one answers 422 with the error next to the field and what was typed kept; a role
without the page gets 403."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.accounts import api_tokens, users
from engine.db.models import Absence, AuditEvent, Unit


def _text(response) -> str:
    return response.get_data(as_text=True)


def _kinds(engine_do) -> list[str]:
    return engine_do(lambda ctx: list(ctx.session.scalars(
        select(AuditEvent.kind).where(AuditEvent.case_id.is_(None)).order_by(AuditEvent.id))))


def test_the_nav_link_shows_for_the_administration_roles(browser):
    assert "Administrasjon" in _text(browser("admin1").get("/inbox/"))
    assert "Administrasjon" in _text(browser("koordinerende1").get("/inbox/"))
    assert "Administrasjon" not in _text(browser("saksbehandler1").get("/inbox/"))
    page = _text(browser("leder1").get("/admin/"))
    assert "/admin/absences" in page and "/admin/users" not in page


def test_the_admin_changes_roles_and_deactivates(browser, engine_do):
    admin = browser("admin1")
    page = admin.get("/admin/users?role=saksbehandler")
    assert page.status_code == 200
    assert "saksbehandler2" in _text(page) and "leder1" not in _text(page)
    response = admin.post("/admin/users/saksbehandler2/roles",
                          {"roles": ["saksbehandler", "leder"], "role": "saksbehandler"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users?role=saksbehandler"
    assert engine_do(lambda ctx: users.get_user(ctx, "saksbehandler2").roles) == [
        "saksbehandler", "leder"]
    response = admin.post("/admin/users/saksbehandler2/active", {"active": "0"})
    assert response.status_code == 302
    assert not engine_do(lambda ctx: users.get_user(ctx, "saksbehandler2").active)
    assert _kinds(engine_do)[-2:] == ["user_roles_changed", "user_deactivated"]


def test_the_admin_adds_a_user_who_can_sign_in(browser, engine_do):
    from werkzeug.datastructures import MultiDict
    admin = browser("admin1")
    page = _text(admin.get("/admin/users"))
    assert 'href="/admin/users/new"' in page
    assert 'id="new-user"' in _text(admin.get("/admin/users/new"))
    # every mistake at once, next to its field; what was typed is kept, never the password
    response = admin.post("/admin/users/new", MultiDict([
        ("username", "Kari Nordmann"), ("display_name", "Kari Nordmann"),
        ("email", "kari@kommune.example"), ("password", "kort")]))
    page = _text(response)
    assert response.status_code == 422
    for field in ("username", "roles", "password"):
        assert f'href="#user-{field}"' in page and f'id="user-{field}-error"' in page
    assert 'value="Kari Nordmann"' in page and 'value="kort"' not in page
    assert "Velg minst én rolle" in page
    taken = _text(admin.post("/admin/users/new", MultiDict([
        ("username", "saksbehandler2"), ("roles", "saksbehandler"),
        ("password", "Et langt nok passord 42")])))
    assert "«saksbehandler2» finnes allerede" in taken
    response = admin.post("/admin/users/new", MultiDict([
        ("username", "kari.nordmann"), ("display_name", "Kari Nordmann"),
        ("roles", "saksbehandler"), ("roles", "leder"), ("unit", "forvaltningskontoret"),
        ("password", "Et langt nok passord 42")]))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users?q=kari.nordmann"
    user = engine_do(lambda ctx: users.get_user(ctx, "kari.nordmann"))
    assert (user.display_name, sorted(user.roles), user.active) == (
        "Kari Nordmann", ["leder", "saksbehandler"], True)
    assert _kinds(engine_do)[-1] == "user_added"
    kari = browser().login("kari.nordmann", "Et langt nok passord 42")
    assert kari.get("/inbox/").status_code == 200
    # only the admin adds users
    assert browser("koordinerende1").get("/admin/users/new").status_code == 403


def test_an_invalid_roles_form_keeps_what_was_posted(browser):
    admin = browser("admin1")
    response = admin.post("/admin/users/admin1/roles", {"roles": ["leder"], "q": "admin"})
    assert response.status_code == 422
    page = _text(response)
    assert "siste aktive brukeradministratoren" in page
    assert 'id="user-admin1-roles-error"' in page
    assert 'id="role-admin1-leder" name="roles" value="leder" checked' in page
    assert 'id="role-admin1-admin" name="roles" value="admin">' in page  # as posted
    assert 'name="q" value="admin"' in page
    response = admin.post("/admin/users/admin1/active", {"active": "0"})
    assert response.status_code == 422 and "deaktivere deg selv" in _text(response)


def test_the_coordinating_unit_keeps_the_training_register(browser, engine_do):
    unit = browser("koordinerende1")
    page = _text(unit.get("/admin/users"))
    assert "Registrer opplæring" in page and "Lagre roller" not in page
    response = unit.post("/admin/users/saksbehandler1/trained",
                         {"trained_coordinator": "1", "trained": "1"})
    assert response.status_code == 302 and "trained=1" in response.headers["Location"]
    assert engine_do(lambda ctx: users.get_user(ctx, "saksbehandler1").trained_coordinator)
    page = _text(unit.get("/admin/users?trained=1"))
    assert "saksbehandler1" in page and "registrert" in page
    assert unit.post("/admin/users/saksbehandler1/roles", {"roles": ["leder"]}
                     ).status_code == 403
    assert browser("admin1").post("/admin/users/saksbehandler1/trained",
                                  {"trained_coordinator": "0"}).status_code == 403


def test_units_are_added_with_members(browser, engine_do):
    unit = browser("koordinerende1")
    response = unit.post("/admin/units", {"key": "Ugyldig nøkkel", "name": "Barnevernet",
                                          "kind": "barnevern"})
    assert response.status_code == 422
    page = _text(response)
    assert 'id="unit-new-key-error"' in page and 'value="Barnevernet"' in page
    assert 'value="barnevern" selected' in page
    response = unit.post("/admin/units", {"key": "barnevernet", "name": "Barnevernet",
                                          "kind": "barnevern"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "#unit-barnevernet")
    response = unit.post("/admin/units/barnevernet/members", {"username": "ingen"})
    assert response.status_code == 422
    assert 'id="member-barnevernet-error"' in _text(response) and 'value="ingen"' in _text(
        response)
    assert unit.post("/admin/units/barnevernet/members",
                     {"username": "saksbehandler2", "home": "1"}).status_code == 302
    page = _text(unit.get("/admin/units"))
    assert "Barnevernet" in page and "Saksbehandler2 (saksbehandler2)" in page
    home = engine_do(lambda ctx: ctx.session.scalar(select(Unit.id).where(
        Unit.key == "barnevernet")))
    assert engine_do(lambda ctx: users.get_user(ctx, "saksbehandler2").unit_ids[0]) == home
    assert unit.post("/admin/units/barnevernet/members/remove",
                     {"username": "saksbehandler2"}).status_code == 302
    assert _kinds(engine_do)[-3:] == ["unit_added", "unit_member_added", "unit_member_removed"]


def test_the_admin_revokes_a_token_and_never_sees_it(browser, engine_do):
    row_id, token = engine_do(lambda ctx: (lambda issued: (issued[0].id, issued[1]))(
        api_tokens.issue(ctx, "saksbehandler1", "robot")))
    admin = browser("admin1")
    page = _text(admin.get("/admin/tokens"))
    assert "robot" in page and token not in page and "Trekk tilbake" in page
    response = admin.post(f"/admin/tokens/{row_id}/revoke", {"user": "saksbehandler1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/tokens?user=saksbehandler1"
    assert engine_do(lambda ctx: api_tokens.check(ctx, token).user) is None
    assert browser("koordinerende1").get("/admin/tokens").status_code == 403


def test_an_absence_is_registered_and_ended(browser, engine_do, web_env):
    today = engine_do(lambda ctx: ctx.today())
    leader = browser("leder1")
    response = leader.post("/admin/absences", {
        "username": "saksbehandler1", "stand_in": "koordinator1",
        "starts_on": today.isoformat(), "ends_on": "31.12"})
    assert response.status_code == 422
    page = _text(response)
    assert 'id="absence-ends_on-error"' in page and "åååå-mm-dd" in page
    assert 'value="saksbehandler1" selected' in page and f'value="{today.isoformat()}"' in page
    response = leader.post("/admin/absences", {
        "username": "saksbehandler1", "stand_in": "koordinator1",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=3)).isoformat()})
    assert response.status_code == 422 and 'id="absence-stand_in-error"' in _text(response)
    response = leader.post("/admin/absences", {
        "username": "saksbehandler1", "stand_in": "saksbehandler2",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=3)).isoformat()})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/absences"
    page = _text(leader.get("/admin/absences"))
    assert "Pågår" in page and "Saksbehandler2 (saksbehandler2)" in page
    absence_id = engine_do(lambda ctx: ctx.session.scalar(select(Absence.id)))
    assert leader.post(f"/admin/absences/{absence_id}/end").status_code == 302
    assert "Avsluttet" in _text(leader.get("/admin/absences?all=1"))
    assert _kinds(engine_do)[-2:] == ["absence_added", "absence_ended"]


@pytest.mark.parametrize("path", ["/admin/users", "/admin/units", "/admin/tokens",
                                  "/admin/absences", "/admin/"])
def test_other_roles_are_refused(browser, path):
    assert browser("saksbehandler1").get(path).status_code == 403
    assert browser("koordinator1").get(path).status_code == 403


def test_a_form_without_csrf_is_refused(browser):
    response = browser("admin1").post("/admin/users/saksbehandler1/roles",
                                      {"roles": ["leder"]}, csrf=False)
    assert response.status_code == 400
