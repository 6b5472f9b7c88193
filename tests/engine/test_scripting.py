"""Restricted execution of diagram Python (engine/scripting.py)."""
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.workflow import scripting
from engine.workflow.scripting import (
    RestrictedScriptEngine,
    ScriptRefused,
    check_script,
)

GOOD = Path(__file__).parents[1] / "fixtures" / "good"
FRIDAY_LATE = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # Saturday in Oslo

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "[].__class__.__mro__[1].__subclasses__()",
    "(lambda: 1).__globals__",
    "(x for x in ()).gi_frame.f_globals",
    "today.__globals__",
    "f'{today.__globals__}'",
    "getattr((), '__class__')",
    "__import__('os')",
    "open('/etc/passwd').read()",
    "eval('1')",
    "exec('x = 1')",
    "type(())",
    "vars()",
]


@pytest.fixture
def engine():
    return RestrictedScriptEngine(clock=lambda: FRIDAY_LATE)


@pytest.fixture
def task(engine):
    """A real ready SpiffWorkflow task (the first user task of the benchmark process)."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(GOOD.parent / "bench" / "bench_two_user_tasks.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("bench_two_user_tasks"), script_engine=engine)
    workflow.do_engine_steps()
    [ready] = workflow.get_tasks(state=TaskState.READY)
    return ready


# --- expressions and scripts over task data ----------------------------------------------

def test_expression_is_evaluated_against_task_data(engine, task):
    task.data.update(alder=17, tiltak=["ip", "koordinator"])
    assert engine.evaluate(task, "alder < 18 and 'ip' in tiltak") is True
    assert engine.evaluate(task, "sum(1 for t in tiltak if t != 'ip')") == 1


def test_expressions_may_be_indented_like_xml_text(engine, task):
    task.data["x"] = 2
    assert engine.evaluate(task, "\n        x * 2\n    ") == 4


def test_script_writes_task_data_and_leaks_no_functions(engine, task):
    task.data.update(items=[3, 1, 2], gammel=True)
    engine.execute(task, "\n".join([
        "def dobbel(v):",
        "    return v * 2",
        "storst = max(items)",
        "dobbelt = [dobbel(v) for v in sorted(items)]",
        "n = 0",
        "for i, v in enumerate(items):",
        "    n += i",
        "idag = today",
        "del gammel",
        "print('ignored')",
    ]))
    # Loop variables stay, as in Python; the function, the helper and `gammel` do not.
    assert task.data == {"items": [3, 1, 2], "storst": 3, "dobbelt": [2, 4, 6], "n": 3,
                         "i": 2, "v": 2}


def test_script_may_change_lists_and_dicts_in_place(engine, task):
    task.data.update(tiltak=["ip"], svar={})
    engine.execute(task, "tiltak.append('koordinator')\nsvar['ok'] = True")
    assert task.data == {"tiltak": ["ip", "koordinator"], "svar": {"ok": True}}


def test_script_keeps_private_task_data_untouched_and_unreachable(engine, task):
    task.data.update({"_getattr_": "not a guard", "_intern": 1, "a": 5})
    engine.execute(task, "b = a.real")  # attribute access still goes through the real guard
    assert task.data == {"_getattr_": "not a guard", "_intern": 1, "a": 5, "b": 5}
    assert check_script("c = _intern", "exec")  # and names starting with _ cannot be read


def test_dates_from_external_context_are_stored_as_iso_strings(engine):
    data = {}
    engine.environment.execute("start = mottatt", data, {"mottatt": date(2026, 11, 22)})
    assert data == {"start": "2026-11-22"}


def test_task_data_shadowing_a_helper_used_by_the_script_is_reported(engine, task):
    task.data["today"] = "2026-01-01"
    with pytest.raises(WorkflowTaskException, match="overwrites the predefined function"):
        engine.execute(task, "x = today()")
    engine.execute(task, "y = 1")  # scripts not using the name are unaffected
    assert task.data["y"] == 1


# --- helpers and the injected clock -------------------------------------------------------

def test_today_is_the_oslo_date_of_the_injected_clock(engine, task):
    assert engine.evaluate(task, "today()") == "2026-11-21"
    assert engine.evaluate(task, "now()") == "2026-11-20T23:30:00+00:00"
    assert engine.now() == FRIDAY_LATE


def test_clock_can_be_reassigned(engine, task):
    engine.clock = lambda: datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    assert engine.evaluate(task, "today()") == "2027-03-29"
    assert engine.evaluate(task, "next_working_day(today())") == "2027-03-30"


def test_date_helpers_are_available(engine, task):
    task.data.update(fodselsdato="2008-02-29", mottatt="2026-10-01")
    engine.execute(task, "\n".join([
        "myndig = birthday(fodselsdato, 18)",
        "frist = deadline(mottatt, 'P1M')",
        "svar = add_duration(mottatt, 'P4W')",
        "dato = parse_date('2026-11-20T23:30:00+00:00')",
        "er_myndig = myndig <= today()",
    ]))
    assert task.data["myndig"] == "2026-02-28"
    assert task.data["frist"] == "2026-11-02"
    assert task.data["svar"] == "2026-10-29"
    assert task.data["dato"] == "2026-11-21"
    assert task.data["er_myndig"] is True


def test_custom_holiday_calendar(task):
    engine = RestrictedScriptEngine(lambda: FRIDAY_LATE, holiday_calendar={date(2026, 11, 23)})
    assert engine.evaluate(task, "next_working_day(today())") == "2026-11-24"


# --- the sandbox --------------------------------------------------------------------------

@pytest.mark.parametrize("source", ESCAPES)
def test_escapes_are_refused_at_compile_time(source):
    assert check_script(source, "eval")
    assert check_script(f"x = {source}", "exec")


@pytest.mark.parametrize("source", ESCAPES)
def test_escapes_raise_workflow_task_exceptions(engine, task, source):
    with pytest.raises(WorkflowTaskException):
        engine.execute(task, f"x = {source}")
    with pytest.raises(WorkflowTaskException):
        engine.evaluate(task, source)
    assert "x" not in task.data


def test_refusal_names_the_offending_attribute():
    errors = check_script("().__class__.__base__.__subclasses__()", "eval")
    assert any('"__subclasses__" is an invalid attribute name' in error for error in errors)


@pytest.mark.parametrize(("source", "message"), [
    ("import os", "imports are not allowed"),
    ("from os import path", "imports are not allowed"),
    ("class A:\n    pass", "class definitions are not allowed"),
    ("open('/etc/passwd')", '"open" is not available'),
    ("exec('x = 1')", '"exec" is not available'),  # once, not again as RestrictedPython's
    ("x = 1 +", "SyntaxError"),
])
def test_check_script_messages(source, message):
    [error] = check_script(source, "exec")
    assert message in error


@pytest.mark.parametrize(("source", "mode", "line", "text"), [
    ("(yield)", "eval", 1, "'yield' outside function"),
    ("x = 1\nreturn x", "exec", 2, "'return' outside function"),
])
def test_what_only_the_compiler_refuses_is_an_error_not_an_exception(source, mode, line, text):
    # parsed fine, then refused when the tree is compiled: reported like a syntax error
    assert check_script(source, mode) == [f"Line {line}: SyntaxError: {text}"]


def test_check_script_accepts_ordinary_code():
    assert check_script("frist = deadline(mottatt, 'P4W')\nok = len(tiltak) > 0", "exec") == []
    assert check_script("alder >= 18 and not avslag", "eval") == []
    assert check_script("", "eval") == ["the expression is empty"]
    with pytest.raises(ValueError, match="mode must be"):
        check_script("x", "single")


def test_str_format_is_refused_at_run_time(engine, task):
    # format() can reach attributes through its mini-language ("{0.__class__}").
    with pytest.raises(WorkflowTaskException, match="format"):
        engine.evaluate(task, "'{0.__class__}'.format(1)")


def test_items_and_attributes_of_non_data_objects_are_guarded(engine, task):
    with pytest.raises(WorkflowTaskException, match="item access is not allowed on function"):
        engine.evaluate(task, "today[0]")
    with pytest.raises(WorkflowTaskException):
        engine.execute(task, "today.x = 1")


def test_compiled_code_is_cached_by_source(engine, task):
    task.data["x"] = 1
    source = "x + 41  # cache probe"
    engine.evaluate(task, source)
    misses = scripting._compile.cache_info().misses
    assert engine.evaluate(task, source) == 42
    assert scripting._compile.cache_info().misses == misses


# --- errors -------------------------------------------------------------------------------

def test_runtime_errors_are_readable_workflow_task_exceptions(engine, task):
    with pytest.raises(WorkflowTaskException) as raised:
        engine.evaluate(task, "ukjent > 1")
    assert "NameError" in str(raised.value) and "ukjent" in str(raised.value)
    with pytest.raises(WorkflowTaskException) as raised:
        engine.execute(task, "a = 1\nb = {}[1]")
    assert raised.value.line_number == 2
    assert "KeyError: 1" in str(raised.value)


def test_refused_script_is_a_workflow_task_exception_with_the_reason(engine, task):
    with pytest.raises(WorkflowTaskException, match="__class__") as raised:
        engine.execute(task, "x = ().__class__")
    assert raised.value.error_type == ScriptRefused.__name__


# --- in a real workflow -------------------------------------------------------------------

def test_process_with_script_gateway_dmn_and_timer_runs_restricted(engine):
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(GOOD / "vurdering.bpmn"))
    parser.add_dmn_file(str(GOOD / "dmn" / "vurdering.dmn"))
    workflow = BpmnWorkflow(parser.get_spec("vurdering_test"), script_engine=engine)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(
        fodselsdato="2008-02-29", mottatt="2026-10-01")
    workflow.do_engine_steps()
    [user_task] = workflow.get_tasks(state=TaskState.READY)
    assert user_task.task_spec.name == "vurder"
    assert user_task.data["alder"] == 18
    assert user_task.data["frist"] == "2026-10-29"  # from the preScript
    user_task.run()
    workflow.do_engine_steps()
    [timer] = workflow.get_tasks(state=TaskState.WAITING)
    assert timer.task_spec.name == "vent"
    assert timer.data["forslag"] == "koordinator"  # from the decision table
