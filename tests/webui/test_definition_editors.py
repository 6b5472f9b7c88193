"""The form (JSON Schema) and decision table (DMN) editors of the coordinating unit: the live
preview, drafts, deploying them as a version that new cases use, refusals that deploy
nothing and keep the drafts, and 403 for every other role on every route."""
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.db.models import ProcessDraft, ProcessVersion
from engine.definitions import drafts

pytestmark = pytest.mark.usefixtures("new_versions_removed")

ROOT = Path(__file__).resolve().parents[2]
KARTLEGGING = (ROOT / "processes" / "forms" / "kartlegging.json").read_text(encoding="utf-8")
VURDERING = (ROOT / "processes" / "dmn" / "vurdering_rett.dmn").read_text(encoding="utf-8")
RULE_1_IP = '<outputEntry id="Rule_vurdering_rett_1_out_1">\n          <text>"avsla"</text>'
APPLICATION = {
    "soker_rolle": "personen", "onsker_ip": True, "onsker_koordinator": False,
    "onsker_barnekoordinator": False, "navn": "Kari Nordmann", "fodselsdato": "1970-03-01",
    "mottatt_dato": "2026-01-05", "tjenester": ["fysioterapi"],
    "forventet_varighet_maneder": 36, "nav_basert": False}
FORMS = "/processes/ip_sak/forms"
DECISIONS = "/processes/ip_sak/decisions"
DEPLOY = "/processes/ip_sak/definitions/deploy"


@pytest.fixture
def unit(browser):
    return browser("koordinerende1")


@pytest.fixture
def versions(engine_do):
    """versions() -> the number of the newest ip_sak version."""
    return lambda: engine_do(lambda ctx: ctx.session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.process_key == "ip_sak")))


@pytest.fixture
def draft_names(engine_do):
    return lambda: engine_do(lambda ctx: sorted(ctx.session.scalars(
        select(ProcessDraft.filename).where(ProcessDraft.process_key == "ip_sak"))))


def start_case(api, **changes) -> dict:
    response = api("saksbehandler1").post("/api/v1/cases", json={
        "process": "ip_sak", "data": {**APPLICATION, **changes}})
    assert response.status_code == 201, response.json
    return response.json


def with_new_field(title="Ekstra notat fra enheten") -> str:
    schema = json.loads(KARTLEGGING)
    schema["properties"]["ekstra_notat"] = {"type": "string", "title": title}
    return json.dumps(schema, ensure_ascii=False, indent=2)


