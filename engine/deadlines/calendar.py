"""Date arithmetic for deadlines: ISO 8601 durations, working days, birthdays.

Pure functions, no SpiffWorkflow and no clock: the script engine exposes them to diagrams
and the engine calls them directly (due dates, notices). Inputs may be a ``date``, a
``datetime`` or an ISO string, because task data holds dates as strings ("2026-11-22", as
JSON forms submit them). The public helpers return ISO strings for the same reason: whatever
they produce can be stored in task data as is. ``to_date`` / ``to_datetime_or_date`` give the
objects back when Python code needs them.

Choices that the law cares about:
- Months and years are added by calendar and clamped to the month's end (31 January + P1M
  is 28 or 29 February), so a deadline never slides into the following month.
- ``birthday`` of someone born 29 February is 28 February in common years (the same clamp):
  age-based notices then come a day early rather than a day late.
- Working days are Monday to Friday minus Norwegian public holidays (``holidays.Norway``
  without its optional "every Sunday is a holiday" entries, which are weekends anyway).
- A datetime is converted to a date in Europe/Oslo (the municipality's calendar), not UTC.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from holidays.countries.norway import Norway

OSLO = ZoneInfo("Europe/Oslo")

_DURATION = re.compile(
    r"(?P<sign>[-+])?P(?!$)"
    r"(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)
# Bounds the search for a working day: even a custom calendar cannot make it loop forever.
_MAX_NON_WORKING_DAYS = 366


@dataclass(frozen=True)
class Duration:
    """A parsed ISO 8601 duration; calendar parts stay separate from elapsed time."""

    sign: int = 1
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: float = 0.0

    @property
    def has_time(self) -> bool:
        return bool(self.hours or self.minutes or self.seconds)


@lru_cache(maxsize=1024)
def parse_duration(text: str) -> Duration:
    """Parse ``P1Y2M3W4DT5H6M7.5S`` (optionally with a leading ``-``); ValueError if invalid."""
    match = _DURATION.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not an ISO 8601 duration: {text!r} (write e.g. P5D, P4W, P1M, PT12H)")
    parts = match.groupdict()
    sign = -1 if parts.pop("sign") == "-" else 1
    seconds = float((parts.pop("seconds") or "0").replace(",", "."))
    return Duration(sign=sign, seconds=seconds, **{k: int(v or 0) for k, v in parts.items()})


def to_datetime_or_date(value: date | datetime | str) -> date | datetime:
    """Return ``value`` as a date or a datetime; an ISO string with a time gives a datetime."""
    if isinstance(value, date):  # datetime is a subclass of date
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO date or date-time: {value!r}") from None
    raise TypeError(f"expected a date, a datetime or an ISO string, got {type(value).__name__}")


def to_date(value: date | datetime | str, tz: tzinfo = OSLO) -> date:
    """The calendar date of ``value``; an aware datetime is read in ``tz`` (Oslo)."""
    value = to_datetime_or_date(value)
    if isinstance(value, datetime):
        return (value.astimezone(tz) if value.tzinfo else value).date()
    return value


def optional_date(value: date | str | None) -> date | None:
    """A date field of a form or of case data as a date: None when it is empty or not an ISO
    date (the forms check the format; data saved before a field existed may lack it)."""
    if isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None
    except ValueError:
        return None


def years_before(value: date, years: int) -> date:
    """The date ``years`` before ``value`` (who was born on or before it is that old)."""
    return _add_months(value, -12 * years)


_Day = TypeVar("_Day", date, datetime)


def _add_months(day: _Day, months: int) -> _Day:
    """Add calendar months to a date or datetime, clamping the day to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def _shift(value: date | datetime, duration: Duration, tz: tzinfo) -> date:
    """Add ``duration``: calendar parts on the local wall clock, time parts as elapsed time."""
    sign = duration.sign
    months = sign * (duration.years * 12 + duration.months)
    days = timedelta(days=sign * (duration.weeks * 7 + duration.days))
    elapsed = sign * timedelta(hours=duration.hours, minutes=duration.minutes,
                               seconds=duration.seconds)
    if not isinstance(value, datetime):
        if duration.has_time:
            raise ValueError("a date has no time of day: "
                             "use a date-time for hours, minutes, seconds")
        return _add_months(value, months) + days
    if value.tzinfo is None:
        return _add_months(value, months) + days + elapsed
    # Calendar arithmetic on Oslo's wall clock keeps 09:00 at 09:00 across daylight saving time.
    local = value.astimezone(tz)
    moved = datetime.combine(_add_months(local.date(), months) + days, local.time(), tzinfo=tz)
    return (moved.astimezone(UTC) + elapsed).astimezone(value.tzinfo)


