"""Form data checked against a task's JSON Schema, with one message per field.

A form is a closed document: the data is exactly the form's top-level fields (names the
engine reserves can never be set), a `$ref` resolves only inside the form itself (never over
the network or from a file), references never loop, and a `pattern` is one that cannot
backtrack catastrophically, checked against values of bounded length. `schema_problems`
states these rules for validation before deploy; completion applies them again, so what
validation let through is what completion can check."""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any, NamedTuple
from urllib.parse import unquote

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from engine.core.errors import InvalidInput, ProcessError
from engine.core.messages import N_, Message
from engine.workflow.scripting import HELPER_NAMES

#: Task-data names the engine and the diagrams read: the script helpers (a field of that name
#: would hide the function from every later script) and the lane routing. Never set from a
#: form, and a form that declares one is refused at validation.
RESERVED_FIELDS = HELPER_NAMES | {"lane_owners"}
#: The longest string checked against a `pattern` (longer values are refused unread), so
#: even a pattern with a few adjacent quantifiers stays fast.
MAX_PATTERN_INPUT = 500
#: Keywords whose value is one subschema or a list or map of them (where `$ref`s can sit).
_REF_KEYWORDS = ("$ref", "$dynamicRef")

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
    "pattern": N_("Verdien har ikke riktig form"),
}


#: A `type` error's message by the type the field wants: what to write, not just "invalid".
_TYPE_MESSAGES_NB = {
    "integer": N_("Skriv et helt tall"),
    "number": N_("Skriv et tall"),
    "boolean": N_("Velg ja eller nei"),
    "string": N_("Skriv en tekst"),
    "array": N_("Velg en eller flere av verdiene"),
}
#: A `format` error's message by the format (dates: as the form's date field takes them).
_FORMAT_MESSAGES_NB = {
    "date": N_("Skriv en dato som dd.mm.åååå"),
    "email": N_("Skriv en e-postadresse som navn@eksempel.no"),
}


def _message(error: ValidationError) -> Message:
    """The field's message for one error: by the keyword, more precise where the schema
    says what the field wants (a number, a date, a limit)."""
    keyword, wanted = str(error.validator), error.validator_value
    if keyword == "type":
        types = [wanted] if isinstance(wanted, str) else [
            t for t in wanted if t != "null"] if isinstance(wanted, list) else []
        for kind in ("integer", "number", "boolean", "string", "array"):
            if kind in types:
                return Message(_TYPE_MESSAGES_NB[kind])
    if keyword == "format" and wanted in _FORMAT_MESSAGES_NB:
        return Message(_FORMAT_MESSAGES_NB[wanted])
    if keyword in ("minimum", "maximum") and isinstance(wanted, (int, float)) \
            and not isinstance(wanted, bool):
        return Message(N_("Skriv et tall som er minst %(limit)s") if keyword == "minimum"
                       else N_("Skriv et tall som er høyst %(limit)s"),
                       limit=f"{wanted:g}".replace(".", ","))
    if keyword == "const" and wanted is True:
        return Message(N_("Kryss av for å bekrefte"))
    known = _MESSAGES_NB.get(keyword)
    return Message(known) if known else Message(
        N_("Verdien følger ikke regelen «%(rule)s»"), rule=keyword)


def _refuse_retrieval(uri: str) -> Resource:
    """References never leave the form: nothing is fetched over the network or read."""
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


_CLOSED_REGISTRY: Registry = Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]


@functools.lru_cache(maxsize=512)
def _compiled_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _bounded_pattern(validator, pattern: str, instance, schema) -> Iterator[ValidationError]:
    if not isinstance(instance, str):
        return
    if len(instance) > MAX_PATTERN_INPUT:
        yield ValidationError(f"longer than the {MAX_PATTERN_INPUT} characters a pattern "
                              f"is checked against")
    elif pattern_problem(pattern) is not None:
        yield ValidationError(f"the pattern {pattern!r} is refused: {pattern_problem(pattern)}")
    elif not _compiled_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_ClosedValidator = validators.extend(Draft202012Validator, {"pattern": _bounded_pattern})


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str):
    schema = json.loads(schema_json)
    problems = _unsafe_problems(schema)  # a reserved field name is refused in the data instead
    if problems:
        raise ProcessError(N_("Skjemaet kan ikke brukes (%(pointer)s: %(problem)s)"),
                           pointer=problems[0].pointer, problem=problems[0].message)
    return _ClosedValidator(schema, format_checker=FormatChecker(), registry=_CLOSED_REGISTRY)


