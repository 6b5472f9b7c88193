"""The JSON API for persons, relations, plans, participants, consents, meetings and search
(issue 14, item 9): each operation's answer and its refusals."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from engine.cases import demo
from engine.db.models import Person, Plan
from engine.persons import identity
from engine.plans import coordinators, lifecycle

NUMBER = identity.synthetic(date(1980, 4, 2), 31)
CHILD = identity.synthetic(date(2015, 6, 1), 600)


def _person(api, **body):
    return api("saksbehandler1").post("/api/v1/persons", json={
        "name": "Astrid Berg", "national_id": NUMBER, **body})


def _plan(api, engine_do) -> tuple[int, int]:
    """A person with an approved plan coordinated by koordinator1: (person id, plan id)."""
    person_id = _person(api).json["id"]

    def make(ctx):
        plan = Plan(person_id=person_id, status="utkast", contributions={},
                    approved_version=0, created_at=ctx.now(), created_by="test",
                    main_goal="Bo trygt hjemme", next_review=date(2027, 1, 4))
        ctx.session.add(plan)
        ctx.session.flush()
        coordinators.appoint(ctx, plan, "koordinator1", "test")
        lifecycle.approve(ctx, plan, "test")
        return plan.id
    return person_id, engine_do(make)


def test_register_find_and_read_a_person(api, engine_do):
    created = _person(api, address="Fjordveien 1", postal_code="5003",
                      postal_place="Bergen", protection="strengt_fortrolig")
    assert created.status_code == 201 and created.json["birth_date"] == "1980-04-02"
    person_id = created.json["id"]
    again = _person(api)
    assert again.status_code == 409 and again.json["id"] == person_id
    assert engine_do(lambda ctx: ctx.session.scalar(select(func.count(Person.id)))) == 1
    found = api("saksbehandler1").get("/api/v1/persons?q=astrid").json["persons"]
    assert [p["id"] for p in found] == [person_id]
    by_number = api("leder1").get(f"/api/v1/persons?q={NUMBER}").json["persons"]
    assert by_number[0]["address"] == ["Fjordveien 1", "5003 Bergen"]
    detail = api("saksbehandler1").get(f"/api/v1/persons/{person_id}").json
    assert detail["active_plan_id"] is None and detail["cases"] == []
    assert api("koordinator1").get(f"/api/v1/persons/{person_id}").status_code == 403
    assert api("koordinator1").get("/api/v1/persons?q=astrid").status_code == 403
    assert api("koordinator1").post("/api/v1/persons", json={
        "name": "X", "birth_date": "1990-01-01"}).status_code == 403


def test_bad_person_data_is_a_422_naming_each_field(api):
    response = api("saksbehandler1").post("/api/v1/persons", json={
        "name": "", "national_id": "12345678901", "birth_date": "01.02.1990", "extra": 1})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"birth_date", "extra"}
    response = api("saksbehandler1").post("/api/v1/persons", json={
        "name": "", "national_id": "12345678901"})
    assert {"name", "national_id"} <= set(response.json["errors"])
    assert api("saksbehandler1").post("/api/v1/persons", data="x").status_code == 400


def test_relations_and_birth(api):
    parent = _person(api).json["id"]
    child = api("saksbehandler1").post("/api/v1/persons", json={
        "name": "Barn av Astrid Berg", "due_date": "2026-06-01"}).json["id"]
    added = api("saksbehandler1").post(f"/api/v1/persons/{child}/relations", json={
        "related_id": parent, "kind": "forelder", "parental_responsibility": True})
    assert added.status_code == 201
    again = api("saksbehandler1").post(f"/api/v1/persons/{child}/relations", json={
        "related_id": parent, "kind": "forelder"})
    assert again.status_code == 409
    born = api("saksbehandler1").post(f"/api/v1/persons/{child}/birth",
                                      json={"national_id": CHILD})
    assert born.status_code == 200 and born.json["birth_date"] == "2015-06-01"
    relations = api("saksbehandler1").get(f"/api/v1/persons/{child}").json["relations"]
    assert [(r["kind"], r["parental_responsibility"]) for r in relations] == [("forelder", True)]


def test_a_case_takes_the_person_by_number_and_joins_their_plan(api, engine_do):
    person_id, plan_id = _plan(api, engine_do)
    data = demo._application("Astrid Berg", "1980-04-02", "2026-12-01")
    response = api("saksbehandler1").post("/api/v1/cases", json={
        "process": "ip_sak", "data": data, "national_id": NUMBER})
    assert response.status_code == 201 and response.json["process"] == "plan_tilslutning"
    detail = api("saksbehandler1").get(f"/api/v1/persons/{person_id}").json
    assert detail["active_plan_id"] == plan_id and len(detail["cases"]) == 1
    plan = api("saksbehandler1").get(f"/api/v1/persons/{person_id}/plan").json
    assert plan["id"] == plan_id and plan["sections"]["mal"]["hovedmal"] == "Bo trygt hjemme"
    assert api("saksbehandler1").post("/api/v1/cases", json={
        "process": "ip_sak", "data": data, "person_id": "1"}).status_code == 400
    other = _person(api, national_id=identity.synthetic(date(1975, 1, 1), 32)).json["id"]
    assert api("saksbehandler1").get(f"/api/v1/persons/{other}/plan").status_code == 404


def test_participants_consents_and_withdrawal_end_access_at_once(api, engine_do):
    _person_id, plan_id = _plan(api, engine_do)
    coordinator = api("koordinator1")
    added = coordinator.post(f"/api/v1/plans/{plan_id}/participants", json={
        "name": "Kåre Koordinator", "role": "Fastlegekontoret", "username": "koordinator2"})
    assert added.status_code == 201
    assert api("koordinator2").get(f"/api/v1/plans/{plan_id}").status_code == 403
    consent = coordinator.post(f"/api/v1/plans/{plan_id}/consents", json={
        "participant_id": added.json["id"], "scope": "deler", "sections": ["tiltak"],
        "given_by_name": "Astrid Berg", "given_by_role": "personen", "given_on": "2026-01-05"})
    assert consent.status_code == 201, consent.json
    seen = api("koordinator2").get(f"/api/v1/plans/{plan_id}").json
    assert set(seen["sections"]) == {"tiltak"} and seen["meetings"] is None
    withdrawn = coordinator.post(
        f"/api/v1/plans/{plan_id}/consents/{consent.json['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn_at"]
    assert api("koordinator2").get(f"/api/v1/plans/{plan_id}").status_code == 403
    assert api("koordinator2").post(f"/api/v1/plans/{plan_id}/participants", json={
        "name": "X", "role": "Y"}).status_code == 403
    bad = coordinator.post(f"/api/v1/plans/{plan_id}/consents", json={
        "scope": "hele_planen", "given_by_name": "A", "given_by_role": "personen",
        "given_on": "2026-01-05"})
    assert bad.status_code == 422 and "scope" in bad.json["errors"]


def test_meetings_versions_and_search(api, engine_do):
    _person_id, plan_id = _plan(api, engine_do)
    data = demo._application("Astrid Berg", "1980-04-02", "2026-12-01")
    api("saksbehandler1").post("/api/v1/cases", json={  # a case on the plan carries tasks
        "process": "ip_sak", "data": data, "national_id": NUMBER})
    meeting = api("koordinator1").post(f"/api/v1/plans/{plan_id}/meetings", json={
        "held_on": "2026-01-05", "attendees": ["Astrid Berg", "Kari Koordinator"],
        "minutes": "Gjennomgang", "action_items": [
            {"what": "Søke om BPA", "responsible_name": "Siri",
             "responsible_username": "saksbehandler1", "due_on": "2026-02-01"}]})
    assert meeting.status_code == 201 and meeting.json["action_items"][0]["task_id"]
    versions = api("saksbehandler1").get(f"/api/v1/plans/{plan_id}/versions").json
    assert [v["number"] for v in versions["versions"]] == [1]
    one = api("saksbehandler1").get(f"/api/v1/plans/{plan_id}/versions/1").json
    assert one["sections"]["mal"]["hovedmal"] == "Bo trygt hjemme"
    assert api("saksbehandler1").get(f"/api/v1/plans/{plan_id}/versions/9").status_code == 404
    found = api("saksbehandler1").get("/api/v1/cases?q=berg&status=all").json
    assert found["matched_as"] == "name" and found["cases"]
    bad = api("saksbehandler1").get("/api/v1/cases?status=x&limit=0")
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"status", "limit"}
    assert api("admin1").get("/api/v1/cases").status_code == 403


def test_through_the_api_the_join_task_adds_the_participant_and_revises(api, engine_do):
    _person_id, plan_id = _plan(api, engine_do)
    data = demo._application("Astrid Berg", "1980-04-02", "2026-01-05", nav_basert=True)
    case = api("saksbehandler1").post("/api/v1/cases", json={
        "process": "ip_sak", "data": data, "national_id": NUMBER}).json
    [task] = case["open_tasks"]
    assert (task["name"], task["assignee"]) == ("Legge til deltaker og revidere planen",
                                                "koordinator1")
    done = api("koordinator1").post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {
        "deltaker_navn": "NAV Sentrum", "deltaker_rolle": "NAV-veileder",
        "tilgang": "hele_planen", "neste_evaluering": "2026-09-01"}})
    assert done.status_code == 200, done.json
    plan = api("koordinator1").get(f"/api/v1/plans/{plan_id}").json
    assert plan["approved_version"] == 2 and plan["next_review"] == "2026-09-01"
    assert "NAV Sentrum" in [p["name"] for p in plan["participants"]]
    versions = api("koordinator1").get(f"/api/v1/plans/{plan_id}/versions/1/compare/2").json
    assert set(versions["changes"]) == {"deltakere", "periode"}


def test_through_the_api_a_16th_birthday_gives_the_coordinator_the_consent_task(
        api, engine_do, web_env, clock):
    from engine.scheduling import scheduler
    born = date(2010, 1, 20)  # 16 on 20 January 2026; the clock starts on 5 January
    person = api("saksbehandler1").post("/api/v1/persons", json={
        "name": "Sofie Lie", "national_id": identity.synthetic(born, 611)}).json

    def plan_with_parents_consent(ctx):
        plan = Plan(person_id=person["id"], status="utkast", contributions={},
                    approved_version=0, created_at=ctx.now(), created_by="test",
                    main_goal="Skolehverdagen", next_review=date(2026, 8, 1))
        ctx.session.add(plan)
        ctx.session.flush()
        coordinators.appoint(ctx, plan, "koordinator1", "test")
        lifecycle.approve(ctx, plan, "test")
        return plan.id
    plan_id = engine_do(plan_with_parents_consent)
    data = demo._application("Sofie Lie", born.isoformat(), "2026-01-05")
    api("saksbehandler1").post("/api/v1/cases", json={"process": "ip_sak", "data": data,
                                                      "person_id": person["id"]})
    consent = api("koordinator1").post(f"/api/v1/plans/{plan_id}/consents", json={
        "scope": "planen", "given_by_name": "Hanne Lie", "given_by_role": "forelder",
        "given_on": "2026-01-05"})
    assert consent.status_code == 201
    scheduler.sweep(web_env)
    tasks = api("koordinator1").get("/api/v1/tasks?view=mine").json["tasks"]
    assert "Innhente samtykke fra den unge" not in [t["name"] for t in tasks]
    clock.advance(days=15)  # 20 January: sixteen
    report = scheduler.sweep(web_env)
    assert any("samtykke_ved_16" in line for line in report.notices)
    tasks = api("koordinator1").get("/api/v1/tasks?view=mine").json["tasks"]
    assert "Innhente samtykke fra den unge" in [t["name"] for t in tasks]
