"""The OpenAPI 3.1 document of /api/v1 (served at /api/v1/openapi.json)."""
from __future__ import annotations

import json

from engine.worklist.humantasks import VIEWS
from webui import openapi_letters, openapi_persons, openapi_read_log, openapi_reports


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


ERRORS = {
    "400": _error("Malformed request (not JSON, not an object, bad query parameter)"),
    "401": _error("Missing or invalid bearer token"),
    "403": _error("The user's roles do not allow this"),
    "404": _error("No such case, task, notice or process"),
    "409": _error("Conflict: the task was changed, claimed or completed by someone else"),
    "422": _error("Invalid data; `errors` maps each field path to a message"),
    "413": _error("A file is over the size limit (SAMFLYT_MAX_UPLOAD_BYTES), or the whole "
                  "upload over twice that"),
}
KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "process key (the BPMN process id), e.g. ip_sak"}


def _responses(ok: dict, *codes: str) -> dict:
    return {**ok, **{c: ERRORS[c] for c in codes}}


def _json(ref: str, description: str = "OK") -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _body(ref: str, required: bool = True) -> dict:
    return {"required": required,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


#: A row id: what the `dbid` converter accepts (the Integer column's range), else 404.
DB_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": DB_ID}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[ -~]+$"},
    "description": "a retry or a resubmit with the same key (by the same user) returns the "
                   "first case with 200 and never makes a second; the same key with another "
                   "application is a 409"}


def _application(start_forms: dict[str, dict | None]) -> dict:
    """The `data` of a new case: exactly the fields of the process's start form (as deployed
    now), or nothing for a process without one."""
    branches = []
    for key, schema in sorted(start_forms.items()):
        if schema is None:
            branches.append({"title": key, "type": "object", "maxProperties": 0})
        elif "$ref" not in json.dumps(schema):  # a reference would point into this document
            branches.append({**schema, "title": key,
                             "description": schema.get("title") or schema.get("description", ""),
                             "type": "object", "additionalProperties": False})
    description = ("the application: exactly the fields of the process's start form "
                   "(`title` names the process)")
    if not branches:
        return {"type": "object", "description": description}
    return {"description": description, "anyOf": branches}


def document(start_forms: dict[str, dict | None] | None = None,
             appeal_form: dict | None = None) -> dict:
    """The document; `start_forms` maps each process a case may start with to its start form's
    JSON Schema (None: it has none)."""
    task_action = lambda summary, body_ref, required, codes: {  # noqa: E731
        "post": {"summary": summary, "parameters": [TASK_ID],
                 "requestBody": _body(body_ref, required),
                 "responses": _responses({"200": _json("Task")}, *codes)}}
    doc = _base(start_forms, task_action)
    if appeal_form is not None and "$ref" not in json.dumps(appeal_form):
        appeal_form = {**appeal_form, "type": "object", "additionalProperties": False}
    openapi_persons.add(doc, ERRORS, appeal_form)
    openapi_letters.add(doc, ERRORS)
    openapi_read_log.add(doc, ERRORS)
    openapi_reports.add(doc, ERRORS)
    return doc


