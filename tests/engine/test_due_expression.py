"""The diagram editor's deadline control (engine/deadlines/due_expression.py): a number and a
unit from a date of the case, written as `due_date(start, amount, "unit")` and read back; the
helper diagrams then run (engine/deadlines/calendar.py `due_date`, working days and the
working-day rule); and validation of what the helper expects."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.deadlines import calendar
from engine.deadlines.due_expression import START_DATES, UNITS, Deadline, call_errors, read, write
from engine.definitions import store
from engine.definitions.validation import legal_date_warnings, validate_files
from engine.workflow.scripting import HELPER_NAMES, RestrictedScriptEngine

PROCESSES = Path(__file__).parents[2] / "processes"


@pytest.mark.parametrize("start", sorted(START_DATES))
@pytest.mark.parametrize("unit", sorted(UNITS))
@pytest.mark.parametrize("amount", [1, 10, 999])
def test_control_to_expression_to_control(start, unit, amount):
    deadline = Deadline(amount, unit, start)
    expression = write(deadline)
    assert expression == f'due_date({start}, {amount}, "{unit}")'
    assert read(expression) == deadline


def test_the_case_dates_are_the_ones_the_processes_set_and_shown_in_words():
    assert START_DATES == {"mottatt_dato": "Mottatt dato", "vedtaksdato": "Vedtaksdato",
                           "leveringsdato": "Leveringsdato for brevet"}
    assert list(UNITS) == ["days", "working_days", "weeks", "months"]
    assert set(UNITS) == set(calendar.DUE_UNITS)  # the helper counts every unit offered


@pytest.mark.parametrize("expression", [
    "", None, 'legal_date(mottatt_dato, "forelopig_svar")', "frist if frist else None",
    'due_date(fodselsdato, 10, "days")',           # not a date the control offers
    'due_date(mottatt_dato, 10, "fortnights")',    # not a unit
    'due_date(mottatt_dato, 0, "days")', 'due_date(mottatt_dato, 1000, "days")',
    'due_date(mottatt_dato, 10, "days") or today()',
])
def test_an_expression_the_control_cannot_show_is_not_read(expression):
    assert read(expression) is None


def test_reading_tolerates_spaces_and_single_quotes():
    assert read("  due_date( vedtaksdato ,3,'weeks' ) ") == Deadline(3, "weeks", "vedtaksdato")


@pytest.mark.parametrize(("start", "amount", "unit", "expected"), [
    ("2026-01-09", 10, "working_days", "2026-01-23"),   # a Friday: two weeks on
    ("2026-03-27", 10, "working_days", "2026-04-15"),   # Maundy Thursday to Easter Monday skipped
    ("2026-01-09", 8, "days", "2026-01-19"),            # a Saturday: moved to Monday
    ("2026-03-23", 2, "weeks", "2026-04-07"),           # Easter Monday: moved to Tuesday
    ("2026-01-31", 1, "months", "2026-03-02"),          # 28 February (clamped) is a Saturday
    ("2026-01-09T10:00:00+00:00", 1, "working_days", "2026-01-12"),
])
def test_the_helper_counts_with_the_working_day_rule(start, amount, unit, expected):
    assert calendar.due_date(start, amount, unit) == expected
    engine = RestrictedScriptEngine(clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    expression = write(Deadline(amount, unit, "mottatt_dato"))
    assert engine.environment.evaluate(expression, {"mottatt_dato": start}) == expected


def test_the_helpers_are_known_to_diagrams():
    assert {"due_date", "add_working_days"} <= HELPER_NAMES


@pytest.mark.parametrize(("expression", "expected"), [
    ('due_date(mottatt_dato, 10, "working_days")', []),
    ("due_date(mottatt_dato, antall, enhet)", []),  # not literal: checked when it runs
    ('due_date(mottatt_dato, 10, "fortnights")',
     [("enheten «fortnights» finnes ikke; fristen kan regnes i dager, virkedager, uker, måneder",
       "due_date: the unit must be one of days, working_days, weeks, months, not 'fortnights'")]),
    ('due_date(mottatt_dato, "10", "days")',
     [("antallet må være et helt tall fra 0 til 999, ikke '10'",
       "due_date: the amount must be a whole number from 0 to 999, not '10'")]),
    ("due_date(mottatt_dato, 10)",
     [("due_date trenger tre verdier: datoen fristen regnes fra, antallet og enheten",
       "due_date(start, amount, unit) takes three arguments")]),
])
def test_validation_checks_what_the_helper_expects(expression, expected):
    # what is wrong in words (a Message the web UI translates), the technical text beside it
    assert call_errors(expression) == expected
    assert all(words.key for words, _ in call_errors(expression))


def _with_due(expression: str) -> dict[str, bytes]:
    files = store.read_directory(PROCESSES)
    text = files["ip_sak.bpmn"].decode()
    old = "legal_date(mottatt_dato, &quot;forelopig_svar&quot;)"
    assert old in text
    files["ip_sak.bpmn"] = text.replace(old, expression.replace('"', "&quot;"), 1).encode()
    return files


def test_a_written_deadline_validates_and_a_wrong_unit_is_an_error():
    good = _with_due(write(Deadline(10, "working_days", "mottatt_dato")))
    assert validate_files(good) == []
    bad = _with_due('due_date(mottatt_dato, 10, "fortnights")')
    [problem] = validate_files(bad)
    assert problem.element == "task_forelopig_svar" and problem.message.startswith(
        "Fristen kan ikke brukes: enheten «fortnights» finnes ikke")
    assert "fortnights" in problem.detail
    # the task is named for an interim reply (a legal deadline): warned, as before
    assert [w.element for w in legal_date_warnings({"ip_sak.bpmn": good["ip_sak.bpmn"]})] == [
        "task_forelopig_svar"]
