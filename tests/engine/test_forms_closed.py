"""Forms are closed documents (issue 13, findings 3 and 4): a completion or a draft carries
exactly the form's fields and never a name the engine reserves; a schema's references stay
inside the form and never loop; a pattern cannot backtrack catastrophically. Validation
before deploy refuses what completion would fail on."""
import json
import socket
from pathlib import Path

import pytest

from engine.cases import casework
from engine.core.errors import InvalidInput, ProcessError
from engine.db.models import HumanTask
from engine.definitions.validation import collect_problems_for_paths, validate_files
from engine.workflow.scripting import HELPER_NAMES
from engine.worklist import forms, humantasks

BAD = Path(__file__).parents[1] / "fixtures" / "bad"


@pytest.fixture
def open_task(ctx, make_user):
    """An open task whose form has exactly one field, `x` (an integer), and its officer."""
    officer = make_user("kari", "saksbehandler")
    make_user("ola", "saksbehandler")
    case = casework.start_case(ctx, {}, officer, process_key="frist_test")
    [task] = humantasks.open_tasks(ctx, case.id)
    return task, officer


# --- finding 3: the data is exactly the form's fields ------------------------------------

@pytest.mark.parametrize("extra", [{"lane_owners": {"saksbehandler": ["ola"]}},
                                   {"deadline": "x"}, {"ukjent": 1}])
def test_a_completion_with_a_field_not_in_the_form_is_refused_naming_it(ctx, open_task, extra):
    task, officer = open_task
    with pytest.raises(InvalidInput) as refused:
        humantasks.complete(ctx, task.id, officer, {"x": 1, **extra})
    [name] = extra
    assert set(refused.value.errors) == {name}
    assert str(refused.value.errors[name]) == f"Feltet «{name}» finnes ikke i skjemaet"
    assert ctx.session.get(HumanTask, task.id).status == "open"


def test_a_completion_with_only_the_forms_fields_is_accepted(ctx, open_task):
    task, officer = open_task
    assert humantasks.complete(ctx, task.id, officer, {"x": 1}).status == "completed"


def test_a_draft_with_a_field_not_in_the_form_is_refused_and_not_kept(ctx, open_task):
    task, officer = open_task
    with pytest.raises(InvalidInput) as refused:
        humantasks.save_draft(ctx, task.id, officer, {"x": "halvferdig", "lane_owners": {}})
    assert set(refused.value.errors) == {"lane_owners"}
    assert ctx.session.get(HumanTask, task.id).draft is None
    # a draft may be incomplete or invalid, as long as it holds only the form's fields
    assert humantasks.save_draft(ctx, task.id, officer, {"x": "halvferdig"}).draft == {
        "x": "halvferdig"}


def test_a_task_without_a_form_accepts_no_field():
    forms.check_completion(None, {})
    with pytest.raises(InvalidInput) as refused:
        forms.check_completion(None, {"lane_owners": {"saksbehandler": "ola"}})
    assert set(refused.value.errors) == {"lane_owners"}


RESERVED = ("Feltnavnet «%(name)s» er reservert av Samflyt (skriptene eller fordelingen på "
            "svømmebaner bruker det); gi feltet et annet navn")


@pytest.mark.parametrize("name", sorted(HELPER_NAMES | {"lane_owners"}))
def test_a_reserved_name_is_refused_even_when_a_form_declares_it(name):
    schema = {"type": "object", "properties": {name: {}, "x": {"type": "integer"}}}
    with pytest.raises(InvalidInput) as refused:
        forms.check_completion(json.dumps(schema), {name: "x", "x": 1})
    assert name in refused.value.errors
    files = {"skjema.json": json.dumps(schema).encode()}
    assert [(p.element, p.message.key, p.message.params, "reserved" in p.detail)
            for p in validate_files(files)] == [
        (f"/properties/{name}", RESERVED, {"name": name}, True)]


def test_validation_refuses_a_form_declaring_lane_owners():
    [problem] = collect_problems_for_paths([BAD / "reserved_field_form.json"])
    assert problem.element == "/properties/lane_owners" and problem.message.startswith(
        "Feltnavnet «lane_owners» er reservert av Samflyt")
    assert "reserved" in problem.detail


# --- finding 4: references stay inside the form, never loop; safe patterns --------------

def test_a_reference_to_a_file_is_never_read(tmp_path):
    target = tmp_path / "schema.json"
    target.write_text(json.dumps({"type": "integer"}))
    schema = {"type": "object", "properties": {"x": {"$ref": target.as_uri()}}}
    with pytest.raises(ProcessError):  # the form cannot be used; the file's rule never applies
        forms.check_completion(json.dumps(schema), {"x": "tekst"})


