"""Hostile input gets a 4xx, never a 500 (issue 13, finding 8): ids beyond the Integer column,
digits such as «²» that str.isdigit() takes and int() refuses, 5,000-digit numbers, page
offsets beyond the bigint range, NUL bytes and lone surrogates, JSON nested 100,000 deep."""
import re

import pytest
from werkzeug.datastructures import MultiDict

from webui import forms

BENCH = "bench_two_user_tasks"
TOO_BIG = str(2**31)          # one above the largest Integer on PostgreSQL
HUGE = "9" * 5000             # more digits than int() takes from text (4,300)
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def officer(api):
    return api("saksbehandler1")


@pytest.fixture
def open_task(officer) -> dict:
    response = officer.post("/api/v1/cases", json={"process": BENCH, "data": {}})
    assert response.status_code == 201, response.json
    return response.json["open_tasks"][0]


@pytest.mark.parametrize(("method", "path"), [
    ("get", f"/cases/{TOO_BIG}"), ("get", f"/tasks/{TOO_BIG}"),
    ("post", f"/tasks/{TOO_BIG}"), ("post", f"/tasks/{TOO_BIG}/claim"),
    ("post", f"/tasks/{TOO_BIG}/unclaim"), ("post", f"/tasks/{TOO_BIG}/assign"),
    ("post", f"/notices/{TOO_BIG}/ack"),
])
def test_page_ids_beyond_the_column_are_404(browser, method, path):
    client = browser("saksbehandler1")
    response = getattr(client, method)(path)
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    assert "Siden finnes ikke" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path"), [
    ("get", f"/api/v1/cases/{TOO_BIG}"),
    ("post", f"/api/v1/tasks/{TOO_BIG}/claim"), ("post", f"/api/v1/tasks/{TOO_BIG}/unclaim"),
    ("post", f"/api/v1/tasks/{TOO_BIG}/assign"), ("post", f"/api/v1/tasks/{TOO_BIG}/complete"),
    ("post", f"/api/v1/notices/{TOO_BIG}/ack"),
])
def test_api_ids_beyond_the_column_are_404(officer, method, path):
    kwargs = {"json": {"assignee": "saksbehandler1", "data": {}}} if method == "post" else {}
    response = getattr(officer, method)(path, **kwargs)
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    assert response.json["error"] == "not_found"


@pytest.mark.parametrize("query", [
    "per_page=²", f"per_page={HUGE}", "page=99999999999999999999", f"page={TOO_BIG}0",
])
def test_api_task_list_numbers_are_400(officer, query):
    response = officer.get(f"/api/v1/tasks?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["error"] == "bad_request"


def test_inbox_page_beyond_range_is_a_filter_error(browser):
    response = browser("saksbehandler1").get("/inbox/?page=99999999999999999999")
    assert response.status_code == 200
    assert "Side er et positivt heltall" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/processes/ip_sak/heatmap.json?version=²", f"/processes/ip_sak/heatmap.json?version={TOO_BIG}",
    "/processes/ip_sak/diff?from=1&to=²", f"/processes/ip_sak/diff?from={TOO_BIG}&to=1",
    f"/processes/ip_sak/diff?from=1&to={HUGE}",
    "/processes/ip_sak/files/ip_sak.bpmn?version=²",
    f"/processes/ip_sak/files/ip_sak.bpmn?version={TOO_BIG}",
    f"/processes/ip_sak/migrations?to={TOO_BIG}",
])
def test_definition_page_numbers_are_400(browser, path):
    response = browser("koordinerende1").get(path)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("body", [
    {"to_version": 2**31}, {"to_version": 10**40}, {"offset": 2**63}, {"limit": 2**63},
    {"cases": [2**31], "run": True}, {"seen": {"²": "token"}, "run": True},
])
def test_api_migration_numbers_are_400(api, body):
    response = api("koordinerende1").post("/api/v1/processes/ip_sak/migrations", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["error"] == "bad_request"


def test_api_version_beyond_the_column_is_422(officer, open_task):
    response = officer.post(f"/api/v1/tasks/{open_task['id']}/claim", json={"version": 2**40})
    assert response.status_code == 422, response.json
    assert "version" in response.json["errors"]


@pytest.mark.parametrize("version", ["²", HUGE, TOO_BIG])
def test_task_form_version_must_be_ascii_digits(browser, open_task, version):
    response = browser("saksbehandler1").post(f"/tasks/{open_task['id']}/claim",
                                              {"version": version})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "version" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["²", HUGE, TOO_BIG])
