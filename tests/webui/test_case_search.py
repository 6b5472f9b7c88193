"""Finding cases and persons (issue 14, item 7): the case list searches by a part of a name,
fødselsnummer, birth date and every common form of a case number, with filters and sorting;
a case with no open task is found like any other; a coordinator finds only what they may
read; the search text is never logged. The person page shows relations, plan and cases."""
from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.cases import demo_persons
from engine.db.models import AuditEvent, Case, HumanTask, Person
from engine.persons import identity, search

OSLO = ZoneInfo("Europe/Oslo")


def _do(env, fn):
    with env.unit_of_work() as ctx:
        return fn(ctx)


def _case(env, name):
    return _do(env, lambda ctx: ctx.session.scalars(
        select(Case).where(Case.person_name == name)).one())


def _numbers(html: str) -> list[str]:
    return re.findall(r">(IP-\d{4}-\d{5})</a>", html)


def test_search_by_name_number_birth_date_and_every_case_number_form(demo_env, site):
    officer = site("saksbehandler1")
    sofie = _case(demo_env, "Sofie Lie")
    person = _do(demo_env, lambda ctx: ctx.session.get(Person, sofie.person_id))
    year, serial = sofie.case_number.split("-")[1:]
    for query in ("lie", "Sofie", "sofie lie", person.national_id,
                  person.national_id[:6] + " " + person.national_id[6:],
                  person.birth_date.strftime("%d.%m.%Y"), sofie.case_number,
                  f"ip-{year}-{int(serial)}", serial, f"{year}/{int(serial)}"):
        html = officer.get("/cases/", query_string={"q": query, "status": "all"}) \
            .get_data(as_text=True)
        assert sofie.case_number in _numbers(html), query
    assert _numbers(officer.get("/cases/?q=finnesikke").get_data(as_text=True)) == []


def test_a_case_with_no_open_task_is_found(demo_env, site):
    nils = _case(demo_env, "Nils Dahl")
    assert _do(demo_env, lambda ctx: ctx.session.scalars(select(HumanTask).where(
        HumanTask.case_id == nils.id, HumanTask.status == "open")).all()) == []
    html = site("leder1").get("/cases/?q=nils").get_data(as_text=True)
    assert nils.case_number in _numbers(html)


def test_filters_and_sorting(demo_env, site):
    officer = site("saksbehandler1")
    everything = _numbers(officer.get("/cases/?status=all&sort=case_number")
                          .get_data(as_text=True))
    assert everything == sorted(everything, reverse=True) and len(everything) == 11
    child = _numbers(officer.get("/cases/?service=barnekoordinator").get_data(as_text=True))
    assert child == [_case(demo_env, "Barn av Maria Solberg").case_number]
    mine = _numbers(site("koordinator1").get("/cases/?responsible=mine").get_data(as_text=True))
    assert _case(demo_env, "Emma Berg").case_number in mine
    assert _case(demo_env, "Kari Nordmann").case_number not in mine
    by_name = officer.get("/cases/?sort=name&status=all").get_data(as_text=True)
    names = re.findall(r'href="/persons/\d+">([^<]+)</a>', by_name)
    assert names == sorted(names, key=str.casefold)


def test_bad_parameters_are_a_clear_400_and_the_rest_still_works(site):
    response = site("saksbehandler1").get("/cases/?status=sometimes&sort=x&offset=-1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Velg åpne, avsluttede eller alle saker." in html and "Ugyldig side." in html


def test_a_coordinator_finds_only_what_they_may_read(demo_env, site):
    html = site("koordinator2").get("/cases/?status=all").get_data(as_text=True)
    assert _case(demo_env, "Per Olsen").case_number not in _numbers(html)
    assert "Per Olsen" not in html
    assert _numbers(site("admin1").get("/cases/?q=olsen").get_data(as_text=True)) == []


def test_the_search_text_is_never_logged(demo_env, site):
    site("saksbehandler1").get("/cases/?q=Hansen")
    events = _do(demo_env, lambda ctx: ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "case_search")).all())
    assert events and all("Hansen" not in str(e.details) for e in events)
    assert events[-1].details["matched_as"] == "name"


