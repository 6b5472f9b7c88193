"""The OpenAPI path of the reports (webui/api_reports.py), added to webui/openapi.py's
document."""
from __future__ import annotations

from engine.reports.kpr import COLUMNS

NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def add(doc: dict, errors: dict) -> None:
    row = {"type": "object", "additionalProperties": False, "required": list(COLUMNS),
           "properties": dict.fromkeys(COLUMNS, NULLABLE_DATE)}
    row["properties"].update({"aar": {"type": "integer"},
                              "kommunenummer": {"type": "string"},
                              "fodselsnummer": {"type": "string"}})
    doc["components"]["schemas"]["KprExtract"] = {
        "type": "object", "additionalProperties": False,
        "required": ["year", "due", "generated_at", "count", "left_out_without_number", "rows"],
        "properties": {"year": {"type": "integer"}, "due": {"type": "string", "format": "date"},
                       "generated_at": {"type": "string", "format": "date-time"},
                       "count": {"type": "integer", "minimum": 0},
                       "left_out_without_number": {"type": "integer", "minimum": 0},
                       "rows": {"type": "array", "items": row}}}
    doc["paths"]["/reports/kpr"] = {"get": {
        "summary": "The KPR extract of a year: each person's individual plan and coordinator "
                   "status with dates (docs/kpr.md); for the coordinating unit and leaders; "
                   "the export is audited",
        "parameters": [
            {"name": "year", "in": "query", "required": True,
             "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}},
            {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}}],
        "responses": {"200": {"description": "The extract", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/KprExtract"}},
            "text/csv": {"schema": {"type": "string"}}}},
            **{code: errors[code] for code in ("400", "401", "403", "422")}}}}
