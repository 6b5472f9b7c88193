"""The OpenAPI paths and schemas of a case's letters (webui/api_letters.py), added to the
document of webui/openapi.py."""
from __future__ import annotations

from webui.openapi_persons import DB_ID

NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": ["string", "null"], "format": "date-time"}

COPY = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "name", "relation", "language", "sha256", "channel", "status",
                 "posted_on", "delivered_on", "delivery_source", "read_on"],
    "properties": {
        "id": DB_ID,
        "name": {"type": "string"},
        "language": {"enum": ["nb", "nn"], "description": "the copy's written language"},
        "sha256": {"type": ["string", "null"],
                   "description": "SHA-256 of the copy's PDF, once rendered after approval"},
        "relation": {"enum": ["selv", "forelder", "verge", "parorende"]},
        "channel": {"enum": ["print", "svarut", "protected", None],
                    "description": "print: paper; svarut: digital mail; protected: a "
                                   "strengt fortrolig person's protected route"},
        "status": {"enum": ["pending", "queued", "posted", "sent", "delivered", "failed"]},
        "posted_on": NULLABLE_DATE, "delivered_on": NULLABLE_DATE,
        "delivery_source": {"enum": ["estimated", "entered", "channel", None]},
        "read_on": NULLABLE_DATE}}
LETTER = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "kind", "status", "language", "created_at", "approved_at",
                 "approved_by", "sha256", "delivered_on", "corrects", "recipients"],
    "properties": {
        "id": DB_ID,
        "kind": {"enum": ["vedtak", "forelopig_svar", "klage_oversendt", "klage_utfall"]},
        "status": {"enum": ["draft", "approved", "sent", "delivered", "cancelled"]},
        "language": {"enum": ["nb", "nn"]},
        "created_at": {"type": "string", "format": "date-time"},
        "approved_at": DATETIME, "approved_by": {"type": ["string", "null"]},
        "sha256": {"type": ["string", "null"],
                   "description": "SHA-256 of the archived PDF (the first copy's), once "
                                  "rendered after approval"},
        "delivered_on": {**NULLABLE_DATE, "description": "the last copy's delivery: what "
                         "starts an appeal clock"},
        "corrects": {"type": ["integer", "null"], "description": "the letter it corrects"},
        "recipients": {"type": "array", "items": COPY}}}


def add(doc: dict, errors: dict) -> None:
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    schemas["Letter"] = LETTER
    schemas["LetterList"] = {"type": "object", "additionalProperties": False,
                             "required": ["letters"],
                             "properties": {"letters": {"type": "array",
                                                        "items": {"$ref":
                                                                  "#/components/schemas/Letter"}}}}
    param = {"in": "path", "required": True, "schema": DB_ID}
    paths["/cases/{case_id}/letters"] = {"get": {
        "summary": "The case's letters, newest first: kind, status, language, approval and "
                   "hash, and each copy's channel, status and dates (the read is logged)",
        "parameters": [{"name": "case_id", **param}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/LetterList"}}}},
            **{c: errors[c] for c in ("401", "403", "404")}}}}
    paths["/letters/{letter_id}/pdf"] = {"get": {
        "summary": "One letter as PDF/A: as approved (immutable), or a draft rendered now and "
                   "marked as one (the read is logged)",
        "parameters": [{"name": "letter_id", **param}],
        "responses": {"200": {"description": "The PDF", "content": {"application/pdf": {
            "schema": {"type": "string", "format": "binary"}}}},
            **{c: errors[c] for c in ("401", "403", "404")}}}}
    paths["/letters/{letter_id}/copies/{copy_id}/pdf"] = {"get": {
        "summary": "One copy of a letter as PDF/A, addressed to its recipient in the copy's "
                   "written language (the read is logged)",
        "parameters": [{"name": "letter_id", **param}, {"name": "copy_id", **param}],
        "responses": {"200": {"description": "The PDF", "content": {"application/pdf": {
            "schema": {"type": "string", "format": "binary"}}}},
            **{c: errors[c] for c in ("401", "403", "404")}}}}
