"""Engine messages: bokmål text with a key and parameters (engine.core.messages), carried by
every engine error, so the web UI can show them in the reader's language."""
import ast
import pickle
from pathlib import Path

import pytest

from engine.accounts import users
from engine.core.errors import (
    ConflictError,
    DefinitionError,
    EngineError,
    InvalidInput,
    NotFound,
    ProcessError,
)
from engine.core.messages import N_, Message, as_message
from engine.worklist import humantasks
from engine.worklist.forms import validate_form_data

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def test_n_marks_a_text_and_returns_it_unchanged():
    assert N_("Fant ikke sak %(case)s") == "Fant ikke sak %(case)s"


def test_a_message_is_its_bokmal_text_and_keeps_key_and_parameters():
    message = Message("Fant ikke sak %(case)s", case=42)
    assert message == "Fant ikke sak 42" and isinstance(message, str)
    assert message.key == "Fant ikke sak %(case)s" and message.params == {"case": 42}
    assert f"{message}!" == "Fant ikke sak 42!"


def test_a_message_without_parameters_is_not_formatted():
    assert Message("100 % ferdig") == "100 % ferdig"
    assert as_message("100 % ferdig").key == "100 % ferdig"


def test_list_parameters_are_joined_and_message_parameters_are_their_text():
    inner = Message("%(file)s (versjon %(version)s)", file="a.bpmn", version=2)
    message = Message("Eldre: %(files)s; %(choices)s", files=[inner, inner],
                      choices=("mine", "roles"))
    assert message == "Eldre: a.bpmn (versjon 2), a.bpmn (versjon 2); mine, roles"


def test_a_message_survives_pickling_with_its_key():
    message = pickle.loads(pickle.dumps(Message("Fant ikke sak %(case)s", case=7)))
    assert (str(message), message.key, message.params) == (
        "Fant ikke sak 7", "Fant ikke sak %(case)s", {"case": 7})


def test_an_engine_error_is_its_bokmal_text_and_carries_the_message():
    error = NotFound(N_("Fant ikke sak %(case)s"), case=7)
    assert str(error) == "Fant ikke sak 7"
    assert error.message.key == "Fant ikke sak %(case)s" and error.message.params == {"case": 7}
    plain = EngineError("Noe uventet")
    assert str(plain) == "Noe uventet" and plain.message.key == "Noe uventet"


def test_errors_keep_their_own_attributes_beside_the_parameters():
    invalid = InvalidInput(N_("Ugyldig navn"), {"name": Message("Minst %(n)d tegn", n=3),
                                                "other": "ren tekst"})
    assert invalid.errors == {"name": "Minst 3 tegn", "other": "ren tekst"}
    assert all(isinstance(text, Message) for text in invalid.errors.values())
    assert invalid.errors["name"].key == "Minst %(n)d tegn"
    failed = ProcessError(N_("Feil ved %(element_id)s"), element="Gateway_1", element_id="G1")
    assert (failed.element, str(failed)) == ("Gateway_1", "Feil ved G1")
    refused = DefinitionError(N_("%(count)d feil i prosessfilene"), ["a: b: c"], count=1)
    assert (refused.problems, str(refused)) == (["a: b: c"], "1 feil i prosessfilene")


def test_an_error_survives_pickling_with_its_message():
    error = pickle.loads(pickle.dumps(ConflictError(N_("Oppgaven «%(name)s» er endret"),
                                                    name="Vurdering")))
    assert isinstance(error, ConflictError) and str(error) == "Oppgaven «Vurdering» er endret"
    assert error.message.key == "Oppgaven «%(name)s» er endret"


def test_a_raise_site_gives_the_same_bokmal_words_and_a_key(ctx):
    with pytest.raises(NotFound, match=r"^Fant ikke oppgave 987654$") as caught:
        humantasks.get_task(ctx, 987654)
    assert caught.value.message.key == "Fant ikke oppgave %(task)s"
    assert caught.value.message.params == {"task": 987654}
    with pytest.raises(InvalidInput) as caught:
        users.add_user(ctx, "x", ["rektor", "saksbehandler"])
    assert caught.value.errors["role"] == "Ukjent rolle: rektor"
    assert caught.value.errors["role"].key == "Ukjent rolle: %(roles)s"


def test_form_field_errors_are_messages_with_keys():
    schema = {"type": "object", "required": ["navn"],
              "properties": {"navn": {"type": "string"}, "alder": {"type": "integer"}}}
    with pytest.raises(InvalidInput, match=r"^2 felt må rettes$") as caught:
        validate_form_data(schema, {"alder": "tretti"})
    errors = caught.value.errors
    assert errors == {"navn": "Feltet må fylles ut", "alder": "Skriv et helt tall"}
    assert (errors["navn"].key, errors["alder"].key) == ("Feltet må fylles ut",
                                                         "Skriv et helt tall")
    assert caught.value.message.key == "%(count)d felt må rettes"


def _error_classes(trees) -> set[str]:
    """EngineError and every class in engine/ that derives from one of them."""
    names = {"EngineError"}
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        found = {c.name for c in classes
                 if any(getattr(b, "id", getattr(b, "attr", None)) in names for b in c.bases)}
        if found <= names:
            return names
        names |= found


def test_every_engine_error_is_raised_with_a_key_not_a_finished_text():
    """A raise site passes N_("... %(name)s ...") and the parameters: an f-string or a plain
    literal would reach the reader untranslated."""
    trees = {path: ast.parse(path.read_text(), str(path)) for path in ENGINE.rglob("*.py")}
    errors = _error_classes(trees.values())
    assert {"NotFound", "InvalidInput", "UploadRefused", "SignInThrottled"} <= errors
    finished = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            called = node.exc.func
            if getattr(called, "id", getattr(called, "attr", None)) in errors and node.exc.args:
                first = node.exc.args[0]
                if isinstance(first, ast.JoinedStr) or (isinstance(first, ast.Constant)
                                                        and isinstance(first.value, str)):
                    finished.append(f"{path.relative_to(ENGINE.parent)}:{node.lineno}")
    assert finished == []