def test_bulk_task_ids_must_be_ascii_digits(browser, open_task, value):
    response = browser("saksbehandler1").post(
        "/inbox/bulk", MultiDict([("task", str(open_task["id"])), ("task", value),
                                  ("bulk", "claim")]))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_list_row_indexes_take_ascii_digits_only():
    assert forms.posted_rows(MultiDict([("tiltak.².navn", "x"), ("tiltak.0.navn", "y")]),
                             "tiltak") == 1
    data = {"tiltak": [{"navn": "a"}, {"navn": "b"}]}
    assert forms.remove_row(data, "tiltak.²") == {"tiltak": [{"navn": "a"}, {"navn": "b"}]}
    assert forms.remove_row(data, "tiltak.1") == {"tiltak": [{"navn": "a"}]}


@pytest.mark.parametrize("text", ["a\x00b", "\x00"])
def test_nul_in_a_form_post_is_400(browser, text):
    client = browser("saksbehandler1")
    response = client.post("/inbox/filters", {"name": text, "back": "view=mine"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/inbox/?case=IP%00", "/processes/ip%00sak",
                                  "/processes/ip_sak/diff?from=1&to=2&x%00=1"])
def test_nul_in_the_path_or_query_is_400(browser, path):
    response = browser("koordinerende1").get(path)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("text", ["a\\u0000b", "\\ud800", "x\\udfffy"])
def test_nul_or_lone_surrogate_in_json_is_400(officer, text):
    raw = ('{"process": "ip_sak", "data": {"navn": "%s", "fodselsdato": "1970-03-01", '
           '"mottatt_dato": "2026-01-05"}}' % text)
    response = officer.post("/api/v1/cases", data=raw, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "NUL" in response.json["message"]


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/tasks/1/complete",
                                  "/api/v1/processes/ip_sak/migrations"])
def test_json_nested_100000_deep_is_400(api, path):
    response = api("koordinerende1").post(path, data=DEEP, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["error"] == "bad_request"


def test_json_deeper_than_the_bound_is_400_and_shallower_passes(officer):
    deep = '{"process": "%s", "data": %s}' % (BENCH, "[" * 70 + "]" * 70)
    response = officer.post("/api/v1/cases", data=deep, content_type="application/json")
    assert response.status_code == 400 and "64" in response.json["message"]
    fine = officer.post("/api/v1/cases", json={"process": BENCH, "data": {}})
    assert fine.status_code == 201


def test_editor_draft_nested_too_deep_is_400(browser):
    client = browser("koordinerende1")
    client.get("/inbox/")
    response = client.client.post("/processes/ip_sak/drafts/ip_sak.bpmn", data=DEEP,
                                  content_type="application/json", base_url=client.base_url,
                                  headers={"X-CSRFToken": client._token})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "nøstet dypere enn 64" in response.get_data(as_text=True)


@pytest.mark.parametrize("limit", [1, 9, 10, 99, 205, 1000, 2**31 - 1])
def test_the_id_pattern_takes_exactly_1_to_the_limit(limit):
    from webui.parsing import _up_to
    pattern = re.compile(_up_to(limit))
    window = [*range(1200), *range(limit - 600, limit + 600)]
    assert {n for n in window if pattern.fullmatch(str(n))} == {
        n for n in window if 1 <= n <= limit}
    assert not pattern.fullmatch("01") and not pattern.fullmatch("²")
