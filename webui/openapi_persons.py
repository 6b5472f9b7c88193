"""The OpenAPI paths and schemas of persons, plans and search (webui/api_persons.py),
added to the document of webui/openapi.py."""
from __future__ import annotations

from engine.persons.catalogue import SERVICES

DB_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
DATE = {"type": "string", "format": "date"}
TEXT200 = {"type": "string", "maxLength": 200}


NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1, "maximum": 2147483647}
NULLABLE_TEXT = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": ["string", "null"], "format": "date-time"}
NUMBER = {"type": "integer", "minimum": 1}
ANY: dict = {}
PROTECTION = {"enum": ["none", "fortrolig", "strengt_fortrolig"]}
RELATION_KIND = {"enum": ["forelder", "verge", "parorende"]}
SERVICE_KEYS = {"type": "array", "items": {"enum": list(SERVICES)},
                "description": "what the application asks for: ip, koordinator, "
                               "barnekoordinator"}

#: A person as the API answers (the address only as the reader may see it).
PERSON = {
    "id": DB_ID, "name": {"type": "string"},
    "national_id": {**NULLABLE_TEXT, "description": "fødselsnummer or D-nummer (null: not "
                    "known yet, an expected child)"},
    "id_kind": {**NULLABLE_TEXT, "description": "fnr, dnr, ... : what the number is"},
    "birth_date": NULLABLE_DATE,
    "due_date": {**NULLABLE_DATE, "description": "an expected child's due date"},
    "protection": {**PROTECTION, "description": "the address protection (Folkeregisteret)"},
    "address": {"type": ["array", "null"], "items": {"type": "string"},
                "description": "the address lines; null when the reader may not see them (a "
                               "fortrolig or strengt fortrolig address to anyone outside the "
                               "case-working roles)"},
    "address_hidden": {"type": "boolean", "description": "the address is protected and "
                       "hidden from this reader"},
    "preferred_channel": {"enum": ["digital", "paper"]},
    "written_language": {"enum": ["nb", "nn", None], "description": "the written language "
                         "of the person's letters (null: the municipality's målform)"},
    "version": {"type": "integer", "description": "the row's version (changes on each edit)"},
}
PERSON_HIT = {**PERSON, "open_cases": {"type": "integer", "minimum": 0},
              "has_active_plan": {"type": "boolean"}}
RELATION = {
    "id": DB_ID, "kind": RELATION_KIND,
    "person_id": {**DB_ID, "description": "the related person"},
    "name": {"type": "string", "description": "the related person's name"},
    "parental_responsibility": {"type": "boolean"},
    "fullmakt_scope": {"type": ["array", "null"], "items": {"type": "string"},
                       "description": "what the fullmakt covers: soke, helseopplysninger, "
                                      "brev, planarbeid"},
    "fullmakt_signed_on": NULLABLE_DATE, "fullmakt_document": NULLABLE_TEXT,
}
PERSON_CASE = {
    "id": DB_ID, "case_number": {"type": "string"}, "status": {"enum": ["open", "closed"]},
    "services": SERVICE_KEYS, "received_on": NULLABLE_DATE,
    "open_tasks": {"type": "integer", "minimum": 0},
    "next_due": {**DATETIME, "description": "the earliest deadline of its open tasks"},
}
PERSON_DETAIL = {
    **PERSON,
    "relations": {"type": "array", "description": "the person's parents, guardians and "
                  "pårørende", "items": {"type": "object", "required": list(RELATION),
                                         "properties": RELATION}},
    "cases": {"type": "array", "description": "the person's cases, newest first",
              "items": {"type": "object", "required": list(PERSON_CASE),
                        "properties": PERSON_CASE}},
    "active_plan_id": {**NULLABLE_ID, "description": "the plan not ended, or null"},
}
SECTION_KEYS = ("mal", "deltakere", "koordinering", "bidrag", "tiltak", "gjennomforing",
                "periode", "samtykke", "samarbeid")