def form_fields(schema: dict) -> set[str]:
    """The form's top-level fields: the only names a completion or a draft may carry."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return set(properties) if isinstance(properties, dict) else set()


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
        # never the validator's own text: it quotes the value ("'Anne' does not match ...")
        errors.setdefault(key, _message(error))
    return errors


@functools.lru_cache(maxsize=256)
def _allowed_fields(schema_json: str) -> frozenset[str]:
    """The fields data may carry for a form file's text (read once per text)."""
    return frozenset(form_fields(json.loads(schema_json)) - RESERVED_FIELDS)


def unknown_fields(schema: dict | str | None, data: dict) -> dict[str, Message]:
    """A message for every field of `data` that is not one of the form's top-level fields
    (every field when there is no form) or is a name the engine reserves."""
    allowed = (_allowed_fields(schema) if isinstance(schema, str)
               else form_fields(schema or {}) - RESERVED_FIELDS)
    return {name: Message(N_("Feltet «%(field)s» finnes ikke i skjemaet"), field=name)
            for name in sorted(str(key) for key in data) if name not in allowed}


def _refuse(errors: dict[str, Message]) -> None:
    if errors:
        raise InvalidInput(N_("%(count)d felt må rettes"), errors, count=len(errors))


def _require_object(data) -> None:
    if not isinstance(data, dict):
        raise InvalidInput(N_("Skjemadata må være et objekt"), {"": N_("Ugyldige data")})


def check_draft(schema: dict | str | None, data) -> None:
    """A draft holds only the form's own fields (it may be incomplete or invalid)."""
    _require_object(data)
    _refuse(unknown_fields(schema, data))


def check_completion(schema: dict | str | None, data) -> None:
    """The data of a completion: exactly the form's fields (none without a form), valid."""
    _require_object(data)
    errors = unknown_fields(schema, data)
    if schema is not None:
        errors = {**field_errors(schema, data), **errors}
    _refuse(errors)


def validate_form_data(schema: dict | str | None, data) -> None:
    """The data is valid for the form (fields the form does not name are not checked)."""
    _require_object(data)
    if schema is not None:
        _refuse(field_errors(schema, data))


# --- the closed-document rules, for validation before deploy -------------------------------

class SchemaProblem(NamedTuple):
    """A rule of a closed form the schema breaks: where (a JSON pointer), what is wrong in the
    user's words (a Message, engine.core.messages) and the technical English (the detail)."""
    pointer: str
    message: Message
    detail: str


def schema_problems(schema: Any) -> list[SchemaProblem]:
    """Every rule of a closed form the schema breaks."""
    problems: list[SchemaProblem] = []
    if isinstance(schema, dict):
        for name in sorted(form_fields(schema) & RESERVED_FIELDS):
            problems.append(SchemaProblem(
                f"/properties/{name}",
                Message(N_("Feltnavnet «%(name)s» er reservert av Samflyt (skriptene eller "
                           "fordelingen på svømmebaner bruker det); gi feltet et annet navn"),
                        name=name),
                f"the field name {name!r} is reserved by the engine (a script helper or lane "
                f"routing); rename the field"))
    return problems + _unsafe_problems(schema)


def _unsafe_problems(schema: Any) -> list[SchemaProblem]:
    """What would make checking data against the schema read outside it, recurse without
    end or backtrack catastrophically."""
    problems: list[SchemaProblem] = []
    refs: dict[str, str] = {}  # pointer of a $ref -> pointer of its target
    for pointer, node in _subschemas(schema, ""):
        if pointer and "$id" in node:
            problems.append(SchemaProblem(
                pointer, Message(N_("Et delskjema med egen «$id» støttes ikke; legg det under "
                                    "«$defs» og vis til det med en referanse som begynner med #")),
                "a nested $id is not supported; use $defs and references starting with #"))
        for keyword in _REF_KEYWORDS:
            if not isinstance(node.get(keyword), str):  # a field named so, or not a reference
                continue
            target = _local_target(schema, node[keyword])
            if target is None:
                problems.append(SchemaProblem(
                    pointer, Message(N_("Referansen «%(ref)s» viser ikke til noe i skjemaet; "
                                        "bare referanser som begynner med # og finnes i "
                                        "skjemaet, er tillatt"), ref=node[keyword]),
                    f"the reference {node[keyword]!r} does not resolve inside the form (only "
                    f"#... references are allowed)"))
            else:
                refs[pointer] = target
        for keyword in ("pattern", "patternProperties"):
            value = node.get(keyword)
            patterns = ([value] if keyword == "pattern" and isinstance(value, str)
                        else list(value) if keyword != "pattern" and isinstance(value, dict)
                        else [])
            for pattern in patterns:
                problem = pattern_problem(str(pattern))
                if problem:
                    problems.append(SchemaProblem(pointer or "-", _pattern_words(str(pattern)),
                                                  f"the pattern {pattern!r} is refused: {problem}"))
    problems += _loops(refs)
    return problems


