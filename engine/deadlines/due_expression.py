"""The deadline control of the diagram editor: a user task's `dueDateExpression` as a number
and a unit counted from a date of the case, and back.

The control writes the helper `due_date(start, amount, "unit")` (engine/deadlines/calendar.py,
called by diagrams through engine/workflow/scripting.py): days, weeks and months are added by
the calendar and the result moved to the next working day; working days count working days
only. `read` gives the control's values back for an expression of exactly that form, None for
any other expression (the editor then shows it as a custom deadline, unchanged). The editor's
script (webui/static/js/editor.js) writes and reads the same form; the page passes it the
start dates and units from here, so the names shown are never variable names.

A statutory deadline is not written here: it is `legal_date(start, "rule")`
(engine/deadlines/legal.py), whose lengths are data.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from engine.core.messages import N_, Message
from engine.deadlines.calendar import MAX_DUE_AMOUNT

HELPER = "due_date"

#: The dates of a case a deadline may count from: the task data's field -> what the user sees.
#: `mottatt_dato`: the application (or appeal) was received (the intake form); `vedtaksdato`:
#: the decision was approved (letterOperation "approve", engine/letters/steps.py);
#: `leveringsdato`: the decision letter was delivered (letterOperation "send").
START_DATES: dict[str, str] = {
    "mottatt_dato": N_("Mottatt dato"),
    "vedtaksdato": N_("Vedtaksdato"),
    "leveringsdato": N_("Leveringsdato for brevet"),
}

#: The units the control offers, in its order: the helper's unit -> what the user sees.
UNITS: dict[str, str] = {
    "days": N_("dager"),
    "working_days": N_("virkedager"),
    "weeks": N_("uker"),
    "months": N_("måneder"),
}

_FORM = re.compile(r"""due_date\(\s*([A-Za-z_]\w*)\s*,\s*(\d{1,3})\s*,\s*(["'])(\w+)\3\s*\)""")


@dataclass(frozen=True)
class Deadline:
    """What the control shows: `amount` `unit` from the case date `start`."""
    amount: int
    unit: str
    start: str


def write(deadline: Deadline) -> str:
    """The `dueDateExpression` of `deadline`; ValueError for values the control never offers."""
    if deadline.start not in START_DATES:
        raise ValueError(f"unknown start date {deadline.start!r}")
    if deadline.unit not in UNITS:
        raise ValueError(f"unknown unit {deadline.unit!r}")
    if isinstance(deadline.amount, bool) or not 1 <= int(deadline.amount) <= MAX_DUE_AMOUNT:
        raise ValueError(f"the amount must be from 1 to {MAX_DUE_AMOUNT}")
    return f'{HELPER}({deadline.start}, {int(deadline.amount)}, "{deadline.unit}")'


def read(expression: str | None) -> Deadline | None:
    """The control's values for `expression`, or None when the control cannot show it (it is
    then kept as it is, a custom deadline)."""
    found = _FORM.fullmatch((expression or "").strip())
    if found is None:
        return None
    start, amount, unit = found.group(1), int(found.group(2)), found.group(4)
    if start not in START_DATES or unit not in UNITS or not 1 <= amount <= MAX_DUE_AMOUNT:
        return None
    return Deadline(amount, unit, start)


def call_errors(expression: str) -> list[tuple[Message, str]]:
    """What is wrong with the `due_date(...)` calls in `expression` that can be seen without
    running it: a literal unit the helper does not know, a literal amount that is no whole
    number in range, a call without three arguments. Each as (what is wrong, in words: a
    Message to follow "Fristen kan ikke brukes: "; the technical English). [] when there is
    none (or it does not parse: the compiler reports that)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    errors: list[tuple[Message, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == HELPER):
            continue
        if len(node.args) != 3 or node.keywords:
            words = Message(N_("due_date trenger tre verdier: datoen fristen regnes fra, antallet "
                               "og enheten"))
            errors.append((words, f"{HELPER}(start, amount, unit) takes three arguments"))
            continue
        amount, unit = node.args[1], node.args[2]
        if isinstance(amount, ast.Constant) and (
                isinstance(amount.value, bool) or not isinstance(amount.value, int)
                or not 0 <= amount.value <= MAX_DUE_AMOUNT):
            words = Message(N_("antallet må være et helt tall fra 0 til %(max)s, ikke "
                               "%(value)s"), max=MAX_DUE_AMOUNT, value=repr(amount.value))
            detail = (f"{HELPER}: the amount must be a whole number from 0 to {MAX_DUE_AMOUNT}, "
                      f"not {amount.value!r}")
            errors.append((words, detail))
        if isinstance(unit, ast.Constant) and unit.value not in UNITS:
            words = Message(N_("enheten «%(unit)s» finnes ikke; fristen kan regnes i "
                               "%(units)s"), unit=str(unit.value),
                            units=[Message(name) for name in UNITS.values()])
            detail = (f"{HELPER}: the unit must be one of {', '.join(UNITS)}, "
                      f"not {unit.value!r}")
            errors.append((words, detail))
    return errors
