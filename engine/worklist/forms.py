"""Form data checked against a task's JSON Schema, with one message per field."""
from __future__ import annotations

import functools
import json

from jsonschema import Draft202012Validator, FormatChecker

from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message

#: A field's message per JSON Schema keyword (bokmål, translated by the web UI); another
#: keyword's message is jsonschema's own (English).
_MESSAGES_NB = {
    "required": N_("Feltet må fylles ut"),
    "type": N_("Ugyldig verdi"),
    "format": N_("Ugyldig format"),
    "enum": N_("Velg en av verdiene"),
    "const": N_("Ugyldig verdi"),
    "minimum": N_("Verdien er for liten"),
    "maximum": N_("Verdien er for stor"),
    "minLength": N_("Feltet må fylles ut"),
    "maxLength": N_("Teksten er for lang"),
    "minItems": N_("For få elementer"),
    "maxItems": N_("For mange elementer"),
    "oneOf": N_("Velg en av verdiene"),
    "anyOf": N_("Ugyldig verdi"),
}


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=FormatChecker())


def field_errors(schema: dict | str, data: dict) -> dict[str, Message]:
    """Field path (dotted, list indexes as numbers) -> message, for every invalid field.
    `schema`: the JSON Schema, or the text of a form file (its validator is built once)."""
    validator = _validator(schema if isinstance(schema, str) else json.dumps(schema,
                                                                             sort_keys=True))
    errors: dict[str, Message] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path.append(missing)
        key = ".".join(path)
        errors.setdefault(key, Message(_MESSAGES_NB.get(error.validator, error.message)))
    return errors


def validate_form_data(schema: dict | str | None, data) -> None:
    if not isinstance(data, dict):
        raise InvalidInput(N_("Skjemadata må være et objekt"), {"": N_("Ugyldige data")})
    if schema is None:
        return
    errors = field_errors(schema, data)
    if errors:
        raise InvalidInput(N_("%(count)d felt må rettes"), errors, count=len(errors))