def test_the_person_page_shows_relations_plan_and_cases(demo_env, site):
    sofie = _case(demo_env, "Sofie Lie")
    html = site("saksbehandler1").get(f"/persons/{sofie.person_id}").get_data(as_text=True)
    assert "Hanne Lie" in html and "Jon Lie" in html and "har foreldreansvar" in html
    assert sofie.case_number in html and f"/plans/{sofie.plan_id}" in html
    assert _do(demo_env, lambda ctx: ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "person_read", AuditEvent.person_id == sofie.person_id)).first())
    arne = _case(demo_env, "Arne Hansen")
    html = site("saksbehandler1").get(f"/persons/{arne.person_id}").get_data(as_text=True)
    assert "uten fullmakt: ingen helseopplysninger" in html


def test_the_person_page_refuses_a_coordinator_without_relation(demo_env, site):
    per = _case(demo_env, "Per Olsen")
    assert site("koordinator2").get(f"/persons/{per.person_id}").status_code == 403
    emma = _case(demo_env, "Emma Berg")
    assert site("koordinator1").get(f"/persons/{emma.person_id}").status_code == 200


def test_person_search(demo_env, site):
    html = site("saksbehandler1").get("/persons/?q=vik").get_data(as_text=True)
    assert "Nora Vik" in html and "Strengt fortrolig adresse (kode 6)" in html


def test_inbox_rows_show_the_person_the_case_type_and_the_received_date(demo_env, site):
    kari = _case(demo_env, "Kari Nordmann")
    html = site("saksbehandler1").get("/inbox/?view=roles").get_data(as_text=True)
    row = html[html.index(f">{kari.case_number}</a>"):][:600]
    assert "Kari Nordmann" in row and "Individuell plan, Koordinator" in row
    assert f"mottatt {kari.received_on:%d.%m.%Y}" in row
    admin = site("admin1").get("/inbox/?view=roles").get_data(as_text=True)
    assert "Kari Nordmann" not in admin  # the administrator sees no personal data


def test_a_name_matching_too_many_persons_says_so(demo_env, site, monkeypatch):
    monkeypatch.setattr(search, "NAME_MATCH_CAP", 1)
    html = site("saksbehandler1").get("/cases/?q=hansen&status=all").get_data(as_text=True)
    assert 'id="too-many"' in html and len(_numbers(html)) == 1
    html = site("saksbehandler1").get("/cases/?q=arne hansen&status=all").get_data(as_text=True)
    assert 'id="too-many"' not in html and len(_numbers(html)) == 1


def test_a_relation_is_registered_on_the_person_page(demo_env, site):
    nils = _case(demo_env, "Nils Dahl")
    officer = site("saksbehandler1")
    number = identity.synthetic(date(1975, 5, 5), 77)
    bad = officer.post(f"/persons/{nils.person_id}/relations", {
        "kind": "parorende", "related_name": "Siv Dahl", "related_national_id": "123"})
    assert bad.status_code == 422 and "11 sifre" in bad.get_data(as_text=True)
    added = officer.post(f"/persons/{nils.person_id}/relations", {
        "kind": "parorende", "related_name": "Siv Dahl", "related_national_id": number,
        "fullmakt_scope": ["helseopplysninger", "brev"], "fullmakt_signed_on": "2025-12-01",
        "fullmakt_document": "2025/1234-5"})
    assert added.status_code == 302
    html = officer.get(f"/persons/{nils.person_id}").get_data(as_text=True)
    assert "Siv Dahl" in html and "Motta helseopplysninger" in html and "2025/1234-5" in html
    assert site("koordinator2").post(f"/persons/{nils.person_id}/relations", {
        "kind": "verge", "related_name": "X", "related_birth_date": "1970-01-01"}) \
        .status_code == 403


def test_a_refused_read_of_a_person_is_in_the_audit_log_for_the_person(demo_env, site):
    per = _case(demo_env, "Per Olsen")
    assert site("koordinator2").get(f"/persons/{per.person_id}").status_code == 403
    refused = _do(demo_env, lambda ctx: ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "read_refused", AuditEvent.person_id == per.person_id)).all())
    assert [(e.actor, e.details["what"]) for e in refused] == [
        ("koordinator2", f"GET /persons/{per.person_id}")]


