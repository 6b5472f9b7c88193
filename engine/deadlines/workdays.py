"""The municipality's working days, for deadlines the engine sets itself.

A deadline that ends on a Saturday, Sunday or public holiday (the `holidays` library, country
SAMFLYT_HOLIDAY_COUNTRY, plus SAMFLYT_CLOSED_DAYS) moves to the next working day
(SAMFLYT_WORKING_DAY_DEADLINES=0 turns that off). A due date without a time of day (00:00 in
SAMFLYT_TIMEZONE, as a date from a form becomes) means the end of that day. The date
arithmetic itself is engine/calendar.py's.
"""
from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

from engine.deadlines.calendar import add_duration, next_working_day

if TYPE_CHECKING:
    from engine.core.settings import Settings


class WorkingCalendar:
    """Non-working days for `in`: public holidays of a country, plus the municipality's own
    closed days ("12-24" every year, "2026-05-15" once). Saturdays and Sundays are never
    working days whatever this says (see engine.calendar.is_working_day)."""

    def __init__(self, country: str = "NO", closed_days: str = ""):
        self.country = country
        self.every_year: set[tuple[int, int]] = set()
        self.once: set[date] = set()
        for item in (p.strip() for p in closed_days.split(",")):
            if not item:
                continue
            if len(item) == 5:
                month, day = item.split("-")
                self.every_year.add((int(month), int(day)))
            else:
                self.once.add(date.fromisoformat(item))
        self._years: dict[int, frozenset[date]] = {}

    def _holidays(self, year: int) -> frozenset[date]:
        if year not in self._years:
            self._years[year] = frozenset(holidays.country_holidays(self.country, years=year))
        return self._years[year]

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        if not isinstance(day, date):
            return False
        return (day in self._holidays(day.year) or day in self.once
                or (day.month, day.day) in self.every_year)


@functools.lru_cache(maxsize=16)
def working_calendar(country: str, closed_days: str) -> WorkingCalendar:
    return WorkingCalendar(country, closed_days)


def calendar_for(settings: Settings) -> WorkingCalendar:
    return working_calendar(settings.holiday_country, settings.closed_days)


def on_working_day(settings: Settings, moment: datetime) -> datetime:
    """`moment`, or the same local time on the next working day (if the setting says so)."""
    if not settings.working_day_deadlines:
        return moment.astimezone(UTC)
    tz = ZoneInfo(settings.timezone)
    moved = datetime.fromisoformat(next_working_day(moment, calendar_for(settings), tz))
    return moved.astimezone(UTC)


def end_of_due_date(settings: Settings, due_at: datetime) -> datetime:
    """When a task due at `due_at` is overdue: `due_at` moved to a working day; a due time of
    00:00 local means "by the end of that day", so the task is overdue from the next midnight."""
    tz = ZoneInfo(settings.timezone)
    local = due_at.astimezone(tz)
    if local.time() != time(0, 0):
        return on_working_day(settings, due_at)
    day = local.date()
    if settings.working_day_deadlines:
        day = date.fromisoformat(next_working_day(day, calendar_for(settings), tz))
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return end.astimezone(UTC)


def claim_deadline(settings: Settings, created_at: datetime, duration: str) -> datetime:
    tz = ZoneInfo(settings.timezone)
    moment = datetime.fromisoformat(add_duration(created_at, duration, tz))
    return on_working_day(settings, moment)
