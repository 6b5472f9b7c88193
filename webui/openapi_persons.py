"""The OpenAPI paths and schemas of persons, plans and search (webui/api_persons.py),
added to the document of webui/openapi.py."""
from __future__ import annotations

from engine.persons.catalogue import SERVICES

DB_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
DATE = {"type": "string", "format": "date"}
TEXT200 = {"type": "string", "maxLength": 200}


def _param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": DB_ID}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def add(doc: dict, errors: dict, appeal_form: dict | None = None) -> None:
    """Add the paths and schemas; `appeal_form` is the appeal process's start form (its
    JSON Schema, closed), the body's `data`."""
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    person, plan = _param("person_id"), _param("plan_id")
    responses = lambda code, schema, *codes: {  # noqa: E731
        code: {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}},
        **{c: errors[c] for c in codes}}
    paths["/cases"]["get"] = {
        "summary": "Search cases: by a part of a name, fødselsnummer, birth date (dd.mm.yyyy) "
                   "or case number in any common form; only cases the reader may read in "
                   "full; the search is logged without its text",
        "parameters": [
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
            {"name": "status", "in": "query", "schema": {"enum": ["open", "closed", "all"]}},
            {"name": "service", "in": "query",
             "schema": {"enum": list(SERVICES)}},
            {"name": "responsible", "in": "query", "schema": {"type": "string",
                                                              "maxLength": 80}},
            {"name": "overdue", "in": "query", "schema": {"enum": ["0", "1"]}},
            {"name": "sort", "in": "query",
             "schema": {"enum": ["received", "case_number", "name", "due"]}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0,
                                                         "maximum": 10000000}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                        "maximum": 200}}],
        "responses": responses("200", "CaseSearch", "400", "401", "403", "422")}
    paths["/cases/{case_id}/appeals"] = {"post": {
        "summary": "Register an appeal on a case: the appeal form's fields (received, posted, "
                   "who appeals, what it concerns, grounds); refused (409) while the case has "
                   "no decision; a late appeal is never refused, it is assessed",
        "parameters": [_param("case_id")], "requestBody": _body("NewAppeal"),
        "responses": responses("201", "RegisteredAppeal", "400", "401", "403", "404", "409",
                               "422")}}
    paths["/persons"] = {
        "get": {"summary": "Search persons by number, name or birth date (case-working roles)",
                "parameters": [{"name": "q", "in": "query",
                                "schema": {"type": "string", "maxLength": 200}}],
                "responses": responses("200", "PersonList", "400", "401", "403")},
        "post": {"summary": "Register a person (409 with the known person's id when the "
                            "number is registered)",
                 "requestBody": _body("NewPerson"),
                 "responses": responses("201", "Person", "400", "401", "403", "409", "422")}}
    paths["/persons/{person_id}"] = {"get": {
        "summary": "A person with relations, cases and the active plan's id (the read is "
                   "logged)", "parameters": [person],
        "responses": responses("200", "PersonDetail", "401", "403", "404")}}
    paths["/persons/{person_id}/relations"] = {"post": {
        "summary": "Add a parent, guardian or pårørende (with the fullmakt's scope)",
        "parameters": [person], "requestBody": _body("NewRelation"),
        "responses": responses("201", "Created", "400", "401", "403", "404", "409", "422")}}
    paths["/persons/{person_id}/birth"] = {"post": {
        "summary": "The expected child is born: its number and birth date; the age-based "
                   "timers move", "parameters": [person], "requestBody": _body("Birth"),
        "responses": responses("200", "Person", "400", "401", "403", "404", "409", "422")}}
    paths["/persons/{person_id}/plan"] = {"get": {
        "summary": "The person's active plan (404 when none)", "parameters": [person],
        "responses": responses("200", "Plan", "401", "403", "404")}}
    paths["/plans/{plan_id}"] = {"get": {
        "summary": "A plan: the sections the reader may see (a participant: their consent)",
        "parameters": [plan], "responses": responses("200", "Plan", "401", "403", "404")}}
    paths["/plans/{plan_id}/versions"] = {"get": {
        "summary": "The plan's versions, one per approval", "parameters": [plan],
        "responses": responses("200", "VersionList", "401", "403", "404")}}
    paths["/plans/{plan_id}/versions/{number}"] = {"get": {
        "summary": "One version as approved", "parameters": [plan, _param("number")],
        "responses": responses("200", "Version", "401", "403", "404")}}
    paths["/plans/{plan_id}/versions/{older}/compare/{newer}"] = {"get": {
        "summary": "What changed between two versions, section by section",
        "parameters": [plan, _param("older"), _param("newer")],
        "responses": responses("200", "Comparison", "401", "403", "404")}}
    paths["/plans/{plan_id}/participants"] = {"post": {
        "summary": "Add a participant (a person, a Samflyt user or a service); what they see "
                   "is what their consent covers", "parameters": [plan],
        "requestBody": _body("NewParticipant"),
        "responses": responses("201", "Created", "400", "401", "403", "404", "409", "422")}}
    paths["/plans/{plan_id}/participants/{participant_id}"] = {"delete": {
        "summary": "Remove a participant", "parameters": [plan, _param("participant_id")],
        "responses": {"204": {"description": "Removed"},
                      **{c: errors[c] for c in ("401", "403", "404")}}}}
    paths["/plans/{plan_id}/consents"] = {"post": {
        "summary": "Record a consent: to the plan itself (no participant_id, scope `planen`) "
                   "or to a participant's access", "parameters": [plan],
        "requestBody": _body("NewConsent"),
        "responses": responses("201", "Created", "400", "401", "403", "404", "409", "422")}}
    paths["/plans/{plan_id}/consents/{consent_id}/withdraw"] = {"post": {
        "summary": "Withdraw a consent: the participant loses access at once; the consent to "
                   "the plan itself ends the plan", "parameters": [plan, _param("consent_id")],
        "responses": responses("200", "Withdrawn", "401", "403", "404", "409")}}
    paths["/plans/{plan_id}/meetings"] = {"post": {
        "summary": "Record a meeting of the ansvarsgruppe; an action item for a Samflyt user "
                   "becomes a task in their inbox", "parameters": [plan],
        "requestBody": _body("NewMeeting"),
        "responses": responses("201", "RecordedMeeting", "400", "401", "403", "404", "409",
                               "422")}}
    obj = {"type": "object"}
    nullable_text = {"type": ["string", "null"]}
    schemas.update({
        "NewAppeal": {"type": "object", "additionalProperties": False, "required": ["data"],
                      "properties": {"data": appeal_form or {"type": "object"}}},
        "RegisteredAppeal": {"type": "object", "properties": {
            "case_id": DB_ID, "case_number": {"type": "string"}, "process": {"type": "string"},
            "instance_id": DB_ID, "in_time": {"type": ["boolean", "null"]}}},
        "Created": {"type": "object", "required": ["id"], "properties": {"id": DB_ID}},
        "Withdrawn": {"type": "object", "properties": {"id": DB_ID,
                                                       "withdrawn_at": nullable_text}},
        "Person": {"type": "object", "required": ["id", "name"], "properties": {
            "id": DB_ID, "name": {"type": "string"}, "national_id": nullable_text,
            "id_kind": nullable_text, "birth_date": nullable_text, "due_date": nullable_text,
            "protection": {"enum": ["none", "fortrolig", "strengt_fortrolig"]},
            "address": {"type": ["array", "null"], "items": {"type": "string"},
                        "description": "null when the reader may not see it"},
            "address_hidden": {"type": "boolean"},
            "preferred_channel": {"enum": ["digital", "paper"]},
            "version": {"type": "integer"}}},
        "PersonList": {"type": "object", "properties": {"persons": {"type": "array",
                                                                    "items": obj}}},
        "PersonDetail": {"allOf": [_ref("Person"), {"type": "object", "properties": {
            "relations": {"type": "array", "items": obj},
            "cases": {"type": "array", "items": obj},
            "active_plan_id": {"type": ["integer", "null"]}}}]},
        "NewPerson": {"type": "object", "additionalProperties": False, "required": ["name"],
                      "properties": {
                          "name": {"type": "string", "minLength": 1, "maxLength": 200},
                          "national_id": {"type": "string", "pattern": "^[0-9]{11}$"},
                          "birth_date": DATE, "due_date": DATE,
                          "address": {"type": "string", "maxLength": 300},
                          "postal_code": {"type": "string", "maxLength": 10},
                          "postal_place": {"type": "string", "maxLength": 100},
                          "protection": {"enum": ["none", "fortrolig", "strengt_fortrolig"]},
                          "preferred_channel": {"enum": ["digital", "paper"]}}},
        "NewRelation": {"type": "object", "additionalProperties": False,
                        "required": ["related_id", "kind"], "properties": {
                            "related_id": DB_ID,
                            "kind": {"enum": ["forelder", "verge", "parorende"]},
                            "parental_responsibility": {"type": "boolean"},
                            "fullmakt_scope": {"type": "array", "uniqueItems": True, "items": {
                                "enum": ["soke", "helseopplysninger", "brev", "planarbeid"]}},
                            "fullmakt_signed_on": DATE,
                            "fullmakt_document": {"type": "string", "maxLength": 200}}},
        "Birth": {"type": "object", "additionalProperties": False, "required": ["national_id"],
                  "properties": {"national_id": {"type": "string",
                                                 "pattern": "^[0-9]{11}$"}}},
        "Plan": {"type": "object", "properties": {
            "id": DB_ID, "person_id": DB_ID, "status": {"enum": ["utkast", "aktiv",
                                                                 "avsluttet"]},
            "approved_version": {"type": "integer"}, "next_review": nullable_text,
            "sections": {"type": "object", "description": "the plan under the keys of the "
                         "headings (a)-(i): mal, deltakere, koordinering, bidrag, tiltak, "
                         "gjennomforing, periode, samtykke, samarbeid"},
            "participants": {"type": ["array", "null"], "items": obj},
            "meetings": {"type": ["array", "null"], "items": obj}}},
        "VersionList": {"type": "object", "properties": {"versions": {"type": "array",
                                                                      "items": obj}}},
        "Version": {"type": "object", "properties": {"number": {"type": "integer"},
                                                     "sections": obj}},
        "Comparison": {"type": "object", "properties": {"older": {"type": "integer"},
                                                        "newer": {"type": "integer"},
                                                        "changes": obj}},
        "NewParticipant": {"type": "object", "additionalProperties": False,
                           "required": ["name", "role"], "properties": {
                               "name": {**TEXT200, "minLength": 1},
                               "role": {**TEXT200, "minLength": 1},
                               "username": {"type": "string", "maxLength": 80},
                               "person_id": DB_ID, "service": TEXT200}},
        "NewConsent": {"type": "object", "additionalProperties": False,
                       "required": ["scope", "given_by_name", "given_by_role", "given_on"],
                       "properties": {
                           "participant_id": DB_ID,
                           "scope": {"enum": ["planen", "hele_planen", "deler", "moter"]},
                           "sections": {"type": "array", "uniqueItems": True, "items": {
                               "enum": ["mal", "deltakere", "koordinering", "bidrag", "tiltak",
                                        "gjennomforing", "periode", "samtykke",
                                        "samarbeid"]}},
                           "given_by_name": {**TEXT200, "minLength": 1},
                           "given_by_role": {"enum": ["personen", "forelder", "verge"]},
                           "given_on": DATE, "expires_on": DATE}},
        "NewMeeting": {"type": "object", "additionalProperties": False,
                       "required": ["held_on", "attendees"], "properties": {
                           "held_on": DATE,
                           "attendees": {"type": "array", "minItems": 1, "items": TEXT200},
                           "minutes": {"type": "string", "maxLength": 20000},
                           "action_items": {"type": "array", "items": {
                               "type": "object", "additionalProperties": False,
                               "required": ["what", "responsible_name"], "properties": {
                                   "what": {"type": "string", "minLength": 1,
                                            "maxLength": 2000},
                                   "responsible_name": {**TEXT200, "minLength": 1},
                                   "responsible_username": {"type": "string",
                                                            "maxLength": 80},
                                   "due_on": DATE}}}}},
        "RecordedMeeting": {"type": "object", "properties": {
            "id": DB_ID, "action_items": {"type": "array", "items": obj}}},
        "CaseSearch": {"type": "object", "properties": {
            "has_more": {"type": "boolean"}, "matched_as": {"type": "string"},
            "too_many": {"type": "boolean", "description": "the name matched more persons "
                         "than a search takes: type more of it"},
            "cases": {"type": "array", "items": obj}}},
    })
    new_case = schemas["NewCase"]
    new_case["additionalProperties"] = False
    new_case["properties"].update({
        "person_id": {**DB_ID, "description": "the person the application is about (found "
                      "at registration)"},
        "national_id": {"type": "string", "maxLength": 20, "description": "fødselsnummer or "
                        "D-nummer: the person with it, or a new person; never a second one"},
        "applicant_person_id": {**DB_ID, "description": "the relation who applied"}})
