"""The OpenAPI path and schema of the person's read log (webui/api_read_log.py), added to
the document of webui/openapi.py."""
from __future__ import annotations

from webui.openapi_persons import DB_ID

READ = {
    "type": "object", "additionalProperties": False,
    "required": ["at", "username", "name", "what", "case_number", "why", "reason",
                 "refused"],
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "username": {"type": "string"}, "name": {"type": "string"},
        "what": {"type": "string", "description": "what was read, in the reader's language"},
        "case_number": {"type": ["string", "null"]},
        "why": {"type": ["string", "null"],
                "description": "why the reader had access (docs/access.md), in words"},
        "reason": {"type": ["string", "null"],
                   "description": "the stated reason of an emergency access"},
        "refused": {"type": "boolean", "description": "a read that was refused"}}}


def add(doc: dict, errors: dict) -> None:
    doc["components"]["schemas"]["ReadLog"] = {
        "type": "object", "additionalProperties": False,
        "required": ["person_id", "from", "to", "truncated", "reads"],
        "properties": {"person_id": DB_ID, "from": {"type": "string", "format": "date"},
                       "to": {"type": "string", "format": "date"},
                       "truncated": {"type": "boolean",
                                     "description": "more reads than listed: ask for a "
                                                    "shorter period"},
                       "reads": {"type": "array", "items": READ}}}
    doc["paths"]["/persons/{person_id}/read-log"] = {"get": {
        "summary": "Who read the person's information in a period (pasientjournalloven "
                   "§ 22): every read, refused read and emergency access, newest first",
        "parameters": [
            {"name": "person_id", "in": "path", "required": True, "schema": DB_ID},
            {"name": "from", "in": "query", "required": False,
             "schema": {"type": "string", "format": "date"}},
            {"name": "to", "in": "query", "required": False,
             "schema": {"type": "string", "format": "date"}}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ReadLog"}}}},
            **{c: errors[c] for c in ("400", "401", "403", "404", "422")}}}}
