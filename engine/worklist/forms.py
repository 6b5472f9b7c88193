"""Form data checked against a task's JSON Schema, with one message per field."""
from __future__ import annotations

import functools
import json

from jsonschema import Draft202012Validator, FormatChecker

from engine.core.errors import InvalidInput

_MESSAGES_NB = {
    "required": "Feltet må fylles ut",
    "type": "Ugyldig verdi",
    "format": "Ugyldig format",
    "enum": "Velg en av verdiene",
    "const": "Ugyldig verdi",
    "minimum": "Verdien er for liten",
    "maximum": "Verdien er for stor",
    "minLength": "Feltet må fylles ut",
    "maxLength": "Teksten er for lang",
    "minItems": "For få elementer",
    "maxItems": "For mange elementer",
    "oneOf": "Velg en av verdiene",
    "anyOf": "Ugyldig verdi",
}


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=FormatChecker())


def field_errors(schema: dict | str, data: dict) -> dict[str, str]:
    """Field path (dotted, list indexes as numbers) -> message, for every invalid field.
    `schema`: the JSON Schema, or the text of a form file (its validator is built once)."""
    validator = _validator(schema if isinstance(schema, str) else json.dumps(schema,
                                                                             sort_keys=True))
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path.append(missing)
        key = ".".join(path)
        errors.setdefault(key, _MESSAGES_NB.get(error.validator, error.message))
    return errors


def validate_form_data(schema: dict | str | None, data) -> None:
    if not isinstance(data, dict):
        raise InvalidInput("Skjemadata må være et objekt", {"": "Ugyldige data"})
    if schema is None:
        return
    errors = field_errors(schema, data)
    if errors:
        raise InvalidInput(f"{len(errors)} felt må rettes", errors)