def add_duration(value: date | datetime | str, duration: str | Duration, tz: tzinfo = OSLO) -> str:
    """``value`` plus an ISO 8601 duration, as an ISO string of the same kind (date or
    date-time)."""
    if not isinstance(duration, Duration):
        duration = parse_duration(duration)
    return _shift(to_datetime_or_date(value), duration, tz).isoformat()


class NorwegianHolidays:
    """Membership test for Norwegian public holidays; one frozen set per year, built on demand."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and to_date(day) in _holidays_in(day.year)


@lru_cache(maxsize=256)
def _holidays_in(year: int) -> frozenset[date]:
    return frozenset(Norway(years=year, include_sundays=False).keys())


NORWEGIAN_HOLIDAYS = NorwegianHolidays()


def is_working_day(value: date | datetime | str, holiday_calendar: Container[date] | None = None,
                   tz: tzinfo = OSLO) -> bool:
    """Monday to Friday and not in ``holiday_calendar`` (anything supporting ``in``)."""
    day = to_date(value, tz)
    calendar = NORWEGIAN_HOLIDAYS if holiday_calendar is None else holiday_calendar
    return day.weekday() < 5 and day not in calendar


def next_working_day(value: date | datetime | str, holiday_calendar: Container[date] | None = None,
                     tz: tzinfo = OSLO) -> str:
    """``value`` itself when it is a working day, else the first working day after it.

    A date-time keeps its (Oslo) time of day.
    """
    value = to_datetime_or_date(value)
    day = to_date(value, tz)
    for offset in range(_MAX_NON_WORKING_DAYS + 1):
        if is_working_day(day + timedelta(days=offset), holiday_calendar, tz):
            return _shift(value, Duration(days=offset), tz).isoformat()
    raise ValueError(f"no working day within {_MAX_NON_WORKING_DAYS} days after {day.isoformat()}")


def deadline(value: date | datetime | str, duration: str | Duration,
             holiday_calendar: Container[date] | None = None,
             tz: tzinfo = OSLO) -> str:
    """A statutory deadline: ``value`` plus ``duration``, moved forward to a working day."""
    return next_working_day(add_duration(value, duration, tz), holiday_calendar, tz)


#: The units of `due_date`: calendar units (the result moved to a working day) and working days.
DUE_UNITS = {"days": "D", "weeks": "W", "months": "M", "working_days": None}
#: The largest amount `due_date` counts (a due date years away is no task deadline).
MAX_DUE_AMOUNT = 999


def add_working_days(value: date | datetime | str, amount: int,
                     holiday_calendar: Container[date] | None = None, tz: tzinfo = OSLO) -> str:
    """The date `amount` working days after ``value`` (the start itself not counted): 10
    working days from a Friday is the Friday two weeks later, public holidays skipped."""
    day = to_date(value, tz)
    left = amount
    for _offset in range(amount * 2 + _MAX_NON_WORKING_DAYS):
        if left <= 0:
            return day.isoformat()
        day += timedelta(days=1)
        if is_working_day(day, holiday_calendar, tz):
            left -= 1
    if left <= 0:
        return day.isoformat()
    raise ValueError(f"no {amount} working days after {to_date(value, tz).isoformat()}")


def due_date(value: date | datetime | str, amount: int, unit: str,
             holiday_calendar: Container[date] | None = None, tz: tzinfo = OSLO) -> str:
    """A task's due date `amount` `unit` after a date of the case, on a working day: days,
    weeks and months are added by the calendar and the result moved to the next working day
    (as `deadline`); "working_days" counts working days only. What the diagram editor's
    deadline control writes: ``due_date(mottatt_dato, 10, "working_days")``."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_DUE_AMOUNT:
        raise ValueError(f"the amount must be a whole number from 0 to {MAX_DUE_AMOUNT}, "
                         f"not {amount!r}")
    if unit not in DUE_UNITS:
        raise ValueError(f"the unit must be one of {', '.join(DUE_UNITS)}, not {unit!r}")
    letter = DUE_UNITS[unit]
    if letter is None:
        return add_working_days(value, amount, holiday_calendar, tz)
    return deadline(to_date(value, tz), f"P{amount}{letter}", holiday_calendar, tz)


def birthday(value: date | datetime | str, years: int) -> str:
    """The date ``years`` after the birth date; 29 February gives 28 February in common years."""
    if isinstance(years, bool) or not isinstance(years, int):
        raise TypeError(f"years must be a whole number, got {years!r}")
    return _add_months(to_date(value), 12 * years).isoformat()


def parse_date(value: date | datetime | str, tz: tzinfo = OSLO) -> str:
    """Normalise a date, date-time or ISO string to an ISO date string (``"2026-11-22"``)."""
    return to_date(value, tz).isoformat()