_NULLABLE_OBJECT = {"type": ["object", "null"]}
_NULLABLE_LIST = {"type": ["array", "null"], "items": {"type": "object"}}
#: The plan's content under the headings (a)-(i), as engine/plans/versions.py `snapshot`
#: gives it; only the sections the reader may see are present.
SECTIONS = {"type": "object", "additionalProperties": False, "properties": {
    "mal": {**_NULLABLE_OBJECT, "description": "(a) hovedmal, ressurser, behov, delmal "
            "[{tekst, frist}]"},
    "deltakere": {**_NULLABLE_LIST, "description": "(b) [{navn, rolle, samtykke}]"},
    "koordinering": {**_NULLABLE_OBJECT, "description": "(c) koordinatorer [{brukernavn, "
                     "fra, til}], ansvar"},
    "bidrag": {**_NULLABLE_OBJECT, "description": "(d) what the person, the services and "
               "the pårørende contribute"},
    "tiltak": {**_NULLABLE_LIST, "description": "(e) [{hva, omfang, ansvarlig, fra, til, "
               "status}]"},
    "gjennomforing": {**_NULLABLE_LIST, "description": "(f) [{tiltak, hvordan}]"},
    "periode": {**_NULLABLE_OBJECT, "description": "(g) fra, til, neste_evaluering"},
    "samtykke": {**_NULLABLE_LIST, "description": "(h) the consents to the plan itself "
                 "[{omfang, deler, gitt_av, gitt_av_rolle, dato, utlop, trukket}]"},
    "samarbeid": {**NULLABLE_TEXT, "description": "(i) cooperation with other agencies"},
}}
PARTICIPANT = {
    "id": DB_ID, "name": {"type": "string"}, "role": {"type": "string"},
    "username": {**NULLABLE_TEXT, "description": "the participant's Samflyt user, if any"},
    "consent_id": {**NULLABLE_ID, "description": "the consent to their access"},
    "consent_holds": {"type": "boolean", "description": "the consent holds today (not "
                      "withdrawn, not expired)"},
}
ACTION_ITEM = {
    "what": {"type": "string"}, "responsible_name": {"type": "string"},
    "responsible_username": NULLABLE_TEXT, "due_on": NULLABLE_DATE,
    "task_id": {**NULLABLE_ID, "description": "the inbox task of a Samflyt user's item"},
}
MEETING = {
    "id": DB_ID, "held_on": {"type": "string", "format": "date"},
    "attendees": {"type": "array", "items": {"type": "string"}},
    "minutes": NULLABLE_TEXT,
    "action_items": {"type": "array", "items": {"type": "object",
                                                "required": list(ACTION_ITEM),
                                                "properties": ACTION_ITEM}},
}
PLAN = {
    "id": DB_ID, "person_id": DB_ID, "status": {"enum": ["utkast", "aktiv", "avsluttet"]},
    "approved_version": {"type": "integer", "minimum": 0,
                         "description": "the number of the last approved version (0: none)"},
    "next_review": NULLABLE_DATE,
    "sections": SECTIONS,
    "participants": {"type": ["array", "null"], "description": "null unless the reader may "
                     "see (b) deltakere", "items": {"type": "object",
                                                    "required": list(PARTICIPANT),
                                                    "properties": PARTICIPANT}},
    "meetings": {"type": ["array", "null"], "description": "the ansvarsgruppe's meetings; "
                 "null unless the reader may see them (scope `moter` or the whole plan)",
                 "items": {"type": "object", "required": list(MEETING),
                           "properties": MEETING}},
}
VERSION_SUMMARY = {"number": NUMBER, "approved_at": DATETIME,
                   "approved_by": {"type": "string", "description": "a username"}}
