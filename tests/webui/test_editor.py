"""The BPMN editor's routes (/processes/<key>/edit, files, drafts, deploy): only the coordinating
unit and admin may use them; saving validates and names the offending elements; a refused
deploy keeps the drafts and deploys nothing; a deploy makes version N+1 and removes the
drafts; hostile XML is refused and not stored."""
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.db.models import ProcessVersion
from engine.definitions import drafts
from tests.ip_sak_duration_timers import TIMER, duration_timer_text

pytestmark = pytest.mark.usefixtures("new_versions_removed")

ROOT = Path(__file__).resolve().parents[2]
IP_SAK = ROOT / "processes" / "ip_sak.bpmn"
BAD = ROOT / "tests" / "fixtures" / "bad"
ROUTES = [("get", "/processes/ip_sak/edit"), ("get", "/processes/ip_sak/files/ip_sak.bpmn"),
          ("post", "/processes/ip_sak/drafts/ip_sak.bpmn"),
          ("post", "/processes/ip_sak/drafts/discard"),
          ("post", "/processes/ip_sak/deploy")]


def ip_sak(timer='"P3W"') -> str:
    text = duration_timer_text()  # ip_sak with its escalation timer written "P1M"
    assert text.count(TIMER) == 1
    return text.replace(TIMER, TIMER.replace('"P1M"', timer))


class Editor:
    """A signed-in client that sends JSON with the CSRF header, as editor.js does."""

    def __init__(self, client):
        self.client = client
        client.get("/inbox/")
        self.token = client._token

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, body=None, csrf=True):
        headers = {"X-CSRFToken": self.token} if csrf else {}
        return self.client.client.post(url, json=body if body is not None else {},
                                       headers=headers, base_url=self.client.base_url)

    def save(self, content, name="ip_sak.bpmn", key="ip_sak"):
        return self.post(f"/processes/{key}/drafts/{name}", {"content": content})


@pytest.fixture
def editor(browser):
    return lambda username="koordinerende1": Editor(browser(username))


@pytest.fixture
def state(engine_do):
    """(newest ip_sak version, version count, draft names of ip_sak)."""
    def read():
        def run(ctx):
            newest = ctx.session.scalar(select(func.max(ProcessVersion.version))
                                        .where(ProcessVersion.process_key == "ip_sak"))
            count = ctx.session.scalar(select(func.count(ProcessVersion.id)))
            names = [d.filename for d in drafts.list_drafts(ctx, None, "ip_sak")]
            return newest, count, names
        return engine_do(run)
    return read


@pytest.mark.parametrize("username", ["saksbehandler1", "leder1", "koordinator1"])
def test_every_editor_route_is_403_for_other_roles(editor, state, engine_do, username):
    engine_do(lambda ctx: drafts.save(ctx, None, "ip_sak", "ip_sak.bpmn", ip_sak()))
    before = state()
    client = editor(username)
    for method, url in ROUTES:
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, {"content": ip_sak('"P1W"')})
        assert response.status_code == 403, (url, response.status_code)
        if method == "post":
            assert response.json["error"] == "forbidden"
    assert state() == before
    assert '"P3W"' in engine_do(lambda ctx: drafts.get(ctx, None, "ip_sak", "ip_sak.bpmn").content)