def test_a_reference_over_the_network_is_never_fetched():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    schema = {"type": "object", "properties": {"x": {"$ref": f"http://127.0.0.1:{port}/s"}}}
    try:
        with pytest.raises(ProcessError):
            forms.check_completion(json.dumps(schema), {"x": 1})
        with pytest.raises(BlockingIOError):  # nobody connected
            listener.accept()
    finally:
        listener.close()


def test_validation_refuses_a_reference_outside_the_form():
    [problem] = collect_problems_for_paths([BAD / "remote_ref_form.json"])
    assert problem.element == "/properties/x"
    assert problem.message.startswith("Referansen «http://127.0.0.1:9/schema.json» viser ikke "
                                      "til noe i skjemaet")
    assert "does not resolve inside the form" in problem.detail


def test_a_reference_inside_the_form_still_resolves():
    schema = {"type": "object", "$defs": {"tall": {"type": "integer"}},
              "properties": {"x": {"$ref": "#/$defs/tall"}}}
    assert forms.schema_problems(schema) == []
    assert forms.field_errors(schema, {"x": "sju"}) == {"x": "Skriv et helt tall"}
    assert forms.field_errors(schema, {"x": 7}) == {}


def test_a_reference_loop_is_refused_at_validation_and_never_recurses_at_completion():
    [problem] = collect_problems_for_paths([BAD / "loop_ref_form.json"])
    assert problem.element == "/properties/x" and "viser tilbake til seg selv" in problem.message
    assert "loops back to itself" in problem.detail
    schema = (BAD / "loop_ref_form.json").read_text()
    with pytest.raises(ProcessError):
        forms.check_completion(schema, {"x": {"x": 1}})


def test_a_loop_through_definitions_is_refused():
    schema = {"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"$ref": "#/$defs/a"}},
              "properties": {"x": {"$ref": "#/$defs/a"}}}
    assert {problem.pointer for problem in forms.schema_problems(schema)} == {
        "/$defs/a/allOf/0", "/$defs/b"}


@pytest.mark.parametrize("pattern", [r"^(a+)+$", r"^(a*)*b$", r"^(\w+\s?)+$", r"^(a|aa)+$"])
def test_a_pattern_that_can_backtrack_catastrophically_is_refused(pattern):
    assert forms.pattern_problem(pattern) is not None
    schema = {"type": "object", "properties": {"kode": {"type": "string", "pattern": pattern}}}
    [problem] = validate_files({"skjema.json": json.dumps(schema).encode()})
    assert problem.element == "/properties/kode" and problem.message.startswith(
        f"Mønsteret «{pattern}» kan bruke svært lang tid på å sjekke et svar")
    assert "is refused" in problem.detail
    with pytest.raises(ProcessError):  # a form deployed before the rule is never run
        forms.check_completion(json.dumps(schema), {"kode": "a" * 22 + "!"})


@pytest.mark.parametrize("pattern", [r"^\d{4}$", r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                     r"^(\d{2}\.){2}\d{4}$", r"^[A-ZÆØÅ][a-zæøå]+$"])
def test_ordinary_patterns_are_accepted_and_checked(pattern):
    assert forms.pattern_problem(pattern) is None
    schema = {"type": "object", "properties": {"kode": {"type": "string", "pattern": pattern}}}
    assert validate_files({"skjema.json": json.dumps(schema).encode()}) == []
    assert forms.field_errors(schema, {"kode": "!"}) == {"kode": "Verdien har ikke riktig form"}


def test_validation_refuses_the_catastrophic_pattern_fixture():
    [problem] = collect_problems_for_paths([BAD / "catastrophic_pattern_form.json"])
    assert problem.element == "/properties/kode" and problem.message.key.startswith(
        "Mønsteret «%(pattern)s» kan bruke svært lang tid")
    assert problem.message.params == {"pattern": "^(a+)+$"}
    assert "nested quantifiers" in problem.detail


def test_a_pattern_that_is_no_regular_expression_is_refused_in_words():
    # (validation's JSON Schema check finds it first; the closed-form rule words it too)
    schema = {"type": "object", "properties": {"kode": {"type": "string", "pattern": "(a"}}}
    [problem] = forms.schema_problems(schema)
    assert problem.message == "Mønsteret «(a» er ikke et gyldig regulært uttrykk"
    assert "not a valid regular expression" in problem.detail


def test_a_value_longer_than_the_pattern_limit_is_refused_unread():
    schema = {"type": "object", "properties": {"kode": {"type": "string", "pattern": "^a*$"}}}
    assert forms.field_errors(schema, {"kode": "a" * forms.MAX_PATTERN_INPUT}) == {}
    assert forms.field_errors(schema, {"kode": "a" * (forms.MAX_PATTERN_INPUT + 1)}) == {
        "kode": "Verdien har ikke riktig form"}