def test_the_person_is_edited_on_the_person_page_and_a_stale_form_loses(demo_env, site):
    nils = _case(demo_env, "Nils Dahl")
    officer = site("saksbehandler1")
    html = officer.get(f"/persons/{nils.person_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    form = {"version": version, "name": "Nils  Dahl", "address": "Storgata 1",
            "postal_code": "0155", "postal_place": "Oslo", "protection": "fortrolig",
            "preferred_channel": "paper"}
    assert officer.post(f"/persons/{nils.person_id}", form).status_code == 302
    html = officer.get(f"/persons/{nils.person_id}").get_data(as_text=True)
    assert "Storgata 1" in html and "Fortrolig adresse (kode 7)" in html
    assert _case(demo_env, "Nils Dahl").person_name == "Nils Dahl"  # the cases follow
    stale = officer.post(f"/persons/{nils.person_id}", {**form, "name": "Nils Dal"})
    assert stale.status_code == 409
    coordinator = site("koordinator1").get(f"/persons/{nils.person_id}")
    assert "Storgata 1" not in coordinator.get_data(as_text=True)  # fortrolig: hidden
    assert site("koordinator1").post(f"/persons/{nils.person_id}", form).status_code == 403
    bad = officer.post(f"/persons/{nils.person_id}", {**form, "version": str(int(version) + 1),
                                                      "protection": "hemmelig"})
    assert bad.status_code == 422


def test_a_strictly_protected_address_is_on_the_officers_person_page_only(demo_env, site):
    nora = _case(demo_env, "Nora Vik")
    address = demo_persons.PROTECTED_ADDRESS
    officer = site("saksbehandler1").get(f"/persons/{nora.person_id}").get_data(as_text=True)
    assert address in officer and "Strengt fortrolig adresse (kode 6)" in officer
    coordinator = site("koordinator1")
    responses = [coordinator.get(path) for path in (
        f"/persons/{nora.person_id}", "/cases/?q=nora", f"/cases/?q={nora.case_number}",
        f"/cases/{nora.id}", "/inbox/?view=mine", "/persons/?q=vik")]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 403]
    for response in responses:
        assert address not in response.get_data(as_text=True), response.request.path
    person = responses[0].get_data(as_text=True)
    assert "Adressen er skjermet" in person and "Strengt fortrolig adresse (kode 6)" in person
    assert nora.case_number in _numbers(responses[1].get_data(as_text=True))
    assert "Strengt fortrolig adresse (kode 6)" in responses[1].get_data(as_text=True)


def test_the_person_page_lists_each_cases_coordinator_and_open_tasks(demo_env, site):
    kari = _case(demo_env, "Kari Nordmann")
    tasks = _do(demo_env, lambda ctx: ctx.session.scalars(select(HumanTask).where(
        HumanTask.case_id == kari.id, HumanTask.status == "open")).all())
    html = site("saksbehandler1").get(f"/persons/{kari.person_id}").get_data(as_text=True)
    table = html[html.index('id="person-cases"'):]
    table = table[:table.index("</table>")]
    assert kari.case_number in table and tasks
    for task in tasks:
        assert task.name in table
        if task.due_at:
            assert f"frist {task.due_at.astimezone(OSLO):%d.%m.%Y}" in table
    assert "(ikke tatt)" in table or any(t.assignee and t.assignee in table for t in tasks)
    emma = _case(demo_env, "Emma Berg")
    html = site("saksbehandler1").get(f"/persons/{emma.person_id}").get_data(as_text=True)
    assert f"<td data-label=\"Koordinator\">{emma.coordinator}</td>" in html


def test_a_bad_overdue_value_is_named(site):
    response = site("saksbehandler1").get("/cases/?overdue=ja")
    assert response.status_code == 400
    assert "«Bare saker med frist på overtid» er 1 eller tom." in response.get_data(as_text=True)
    assert site("saksbehandler1").get("/cases/?overdue=1&status=all").status_code == 200


def test_the_list_pages_with_next_and_previous(demo_env, site, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 4)
    officer = site("saksbehandler1")
    seen, path, pages = [], "/cases/?status=all&sort=case_number", []
    while path:
        html = officer.get(path).get_data(as_text=True)
        pages.append(html)
        seen += _numbers(html)
        following = re.search(r'<a href="(\?[^"]+)">Neste side</a>', html)
        path = "/cases/" + following.group(1).replace("&amp;", "&") if following else None
    assert [len(_numbers(p)) for p in pages] == [4, 4, 3]
    assert len(seen) == 11 and seen == sorted(seen, reverse=True)
    assert "Forrige side" not in pages[0] and "Forrige side" in pages[2]
    back = re.search(r'<a href="(\?[^"]+)">Forrige side</a>', pages[2]).group(1)
    assert _numbers(officer.get("/cases/" + back.replace("&amp;", "&")).get_data(as_text=True)) \
        == seen[4:8]