@pytest.mark.parametrize("username", ["koordinerende1", "admin1"])
def test_the_unit_and_admin_open_the_editor_with_the_newest_file(editor, username):
    client = editor(username)
    page = client.get("/processes/ip_sak/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="editor-canvas"' in html and "/processes/ip_sak/files/ip_sak.bpmn" in html
    assert '<option value="forelopig_svar.json">' in html  # the version's forms
    assert '<option value="koordinerende_enhet" data-name="Koordinerende enhet">' in html  # roles
    raw = client.get("/processes/ip_sak/files/ip_sak.bpmn")
    assert raw.status_code == 200 and raw.mimetype == "text/plain"
    assert raw.get_data(as_text=True) == IP_SAK.read_text(encoding="utf-8")


def test_the_editor_loads_the_draft_and_a_version_on_request(editor):
    client = editor()
    saved = client.save(ip_sak()).json
    assert saved == {"saved": True, "file": "ip_sak.bpmn", "problems": [],
                     "warnings": saved["warnings"],
                     "revision": saved["revision"]} and len(saved["revision"]) == 16
    # raw "P3W" timers on the interim-reply deadline: warned, not refused
    assert [(w["file"], w["element"]) for w in saved["warnings"]] == [
        ("ip_sak.bpmn", "timer_tre_uker"), ("ip_sak.bpmn", "timer_en_maned")]
    # in words; how to write it is the technical detail
    assert all("lovbestemt regel" in w["message"] and "legal_date" not in w["message"]
               and "legal_date" in w["detail"] for w in saved["warnings"])
    html = client.get("/processes/ip_sak/edit").get_data(as_text=True)
    assert ("Du redigerer utkastet av <code>ip_sak.bpmn</code>, sist lagret av "
            "koordinerende1") in html
    assert '"P3W"' in client.get("/processes/ip_sak/files/ip_sak.bpmn").get_data(as_text=True)
    deployed = client.get("/processes/ip_sak/files/ip_sak.bpmn?version=1").get_data(as_text=True)
    assert 'legal_date(mottatt_dato, "forelopig_svar")' in deployed
    assert client.get("/processes/ip_sak/files/ip_sak.bpmn?version=x").status_code == 400
    assert client.get("/processes/ip_sak/files/ip_sak.bpmn?version=999").status_code == 404
    assert client.get("/processes/ip_sak/files/nope.bpmn").status_code == 404
    assert client.get("/processes/no_such_process/edit").status_code == 404


def test_saving_an_invalid_draft_keeps_it_and_names_the_element(editor, state):
    client = editor()
    response = client.save(ip_sak("P3W"))  # unquoted
    assert response.status_code == 200
    assert response.json["saved"] is True
    [problem] = response.json["problems"]
    assert (problem["file"], problem["element"]) == ("ip_sak.bpmn", "timer_en_maned")
    assert problem["message"] == ('Verdien til tidsuret må stå i anførselstegn: skriv "P3W", '
                                  "ikke P3W")
    assert "unquoted" in problem["detail"]
    assert state()[2] == ["ip_sak.bpmn"]


def test_validation_problems_and_warnings_are_in_the_readers_language(editor):
    """A rule's finding (not only a parser's) reaches the editor in the reader's language, with
    the technical English as the detail."""
    client = editor()
    client.client.post("/lang", {"lang": "en", "next": "/inbox/"})
    body = client.save(ip_sak("P3W")).json
    [problem] = body["problems"]
    assert problem["message"] == 'The timer\'s value must be in quotes: write "P3W", not P3W'
    assert problem["detail"].startswith("timer expression P3W is an unquoted ISO 8601 literal")
    assert body["warnings"] and all(
        w["message"].startswith("The timer looks like a statutory deadline")
        for w in body["warnings"])
    client.client.post("/lang", {"lang": "nn", "next": "/inbox/"})
    [problem] = client.save(ip_sak("P3W")).json["problems"]
    assert problem["message"] == ('Verdien til tidsuret må stå i hermeteikn: skriv "P3W", '
                                  "ikkje P3W")


def test_a_refused_deploy_keeps_the_draft_and_deploys_nothing(editor, state, engine_do):
    client = editor()
    broken = ip_sak().replace('vedtak_ip == "innvilget"', 'vedtak_ip == "innvilget" and', 1)
    problems = client.save(broken).json["problems"]
    assert problems and all(p["element"] not in ("", "-") for p in problems)
    before = state()
    response = client.post("/processes/ip_sak/deploy")
    assert response.status_code == 422
    assert response.json["deployed"] is False
    assert {p["element"] for p in response.json["problems"]} == {p["element"] for p in problems}
    assert state() == before
    assert engine_do(lambda ctx: drafts.get(ctx, None, "ip_sak", "ip_sak.bpmn").content) == broken


def test_deploy_makes_the_next_version_and_removes_the_drafts(editor, state, engine_do):
    client = editor()
    newest, count, _ = state()
    assert client.save(ip_sak()).json["problems"] == []
    response = client.post("/processes/ip_sak/deploy")
    assert response.status_code == 201, response.json
    # deployed although the raw "P3W" timers are warned about
    assert [w["element"] for w in response.json["warnings"]] == ["timer_tre_uker",
                                                                 "timer_en_maned"]
    assert response.json == {
        "deployed": True, "created": True, "version": newest + 1,
        "warnings": response.json["warnings"],
        "library_url": "/processes/ip_sak",
        "migrations_url": f"/processes/ip_sak/migrations?to={newest + 1}"}
    assert state() == (newest + 1, count + 1, [])
    deployed = engine_do(lambda ctx: next(
        f.content for v in ctx.session.scalars(select(ProcessVersion).where(
            ProcessVersion.process_key == "ip_sak", ProcessVersion.version == newest + 1))
        for f in v.files if f.filename == "ip_sak.bpmn"))
    assert '"P3W"' in deployed
    assert engine_do(lambda ctx: ctx.session.scalar(select(ProcessVersion.deployed_by).where(
        ProcessVersion.process_key == "ip_sak", ProcessVersion.version == newest + 1))) \
        == "koordinerende1"
    # the same content again: nothing new, and the answer says so
    client.save(ip_sak())
    again = client.post("/processes/ip_sak/deploy")
    assert again.status_code == 200
    assert (again.json["created"], again.json["version"]) == (False, newest + 1)
    # nothing left to deploy
    nothing = client.post("/processes/ip_sak/deploy")
    assert nothing.status_code == 404 and nothing.json["error"] == "not_found"


@pytest.mark.parametrize("name", ["entity_bomb.bpmn", "external_entity.bpmn"])
def test_hostile_xml_is_refused_and_not_stored(editor, state, name):
    client = editor()
    before = state()
    response = client.save((BAD / name).read_text(encoding="utf-8"))
    assert response.status_code == 422
    body = response.json
    assert body["saved"] is False
    assert "DOCTYPE-deklarasjoner er ikke tillatt" in body["message"]
    assert body["problems"][0]["file"] == "ip_sak.bpmn"
    assert state() == before


@pytest.mark.parametrize("body", [None, {"content": 5}, {"text": "x"}, ["content"]])
def test_a_body_without_content_is_400(editor, state, body):
    client = editor()
    before = state()
    response = client.client.client.post(
        "/processes/ip_sak/drafts/ip_sak.bpmn", data="not json" if body is None else None,
        json=body, headers={"X-CSRFToken": client.token}, base_url=client.client.base_url)
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"
    assert state() == before


def test_bad_file_names_and_missing_csrf_are_refused(editor, state):
    client = editor()
    before = state()
    response = client.save("x", name="notes.txt")
    assert response.status_code == 422 and "ukjent filtype" in response.json["message"]
    assert client.post("/processes/ip_sak/drafts/ip_sak.bpmn", {"content": ip_sak()},
                       csrf=False).status_code == 400
    assert client.post("/processes/ip_sak/deploy", csrf=False).status_code == 400
    assert state() == before


def test_discard_removes_the_drafts(editor, state):
    client = editor()
    client.save(ip_sak())
    response = client.post("/processes/ip_sak/drafts/discard")
    assert response.status_code == 200 and response.json == {"discarded": 1}
    assert state()[2] == []
    html = client.get("/processes/ip_sak/edit").get_data(as_text=True)
    assert "Du redigerer <code>ip_sak.bpmn</code> fra versjon" in html


def test_a_draft_over_the_request_limit_is_413_and_not_stored(app, editor, state):
    """The app's request limit (MAX_CONTENT_LENGTH) comes first; editor.js says the file is
    too large."""
    client = editor()
    before = state()
    response = client.save("x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413
    assert state() == before


def test_two_members_saving_the_same_file_the_later_is_told_and_nothing_is_replaced(
        editor, state, engine_do):
    kim, ada = editor("koordinerende1"), editor("admin1")
    for client in (kim, ada):  # both open the editor on the deployed file
        page = client.get("/processes/ip_sak/edit").get_data(as_text=True)
        assert '"revision": ""' in page
    original = IP_SAK.read_text(encoding="utf-8")
    first = kim.post("/processes/ip_sak/drafts/ip_sak.bpmn",
                     {"content": original.replace("Sende foreløpig svar", "Kims navn"), "base": ""})
    assert first.status_code == 200 and first.json["saved"] and first.json["revision"]
    late = ada.post("/processes/ip_sak/drafts/ip_sak.bpmn",
                    {"content": original.replace("Sende foreløpig svar", "Adas navn"), "base": ""})
    assert late.status_code == 409 and "koordinerende1" in late.json["message"]
    stored = engine_do(lambda ctx: drafts.get(ctx, None, "ip_sak", "ip_sak.bpmn").content)
    assert "Kims navn" in stored and "Adas navn" not in stored
    # kim saves again from what she saved: accepted
    again = kim.post("/processes/ip_sak/drafts/ip_sak.bpmn",
                     {"content": original.replace("Sende foreløpig svar", "Kims andre"),
                      "base": first.json["revision"]})
    assert again.status_code == 200, again.json
    assert kim.post("/processes/ip_sak/drafts/discard").status_code == 200


def test_parser_errors_are_in_the_readers_language(editor, state):
    """A file that does not parse: the problem says what and where in words, in the reader's
    language; the parser's own (English) text is the detail, never the headline."""
    client = editor()
    broken = ip_sak().replace("</bpmn:definitions>", "</bpmn:definitionz>")
    body = client.save(broken).json
    assert body["saved"] is False
    assert body["message"].startswith("ip_sak.bpmn: Ikke gyldig XML: en slutt-tagg passer "
                                      "ikke med start-taggen (linje ")
    assert "mismatch" not in body["message"]
    client.client.post("/lang", {"lang": "en", "next": "/inbox/"})
    body = client.save(broken).json
    assert body["message"].startswith("ip_sak.bpmn: Not valid XML: an end tag does not match "
                                      "its start tag (line ")
    client.client.post("/lang", {"lang": "nn", "next": "/inbox/"})
    body = client.save(broken).json
    assert body["message"].startswith("ip_sak.bpmn: Ikkje gyldig XML: ein slutt-tagg passar "
                                      "ikkje med start-taggen (linje ")


def test_the_editor_page_carries_the_problems_of_a_stored_draft(editor, engine_do):
    """Reopened, a broken draft shows its problems (validated on load), never "no problems"."""
    client = editor()
    broken = ip_sak(timer='"P3W" +')  # a timer expression that does not compile
    assert client.save(broken).json["problems"]
    html = client.get("/processes/ip_sak/edit").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="editor-data">(.*?)'
                                r"</script>", html, re.S).group(1))
    assert data["problems"] and all(p["file"] == "ip_sak.bpmn" for p in data["problems"])
    assert re.search(r'<p id="problems-none" class="empty" hidden>', html)
    engine_do(lambda ctx: drafts.discard(ctx, None, "ip_sak"))
    html = client.get("/processes/ip_sak/edit").get_data(as_text=True)
    assert '<p id="problems-none" class="empty">' in html