def _subschemas(node: Any, pointer: str) -> Iterator[tuple[str, dict]]:
    """Every object in the schema with its JSON pointer (bounded by the document's size)."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples"):
                yield from _subschemas(value, f"{pointer}/{_escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _subschemas(value, f"{pointer}/{index}")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _local_target(schema: Any, ref: Any) -> str | None:
    """The JSON pointer a `#...` reference names in this schema, or None if it names
    anything outside it or nothing."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):  # an anchor
        found = [pointer for pointer, node in _subschemas(schema, "")
                 if fragment in (node.get("$anchor"), node.get("$dynamicAnchor"))]
        return found[0] if found else None
    node = schema
    for part in fragment.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isascii() and part.isdigit() \
                and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return fragment if isinstance(node, (dict, bool)) else None


def _pattern_words(pattern: str) -> Message:
    """Why `pattern` is refused (pattern_problem says it in English), in the user's words."""
    if (pattern_problem(pattern) or "").startswith(_NOT_A_PATTERN):
        return Message(N_("Mønsteret «%(pattern)s» er ikke et gyldig regulært uttrykk"),
                       pattern=pattern)
    return Message(N_("Mønsteret «%(pattern)s» kan bruke svært lang tid på å sjekke et svar; "
                      "skriv det om med én gjentakelse eller en tegnklasse, for eksempel [ab]+ "
                      "i stedet for (a|b)+"), pattern=pattern)


def _loops(refs: dict[str, str]) -> list[SchemaProblem]:
    """A reference that can reach itself again: refused, forms are not recursive.

    From a reference one goes on to every reference inside the subschema it names."""
    def inside(target: str, pointer: str) -> bool:
        return pointer == target or pointer.startswith(target + "/")

    following = {ref: [other for other in refs if inside(target, other)]
                 for ref, target in refs.items()}
    problems = []
    for start in sorted(refs):
        seen: set[str] = set()
        todo = list(following[start])
        while todo:
            current = todo.pop()
            if current == start:
                ref = "#" + refs[start]
                problems.append(SchemaProblem(
                    start or "-",
                    Message(N_("Referansen «%(ref)s» viser tilbake til seg selv; et skjema kan "
                               "ikke gjenta seg selv"), ref=ref),
                    f"the reference {ref!r} loops back to itself; forms cannot be recursive"))
                break
            if current not in seen:
                seen.add(current)
                todo += following[current]
    return problems


_NOT_A_PATTERN = "not a valid regular expression"


@functools.lru_cache(maxsize=512)
def pattern_problem(pattern: str) -> str | None:
    """Why the pattern could backtrack catastrophically (a conservative static check), or None.

    Refused: a repeated group that itself holds a variable repeat or an alternation, such as
    ``(a+)+`` or ``(a|aa)*``. Rewrite it with one quantifier or a character class."""
    try:
        parsed = sre_parser.parse(pattern)
    except (re.error, OverflowError, RecursionError) as err:
        return f"{_NOT_A_PATTERN} ({err})"
    return _nested_repeat(list(parsed), inside_repeat=False)


_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
            getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT)}


def _nested_repeat(items: list, inside_repeat: bool) -> str | None:
    for op, arg in items:
        if op in _REPEATS:
            low, high, body = arg
            repeats = high is sre_constants.MAXREPEAT or high > 1
            if inside_repeat and repeats and low != high:
                return "a quantifier inside a repeated group (nested quantifiers)"
            found = _nested_repeat(list(body), inside_repeat or repeats)
        elif op is sre_constants.SUBPATTERN:
            found = _nested_repeat(list(arg[-1]), inside_repeat)
        elif op is sre_constants.BRANCH:
            if inside_repeat:
                return "an alternation inside a repeated group"
            found = next((problem for branch in arg[1]
                          if (problem := _nested_repeat(list(branch), inside_repeat))), None)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            found = _nested_repeat(list(arg[1]), inside_repeat)
        elif op is sre_constants.GROUPREF_EXISTS:
            found = next((problem for branch in arg[1:] if branch is not None
                          if (problem := _nested_repeat(list(branch), inside_repeat))), None)
        else:
            found = None
        if found:
            return found
    return None