CASE_HIT = {
    "id": DB_ID, "case_number": {"type": "string"}, "person_id": NULLABLE_ID,
    "person_name": NULLABLE_TEXT, "protection": {"enum": [*PROTECTION["enum"], None]},
    "services": SERVICE_KEYS, "status": {"enum": ["open", "closed"]},
    "received_on": NULLABLE_DATE, "coordinator": {**NULLABLE_TEXT, "description": "username"},
    "next_due": DATETIME, "overdue": {"type": "boolean"},
}


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
                 "responses": {**responses("201", "Person", "400", "401", "403", "422"),
                               "409": {"description": "The number is registered already: "
                                       "`id` is that person's",
                                       "content": {"application/json": {
                                           "schema": _ref("KnownPerson")}}}}}}
    paths["/persons/{person_id}"] = {"get": {
        "summary": "A person with relations, cases and the active plan's id (the read is "
                   "logged)", "parameters": [person],
        "responses": responses("200", "PersonDetail", "401", "403", "404")}}
    paths["/persons/{person_id}/relations"] = {"post": {
        "summary": "Add a parent, guardian or pårørende (with the fullmakt's scope)",
        "parameters": [person], "requestBody": _body("NewRelation"),
        "responses": responses("201", "CreatedRelation", "400", "401", "403", "404", "409",
                               "422")}}
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
        "responses": responses("201", "CreatedParticipant", "400", "401", "403", "404", "409",
                               "422")}}
    paths["/plans/{plan_id}/participants/{participant_id}"] = {"delete": {
        "summary": "Remove a participant", "parameters": [plan, _param("participant_id")],
        "responses": {"204": {"description": "Removed"},
                      **{c: errors[c] for c in ("401", "403", "404")}}}}
    paths["/plans/{plan_id}/consents"] = {"post": {
        "summary": "Record a consent: to the plan itself (no participant_id, scope `planen`) "
                   "or to a participant's access", "parameters": [plan],
        "requestBody": _body("NewConsent"),
        "responses": responses("201", "CreatedConsent", "400", "401", "403", "404", "409",
                               "422")}}
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
    schemas.update({
        "NewAppeal": {"type": "object", "additionalProperties": False, "required": ["data"],
                      "properties": {"data": appeal_form or {"type": "object"}}},
        "RegisteredAppeal": {"type": "object", "properties": {
            "case_id": DB_ID, "case_number": {"type": "string"}, "process": {"type": "string"},
            "instance_id": DB_ID, "in_time": {"type": ["boolean", "null"]}}},
        "Withdrawn": {"type": "object", "required": ["id", "withdrawn_at"], "properties": {
            "id": DB_ID, "withdrawn_at": {**DATETIME, "description": "when it ended"}}},
        "KnownPerson": {"type": "object", "required": ["error", "message", "id"],
                        "properties": {"error": {"const": "conflict"},
                                       "message": {"type": "string"},
                                       "id": {**DB_ID, "description": "the registered "
                                              "person with this number"}}},
        "Person": {"type": "object", "required": list(PERSON), "properties": PERSON},
        "PersonList": {"type": "object", "required": ["persons"], "properties": {
            "persons": {"type": "array", "description": "at most 20, by name",
                        "items": {"type": "object", "required": list(PERSON_HIT),
                                  "properties": PERSON_HIT}}}},
        "PersonDetail": {"type": "object", "required": list(PERSON_DETAIL),
                         "properties": PERSON_DETAIL},
        "CreatedRelation": {"type": "object", "required": ["id", "kind"], "properties": {
            "id": DB_ID, "kind": RELATION_KIND}},
        "NewPerson": {"type": "object", "additionalProperties": False, "required": ["name"],
                      "properties": {
                          "name": {"type": "string", "minLength": 1, "maxLength": 200},
                          "national_id": {"type": "string", "pattern": "^[0-9]{11}$"},
                          "birth_date": DATE, "due_date": DATE,
                          "address": {"type": "string", "maxLength": 300},
                          "postal_code": {"type": "string", "maxLength": 10},
                          "postal_place": {"type": "string", "maxLength": 100},
                          "protection": {"enum": ["none", "fortrolig", "strengt_fortrolig"]},
                          "preferred_channel": {"enum": ["digital", "paper"]},
                          "written_language": {"enum": ["nb", "nn"]}}},
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
        "Plan": {"type": "object", "required": list(PLAN), "properties": PLAN},
        "VersionList": {"type": "object", "required": ["versions"], "properties": {
            "versions": {"type": "array", "items": {
                "type": "object", "required": list(VERSION_SUMMARY),
                "properties": VERSION_SUMMARY}}}},
        "Version": {"type": "object", "required": [*VERSION_SUMMARY, "sections"],
                    "properties": {**VERSION_SUMMARY, "sections": {
                        **SECTIONS, "description": "the version as approved, the sections "
                        "the reader may see (a section the version lacks is null)"}}},
        "Comparison": {"type": "object", "required": ["older", "newer", "changes"],
                       "properties": {
                           "older": NUMBER, "newer": NUMBER,
                           "changes": {"type": "object", "description": "the sections that "
                                       "differ and that the reader may see: section key -> "
                                       "{for: before, etter: after}",
                                       "propertyNames": {"enum": list(SECTION_KEYS)},
                                       "additionalProperties": {
                                           "type": "object", "required": ["for", "etter"],
                                           "properties": {"for": ANY, "etter": ANY}}}}},
        "CreatedParticipant": {"type": "object", "required": ["id", "name"], "properties": {
            "id": DB_ID, "name": {"type": "string"}}},
        "CreatedConsent": {"type": "object", "required": ["id", "scope"], "properties": {
            "id": DB_ID, "scope": {"enum": ["planen", "hele_planen", "deler", "moter"]}}},
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
        "RecordedMeeting": {"type": "object", "required": ["id", "action_items"],
                            "properties": {"id": DB_ID, "action_items": {
                                "type": "array", "items": {
                                    "type": "object", "required": ["id", "what", "task_id"],
                                    "properties": {
                                        "id": DB_ID, "what": {"type": "string"},
                                        "task_id": {**NULLABLE_ID, "description": "the inbox "
                                                    "task of a Samflyt user's action item"}}}}}},
        "CaseSearch": {"type": "object", "required": ["has_more", "matched_as", "too_many",
                                                      "cases"], "properties": {
            "has_more": {"type": "boolean", "description": "more follow: ask with a larger "
                         "offset"},
            "matched_as": {"enum": ["", "name", "national_id", "birth_date", "case_number"],
                           "description": "how `q` was read (empty: no text)"},
            "too_many": {"type": "boolean", "description": "the name matched more persons "
                         "than a search takes: type more of it"},
            "cases": {"type": "array", "items": {"type": "object", "required": list(CASE_HIT),
                                                 "properties": CASE_HIT}}}},
    })
    new_case = schemas["NewCase"]
    new_case["additionalProperties"] = False
    new_case["properties"].update({
        "person_id": {**DB_ID, "description": "the person the application is about (found "
                      "at registration)"},
        "national_id": {"type": "string", "maxLength": 20, "description": "fødselsnummer or "
                        "D-nummer: the person with it, or a new person; never a second one"},
        "applicant_person_id": {**DB_ID, "description": "the relation who applied"}})
    new_case["description"] = ("a replay with the same Idempotency-Key must carry the same "
                               "process and data and name the same person (person_id, "
                               "national_id, applicant_person_id): else 409")