def _base(start_forms, task_action) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Samflyt API", "version": "1",
                 "description": "Cases, tasks, notices, persons, plans and the process "
                                "library of Samflyt. "
                                "Authenticate with "
                                "`Authorization: Bearer <token>`; a token is printed by "
                                "`samflyt users token NAME`. Every error is a JSON object "
                                "with `error`, `message` and, for invalid data, `errors`."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/cases": {"post": {
                "summary": "Register an application: start a case",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": _body("NewCase"),
                "responses": _responses({"201": _json("CreatedCase", "Case started"),
                                         "200": _json("CreatedCase", "Started before with "
                                                      "this Idempotency-Key: the same case"),
                                         "503": _error("The database did not answer: "
                                                       "`database_unavailable` (nothing was "
                                                       "saved) or `outcome_unknown` (retry "
                                                       "with the same key)")},
                                        "400", "401", "403", "404", "409", "422")}},
            "/cases/{case_id}": {"get": {
                "summary": "A case: status, data this user may see, open tasks, deadlines, "
                           "notices, timeline (the read is logged)",
                "parameters": [{"name": "case_id", "in": "path", "required": True,
                                "schema": DB_ID}],
                "responses": _responses({"200": _json("Case")}, "401", "403", "404")}},
            "/tasks": {"get": {
                "summary": "The user's task list",
                "parameters": [
                    {"name": "view", "in": "query", "schema": {"enum": list(VIEWS),
                                                               "default": "mine"}},
                    {"name": "process", "in": "query", "schema": {"type": "string"}},
                    {"name": "task", "in": "query", "schema": {"type": "string"},
                     "description": "task name"},
                    {"name": "case", "in": "query", "schema": {"type": "string"},
                     "description": "case number"},
                    {"name": "due_from", "in": "query", "schema": {"type": "string",
                                                                   "format": "date"}},
                    {"name": "due_to", "in": "query", "schema": {"type": "string",
                                                                 "format": "date"}},
                    {"name": "priority", "in": "query", "schema": {"type": "integer",
                                                                   "minimum": 1, "maximum": 5}},
                    {"name": "sort", "in": "query", "schema": {"enum": ["due", "priority"]}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "per_page", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 200}}],
                "responses": _responses({"200": _json("TaskList")}, "400", "401")}},
            "/tasks/{task_id}": {"get": {
                "summary": "A task as the user may see it: at `full` its form and values, at "
                           "`limited` (the administrator) only its course; the read of the "
                           "case is logged, a refused read too",
                "parameters": [TASK_ID],
                "responses": _responses({"200": _json("TaskDetail")}, "401", "403", "404")}},
            "/tasks/{task_id}/claim": task_action("Claim a task", "VersionBody", False,
                                                  ("400", "401", "403", "404", "409", "422")),
            "/tasks/{task_id}/unclaim": task_action("Put a claimed task back", "VersionBody",
                                                    False, ("400", "401", "403", "404", "409",
                                                            "422")),
            "/tasks/{task_id}/assign": task_action("Assign (reassign) a task to a user",
                                                   "AssignBody", True,
                                                   ("400", "401", "403", "404", "409", "422")),
            "/tasks/{task_id}/complete": {"post": {
                "summary": "Submit the task's form",
                "parameters": [TASK_ID], "requestBody": _body("CompleteBody"),
                "responses": _responses({"200": _json("CompletedTask")},
                                        "400", "401", "403", "404", "409", "422")}},
            "/notices": {"get": {"summary": "Open notices for the user and the user's roles",
                                 "responses": _responses({"200": _json("NoticeList")}, "401")}},
            "/notices/{notice_id}/ack": {"post": {
                "summary": "Acknowledge a notice",
                "parameters": [{"name": "notice_id", "in": "path", "required": True,
                                "schema": DB_ID}],
                "responses": _responses({"200": _json("Notice")}, "401", "403", "404")}},
            "/tokens": {
                "get": {"summary": "The caller's own API tokens (never the tokens themselves)",
                        "responses": _responses({"200": _json("TokenList")}, "401")},
                "post": {"summary": "Issue a new token for the caller; the token is in this "
                                    "answer only",
                         "requestBody": _body("NewTokenBody"),
                         "responses": _responses({"201": _json("IssuedToken", "Issued")},
                                                 "400", "401", "422")}},
            "/tokens/{token_id}": {"delete": {
                "summary": "Revoke one of the caller's tokens",
                "parameters": [{"name": "token_id", "in": "path", "required": True,
                                "schema": DB_ID}],
                "responses": _responses({"204": {"description": "Revoked"}},
                                        "401", "404")}},
            "/processes": {"get": {
                "summary": "The process library: every deployed process with its newest "
                           "version, number of versions and running cases (koordinerende_enhet, "
                           "admin)",
                "responses": _responses({"200": _json("ProcessList")}, "401", "403")}},
            "/processes/{key}/versions": {
                "get": {"summary": "The versions of a process, newest first, with their files "
                                   "and running instances",
                        "parameters": [KEY],
                        "responses": _responses({"200": _json("VersionList")},
                                                "401", "403", "404")},
                "post": {
                    "summary": "Deploy a new version: upload one or more changed files (BPMN, "
                               "DMN, JSON forms). They are validated together with the newest "
                               "version's files for whatever is not uploaded; nothing is "
                               "deployed when anything is refused. 201 with the new version, "
                               "200 when the same content was already deployed.",
                    "parameters": [KEY],
                    "requestBody": {"required": True, "content": {"multipart/form-data": {
                        "schema": {"type": "object", "properties": {"files": {
                            "type": "array", "items": {"type": "string",
                                                       "format": "binary"}}}}}}},
                    "responses": {
                        "201": _json("DeployedVersion", "New version deployed"),
                        "200": _json("DeployedVersion", "Already deployed: the same version"),
                        **{c: ERRORS[c] for c in ("400", "401", "403", "413")},
                        "422": {"description": "Invalid or refused files: `problems` lists "
                                               "`file: element: message`",
                                "content": {"application/json": {"schema": {
                                    "$ref": "#/components/schemas/DefinitionProblems"}}}}}}},
            "/processes/{key}/migrations": {"post": {
                "summary": "Move running cases to another version of the process. `run: false` "
                           "(default) previews every running instance on another version: "
                           "whether it can move, the reason when not, and what changes (tasks "
                           "added, removed, renamed, timers with old and new fire time, data "
                           "that no longer fits). `run: true` moves `cases` (default: every "
                           "compatible one); each is checked again, refused ones are listed "
                           "with the reason and left as they were. Every move and refusal is "
                           "audited. A waiting timer whose duration changed counts the new "
                           "duration from when it started waiting.",
                "parameters": [KEY], "requestBody": _body("MigrationBody", required=False),
                "responses": {
                    "200": {"description": "The preview (run=false) or what was moved "
                                           "(run=true)",
                            "content": {"application/json": {"schema": {"oneOf": [
                                {"$ref": "#/components/schemas/MigrationPreview"},
                                {"$ref": "#/components/schemas/MigrationResult"}]}}}},
                    **{c: ERRORS[c] for c in ("400", "401", "403", "404", "409")}}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"], "properties": {
                    "error": {"type": "string"}, "message": {"type": "string"},
                    "errors": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "NewCase": {"type": "object", "properties": {
                    "process": {"type": "string", "description": "process key (default: the "
                                "first of SAMFLYT_CASE_PROCESSES)"},
                    "data": _application(start_forms or {})}},
                "CreatedCase": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "case_number": {"type": "string"},
                    "status": {"type": "string"}, "process": {"type": "string"},
                    "open_tasks": {"type": "array",
                                   "items": {"$ref": "#/components/schemas/Task"}}}},
                "Case": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "case_number": {"type": "string"},
                    "status": {"enum": ["open", "closed"]}, "process": {"type": "string"},
                    "coordinator": {"type": ["string", "null"]},
                    "access": {"enum": ["full", "limited"]},
                    "data": {"type": ["object", "null"]}, "facts": {"type": ["object", "null"]},
                    "open_tasks": {"type": "array", "items": {"type": "object"}},
                    "deadlines": {"type": "array", "items": {"type": "object"}},
                    "notices": {"type": "array", "items": {"$ref": "#/components/schemas/Notice"}},
                    "timeline": {"type": "array", "items": {"type": "object"}}}},
                "Task": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"},
                    "element_id": {"type": "string"}, "process": {"type": "string"},
                    "case_id": {"type": "integer"}, "case_number": {"type": "string"},
                    "role": {"type": "string"}, "assignee": {"type": ["string", "null"]},
                    "priority": {"type": "integer"},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "status": {"enum": ["open", "completed", "cancelled"]},
                    "form": {"type": ["string", "null"]}, "version": {"type": "integer"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "completed_at": {"type": ["string", "null"], "format": "date-time"},
                    "completed_by": {"type": ["string", "null"]}}},
                "Token": {"type": "object",
                          "required": ["id", "name", "created_at", "expires_at",
                                       "last_used_at", "revoked_at"],
                          "properties": {
                              "id": {"type": "integer"}, "name": {"type": "string"},
                              "created_at": {"type": "string", "format": "date-time"},
                              "expires_at": {"type": "string", "format": "date-time"},
                              "last_used_at": {"type": ["string", "null"],
                                               "format": "date-time"},
                              "revoked_at": {"type": ["string", "null"],
                                             "format": "date-time"}}},
                "TokenList": {"type": "object", "required": ["tokens"], "properties": {
                    "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}}},
                "NewTokenBody": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 100},
                    "days": {"type": "integer", "minimum": 1, "maximum": 365,
                             "description": "default SAMFLYT_API_TOKEN_DAYS (90)"}}},
                "IssuedToken": {"type": "object",
                                "required": ["id", "name", "token", "expires_at"],
                                "properties": {
                                    "id": {"type": "integer"}, "name": {"type": "string"},
                                    "token": {"type": "string"},
                                    "expires_at": {"type": "string", "format": "date-time"}}},
                "TaskDetail": {"allOf": [{"$ref": "#/components/schemas/Task"}, {
                    "type": "object",
                    "required": ["access", "why_not", "form_schema", "values"],
                    "properties": {
                        "access": {"enum": ["full", "limited"]},
                        "why_not": {"type": ["string", "null"],
                                    "description": "why the user cannot work on it, or null"},
                        "form_schema": {"type": ["object", "null"]},
                        "values": {"type": ["object", "null"]}}}]},
                "CompletedTask": {"allOf": [{"$ref": "#/components/schemas/Task"}, {
                    "type": "object", "properties": {
                        "case_open_tasks": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Task"}},
                        "next_task": {"description": "the task this step created that you "
                                      "can work on (what the web UI opens next), claimed "
                                      "for you, or null",
                                      "oneOf": [{"$ref": "#/components/schemas/Task"},
                                                {"type": "null"}]},
                        "waiting_for": {"type": ["string", "null"],
                                        "description": "when there is no next task for you: "
                                        "whom the case waits for now, in words"}}}]},
                "TaskList": {"type": "object", "properties": {
                    "view": {"type": "string"}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}},
                "VersionBody": {"type": "object", "properties": {
                    "version": {"type": "integer",
                                "description": "the task version you saw; a newer one is a 409"}}},
                "AssignBody": {"type": "object", "required": ["assignee"], "properties": {
                    "assignee": {"type": "string"}, "version": {"type": "integer"}}},
                "CompleteBody": {"type": "object", "required": ["data"], "properties": {
                    "data": {"type": "object"}, "version": {"type": "integer"}}},
                "Notice": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "case_id": {"type": "integer"},
                    "case_number": {"type": "string"}, "kind": {"type": "string"},
                    "severity": {"enum": ["info", "warning", "escalation"]},
                    "role": {"type": ["string", "null"]}, "username": {"type": ["string", "null"]},
                    "status": {"type": "string"}, "created_at": {"type": "string"}}},
                "NoticeList": {"type": "object", "properties": {"notices": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Notice"}}}},
                "ProcessList": {"type": "object", "properties": {"processes": {
                    "type": "array", "items": {"type": "object", "properties": {
                        "key": {"type": "string"}, "name": {"type": "string"},
                        "newest_version": {"type": "integer"},
                        "version_count": {"type": "integer"},
                        "running_cases": {"type": "integer"}}}}}},
                "VersionList": {"type": "object", "properties": {
                    "process": {"type": "string"}, "versions": {"type": "array", "items": {
                        "type": "object", "properties": {
                            "version": {"type": "integer"}, "name": {"type": "string"},
                            "deployed_by": {"type": "string"},
                            "deployed_at": {"type": "string", "format": "date-time"},
                            "bundle_hash": {"type": "string"},
                            "running_instances": {"type": "integer"},
                            "files": {"type": "array", "items": {"type": "object", "properties": {
                                "name": {"type": "string"},
                                "kind": {"enum": ["bpmn", "dmn", "form"]},
                                "content_hash": {"type": "string"}}}}}}}}},
                "DeployedVersion": {"type": "object", "properties": {
                    "process": {"type": "string"}, "version": {"type": "integer"},
                    "name": {"type": "string"}, "deployed_by": {"type": "string"},
                    "deployed_at": {"type": "string", "format": "date-time"},
                    "bundle_hash": {"type": "string"},
                    "created": {"type": "boolean",
                                "description": "false when the content was already deployed"}}},
                "MigrationBody": {"type": "object", "properties": {
                    "to_version": {"type": "integer", "description": "default: the newest"},
                    "run": {"type": "boolean", "default": False},
                    "cases": {"type": "array", "items": {"type": "integer"},
                              "description": "case ids to move (run=true); default: all "
                                             "compatible"},
                    "seen": {"type": "object", "additionalProperties": {"type": "string"},
                             "description": "case id -> the `token` the preview gave (several "
                                            "comma-separated): a case changed since is refused"},
                    "limit": {"type": "integer", "minimum": 1, "default": 200,
                              "description": "preview: cases per answer (at most 1000)"},
                    "offset": {"type": "integer", "minimum": 0, "default": 0}}},
                "MigrationCase": {"type": "object", "properties": {
                    "case_id": {"type": "integer"}, "case_number": {"type": "string"},
                    "instance_id": {"type": "integer"}, "from_version": {"type": "integer"},
                    "to_version": {"type": "integer"}, "compatible": {"type": "boolean"},
                    "reason": {"type": ["string", "null"]}, "token": {"type": "string"},
                    "tasks_added": {"type": "array", "items": {"type": "object"}},
                    "tasks_removed": {"type": "array", "items": {"type": "object"}},
                    "tasks_changed": {"type": "array", "items": {"type": "object", "properties": {
                        "element": {"type": "string"}, "name": {"type": "string"},
                        "field": {"enum": ["name", "role", "form", "priority"]},
                        "before": {"type": ["string", "null"]},
                        "after": {"type": ["string", "null"]}}}},
                    "timers": {"type": "array", "items": {"type": "object", "properties": {
                        "element": {"type": "string"}, "name": {"type": "string"},
                        "before": {"type": ["string", "null"], "format": "date-time"},
                        "after": {"type": ["string", "null"], "format": "date-time"},
                        "expression_before": {"type": ["string", "null"]},
                        "expression_after": {"type": ["string", "null"]},
                        "fires_now": {"type": "boolean"}}}},
                    "data_problems": {"type": "array", "items": {"type": "object", "properties": {
                        "where": {"type": "string"}, "field": {"type": "string"},
                        "message": {"type": "string"}}}}}},
                "MigrationPreview": {"type": "object",
                                     "required": ["process", "to_version", "total", "offset",
                                                  "cases"], "properties": {
                    "process": {"type": "string"}, "to_version": {"type": "integer"},
                    "total": {"type": "integer"}, "offset": {"type": "integer"},
                    "cases": {"type": "array",
                              "items": {"$ref": "#/components/schemas/MigrationCase"}}}},
                "MigrationResult": {"type": "object",
                                    "required": ["process", "to_version", "migrated",
                                                 "refused"], "properties": {
                    "process": {"type": "string"}, "to_version": {"type": "integer"},
                    "migrated": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/MigrationCase"}},
                    "refused": {"type": "array", "items": {"type": "object", "properties": {
                        "case_id": {"type": "integer"},
                        "case_number": {"type": ["string", "null"]},
                        "instance_id": {"type": ["integer", "null"]},
                        "from_version": {"type": ["integer", "null"]},
                        "reason": {"type": "string"}}}},
                    "unchanged": {"type": "array", "items": {"type": "string"},
                                  "description": "case numbers already on the version"}}},
                "DefinitionProblems": {"type": "object", "required": ["problems"], "properties": {
                    "error": {"type": "string"}, "message": {"type": "string"},
                    "problems": {"type": "array", "items": {"type": "string"}}}},
            },
        },
    }