def preview(client, text, name="kartlegging.json"):
    response = client.post(f"{FORMS}/{name}/preview", {"schema": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.json


def html(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["saksbehandler1", "leder1", "koordinator1"])
def test_other_roles_get_403_on_every_route_and_nothing_is_saved(browser, username, draft_names,
                                                                 versions):
    client = browser(username)
    before = versions()
    for url in (FORMS, f"{FORMS}/kartlegging.json/edit", DECISIONS,
                f"{DECISIONS}/vurdering_rett.dmn/edit"):
        assert client.get(url).status_code == 403, url
    for url, data in ((f"{FORMS}/kartlegging.json/preview", {"schema": KARTLEGGING}),
                      (f"{FORMS}/kartlegging.json/draft", {"schema": with_new_field()}),
                      (f"{DECISIONS}/vurdering_rett.dmn/draft", {"xml": VURDERING}),
                      (DEPLOY, {}),
                      ("/processes/ip_sak/definitions/discard", {"file": "kartlegging.json"})):
        assert client.post(url, data).status_code == 403, url
    assert draft_names() == [] and versions() == before
    refused = client.post(f"{FORMS}/kartlegging.json/preview", {"schema": KARTLEGGING})
    assert refused.mimetype == "application/json" and refused.json["error"] == "forbidden"
    # and no link to the library in the header
    assert 'href="/processes/"' not in client.get("/inbox/").get_data(as_text=True)


def test_admin_and_the_unit_open_the_editors(browser):
    for username in ("admin1", "koordinerende1"):
        client = browser(username)
        page = html(client.get(FORMS))
        assert "kartlegging.json" in page and f'href="{FORMS}/kartlegging.json/edit"' in page
        page = html(client.get(DECISIONS))
        assert f'href="{DECISIONS}/vurdering_rett.dmn/edit"' in page


def test_the_form_editor_shows_the_schema_and_its_form(unit):
    page = html(unit.get(f"{FORMS}/kartlegging.json/edit"))
    textarea = re.search(r'<textarea id="schema-text"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert json.loads(textarea.group(1).replace("&#34;", '"').replace("&amp;", "&")
                      .replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")) \
        == json.loads(KARTLEGGING)
    # the preview drawn by the task page's macros, its submit disabled
    assert '<label for="f-kartlegging_dato">Dato for kartleggingssamtale' in page
    assert re.search(r'<button type="submit" class="button primary" disabled>Fullfør oppgaven',
                     page)
    # the name without its suffix works too; unknown files and processes are 404
    assert unit.get(f"{FORMS}/kartlegging/edit").status_code == 200
    assert unit.get(f"{FORMS}/finnes_ikke.json/edit").status_code == 404
    assert unit.get(f"{DECISIONS}/kartlegging.json/edit").status_code == 404
    assert unit.get("/processes/finnes_ikke/forms").status_code == 404


def test_preview_of_a_valid_schema_renders_the_new_field(unit):
    answer = preview(unit, with_new_field("Et helt nytt felt"))
    assert answer["valid"] is True and answer["problems"] == []
    assert '<label for="f-ekstra_notat">Et helt nytt felt' in answer["html"]
    assert '<label for="f-kartlegging_dato">Dato for kartleggingssamtale' in answer["html"]
    assert answer["status"] == "Forhåndsvisningen er oppdatert"


def test_preview_of_broken_json_gives_line_and_column(unit):
    text = '{\n  "type": "object",\n  "properties": {\n    "a": {"type": "string",}\n  }\n}'
    answer = preview(unit, text)
    assert answer["valid"] is False
    [problem] = answer["problems"]
    assert (problem["line"], problem["column"]) == (4, 28)
    assert text[problem["position"]] == "}"
    assert "Ikke gyldig JSON" in problem["message"] and "linje 4, kolonne 28" in problem["message"]
    assert "Gå til linje 4, kolonne 28" in answer["html"] and 'data-goto="' in answer["html"]
    assert "<form" not in answer["html"]


def test_preview_of_an_invalid_schema_names_the_pointer(unit):
    schema = json.loads(KARTLEGGING)
    schema["properties"]["funn"]["type"] = "strng"
    answer = preview(unit, json.dumps(schema))
    assert answer["valid"] is False
    [problem] = answer["problems"]
    assert problem["pointer"] == "/properties/funn/type"
    assert "strng" in problem["message"] and "JSON Schema" in problem["message"]
    assert "/properties/funn/type" in answer["html"]


def test_preview_warns_of_a_required_field_that_has_no_property(unit):
    schema = {"type": "object", "required": ["navn", "borte"],
              "properties": {"navn": {"type": "string", "title": "Navn"}}}
    answer = preview(unit, json.dumps(schema))
    assert answer["valid"] is True
    [warning] = answer["warnings"]
    assert warning["pointer"] == "/required/1" and "«borte»" in warning["message"]
    assert "Advarsel" in answer["html"] and '<label for="f-navn">Navn' in answer["html"]


@pytest.mark.parametrize(("text", "expected"), [
    ("true", "JSON-objekt"),
    ('{"properties": {"a": true}}', "kan ikke vises"),
])
def test_preview_of_a_schema_the_form_cannot_show(unit, text, expected):
    answer = preview(unit, text)
    assert answer["valid"] is False and expected in answer["problems"][0]["message"]


def test_saving_a_form_and_deploying_makes_a_version_new_tasks_use(unit, api, browser,
                                                                    versions, draft_names,
                                                                    engine_do):
    before = versions()
    old_case = start_case(api)
    response = unit.post(f"{FORMS}/kartlegging.json/draft", {"schema": with_new_field()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{FORMS}/kartlegging.json/edit")
    assert draft_names() == ["kartlegging.json"] and versions() == before
    page = html(unit.get(f"{FORMS}/kartlegging.json/edit"))
    assert "Utkastet er lagret. Ingen feil" in page
    assert "Utkastene har ingen feil og kan installeres." in page
    assert '<label for="f-ekstra_notat">Ekstra notat fra enheten' in page  # the draft is shown
    response = unit.post(DEPLOY, {"back": "forms/kartlegging.json"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/processes/ip_sak")
    assert versions() == before + 1 and draft_names() == []
    assert f"Versjon {before + 1} av" in html(unit.get("/processes/ip_sak"))
    deployed = engine_do(lambda ctx: next(
        f.content for f in ctx.session.scalar(select(ProcessVersion).where(
            ProcessVersion.process_key == "ip_sak", ProcessVersion.version == before + 1)).files
        if f.filename == "kartlegging.json"))
    assert json.loads(deployed) == json.loads(with_new_field())
    # a new case's task shows the new field; the older case keeps its form
    officer = browser("saksbehandler1")
    new_case = start_case(api)
    [new_task] = new_case["open_tasks"]
    [old_task] = old_case["open_tasks"]
    assert new_task["name"] == old_task["name"] == "Kartlegging og vurdering"
    assert "Ekstra notat fra enheten" in html(officer.get(f"/tasks/{new_task['id']}"))
    assert "Ekstra notat fra enheten" not in html(officer.get(f"/tasks/{old_task['id']}"))


def test_an_invalid_form_draft_is_kept_and_its_deploy_refused(unit, versions, draft_names):
    before = versions()
    schema = json.loads(KARTLEGGING)
    schema["properties"]["funn"]["type"] = "strng"
    text = json.dumps(schema, indent=2)
    saved = unit.post(f"{FORMS}/kartlegging.json/draft", {"schema": text})
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"{FORMS}/kartlegging.json/edit"
    assert draft_names() == ["kartlegging.json"]
    page = html(unit.get(f"{FORMS}/kartlegging.json/edit"))
    assert "Utkastet er lagret, men har 1 feil" in page
    assert "kartlegging.json</code> › <code>/properties/funn/type</code>" in page
    page = html(unit.post(DEPLOY, {"back": "forms/kartlegging.json"}), 422)
    assert "Utkastene ble ikke installert" in page and "Utkastene er beholdt" in page
    assert "/properties/funn/type" in page and 'id="schema-text"' in page
    assert versions() == before and draft_names() == ["kartlegging.json"]
    # the draft is what the editor shows, exactly as saved
    page = html(unit.get(f"{FORMS}/kartlegging.json/edit"))
    assert "&#34;strng&#34;" in page
    # discarding it: nothing left to deploy
    response = unit.post("/processes/ip_sak/definitions/discard",
                         {"file": "kartlegging.json", "back": "forms/kartlegging.json"})
    assert response.status_code == 302 and draft_names() == []
    assert response.headers["Location"] == f"{FORMS}/kartlegging.json/edit"
    page = html(unit.post(DEPLOY, {"back": "forms"}), 409)
    assert "ingen utkast" in page and versions() == before


def changed_dmn(old=RULE_1_IP, new=None) -> str:
    assert VURDERING.count(old) == 1
    return VURDERING.replace(old, new if new is not None else old.replace('"avsla"', '"vurdere"'))


def test_a_changed_rule_deploys_and_new_cases_get_the_new_suggestion(unit, api, versions,
                                                                      draft_names):
    before = versions()
    old_case = start_case(api)
    page = html(unit.get(f"{DECISIONS}/vurdering_rett.dmn/edit"))
    assert 'id="dmn-xml"' in page and "Rule_vurdering_rett_1_out_1" in page
    assert "dmn-modeler.production.min.js" in page
    response = unit.post(f"{DECISIONS}/vurdering_rett.dmn/draft", {"xml": changed_dmn()})
    assert response.status_code == 302 and draft_names() == ["vurdering_rett.dmn"]
    assert response.headers["Location"] == f"{DECISIONS}/vurdering_rett.dmn/edit"
    deployed = unit.post(DEPLOY, {"back": "decisions/vurdering_rett.dmn"})
    assert deployed.status_code == 302 and deployed.headers["Location"] == "/processes/ip_sak"
    assert versions() == before + 1 and draft_names() == []
    officer = api("saksbehandler1")
    new_case = start_case(api)
    new_facts = officer.get(f"/api/v1/cases/{new_case['id']}").json["facts"]
    old_facts = officer.get(f"/api/v1/cases/{old_case['id']}").json["facts"]
    assert (old_facts["forslag_ip"], new_facts["forslag_ip"]) == ("avsla", "vurdere")
    assert new_facts["forslag_koordinator"] == "avsla"  # the other cells as they were


@pytest.mark.parametrize(("xml", "element", "words"), [
    (changed_dmn(new=RULE_1_IP.replace('"avsla"', '"avsla')), "Rule_vurdering_rett_1_out_1",
     ("Uttrykket i cellen kan ikke leses som Python: en tekst mangler avsluttende "
      "anførselstegn (linje 1)")),
    (VURDERING[:2000], "-", "Ikke gyldig XML: "),
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]>' + VURDERING.split("?>", 1)[1], "-",
     "DOCTYPE-deklarasjoner er ikke tillatt"),
])
def test_a_broken_dmn_draft_is_refused_with_its_problem(unit, versions, draft_names, xml,
                                                         element, words):
    before = versions()
    saved = unit.post(f"{DECISIONS}/vurdering_rett.dmn/draft", {"xml": xml})
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"{DECISIONS}/vurdering_rett.dmn/edit"
    page = html(unit.get(f"{DECISIONS}/vurdering_rett.dmn/edit"))
    assert "Utkastet er lagret, men har" in page
    problems = re.findall(r'<li class="this-file" data-problem-element="([^"]*)">(.*?)</li>',
                          page, re.S)
    assert problems and any(e == element and words in text for e, text in problems), problems
    page = html(unit.post(DEPLOY, {"back": "decisions/vurdering_rett.dmn"}), 422)
    assert "Utkastene ble ikke installert" in page and 'id="dmn-xml"' in page
    assert versions() == before and draft_names() == ["vurdering_rett.dmn"]


def test_a_draft_like_the_deployed_files_makes_no_new_version(unit, versions, draft_names):
    before = versions()
    unit.post(f"{DECISIONS}/vurdering_rett.dmn/draft", {"xml": VURDERING.replace("\n", "\r\n")})
    response = unit.post(DEPLOY, {"back": "decisions"})
    assert response.status_code == 302 and versions() == before and draft_names() == []
    assert response.headers["Location"] == "/processes/ip_sak"
    assert "ingen ny versjon" in html(unit.get("/processes/ip_sak"))


def test_a_form_saved_by_someone_else_meanwhile_is_not_replaced(unit, browser, draft_names,
                                                              engine_do):
    other = browser("admin1")
    page = html(unit.get(f"{FORMS}/kartlegging.json/edit"))
    assert 'name="base" value=""' in page
    html(other.get(f"{FORMS}/kartlegging.json/edit"))
    saved = other.post(f"{FORMS}/kartlegging.json/draft",
                       {"schema": with_new_field(), "base": ""})
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"{FORMS}/kartlegging.json/edit"
    refused = unit.post(f"{FORMS}/kartlegging.json/draft", {"schema": KARTLEGGING, "base": ""})
    assert refused.status_code == 409
    text = html(refused, 409)
    assert "admin1" in text and "ikke lagret" in text
    stored = engine_do(lambda ctx: drafts.get(ctx, None, "ip_sak", "kartlegging.json").content)
    assert json.loads(stored) == json.loads(with_new_field())
    assert draft_names() == ["kartlegging.json"]
    discarded = other.post("/processes/ip_sak/definitions/discard", {"file": "kartlegging.json"})
    assert discarded.status_code == 302 and discarded.headers["Location"] == FORMS
    assert draft_names() == []
