"""Date helpers: ISO durations, Norwegian working days, birthdays (engine/calendar.py)."""
from datetime import UTC, date, datetime

import pytest

from engine.deadlines.calendar import (
    NORWEGIAN_HOLIDAYS,
    Duration,
    add_duration,
    birthday,
    deadline,
    is_working_day,
    next_working_day,
    parse_date,
    parse_duration,
    to_date,
)

# --- working days -----------------------------------------------------------------------

def test_easter_monday_moves_to_tuesday():
    assert next_working_day("2027-03-29") == "2027-03-30"


def test_maundy_thursday_skips_the_whole_easter_weekend():
    assert next_working_day("2027-03-25") == "2027-03-30"


def test_17_may_moves_to_the_next_day():
    assert next_working_day("2028-05-17") == "2028-05-18"  # a Wednesday
    assert next_working_day("2027-05-17") == "2027-05-18"  # a Monday, also Whit Monday


def test_saturday_moves_to_monday():
    assert next_working_day("2026-11-21") == "2026-11-23"
    assert next_working_day(date(2026, 11, 22)) == "2026-11-23"


def test_a_working_day_is_kept():
    assert next_working_day("2026-11-23") == "2026-11-23"


def test_christmas_on_a_friday_moves_past_the_weekend():
    assert next_working_day("2026-12-25") == "2026-12-28"


def test_ordinary_sundays_are_not_listed_as_holidays():
    # holidays.Norway can list every Sunday as a holiday; that option must be off.
    assert date(2026, 11, 22) not in NORWEGIAN_HOLIDAYS
    assert date(2027, 3, 28) in NORWEGIAN_HOLIDAYS  # Easter Sunday is a real holiday
    assert not is_working_day("2026-11-22")  # but still not a working day


def test_custom_holiday_calendar():
    closed = {date(2026, 11, 23)}
    assert next_working_day("2026-11-21", holiday_calendar=closed) == "2026-11-24"
    assert is_working_day("2026-05-01", holiday_calendar=set())  # no holidays at all


def test_datetime_keeps_its_time_of_day():
    assert next_working_day("2026-11-21T09:00:00+01:00") == "2026-11-23T09:00:00+01:00"


def test_datetime_is_read_on_oslo_calendar():
    # 23:30 UTC on Friday is already Saturday in Oslo.
    assert to_date("2026-11-20T23:30:00+00:00") == date(2026, 11, 21)
    assert parse_date(datetime(2026, 11, 20, 23, 30, tzinfo=UTC)) == "2026-11-21"


def test_deadline_lands_on_a_working_day():
    assert deadline("2026-10-01", "P1M") == "2026-11-02"  # 1 November 2026 is a Sunday
    assert deadline(date(2027, 3, 22), "P1W") == "2027-03-30"  # Easter Monday 29 March


# --- durations --------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "duration", "expected"), [
    ("2026-01-31", "P1M", "2026-02-28"),
    ("2024-01-31", "P1M", "2024-02-29"),
    ("2024-02-29", "P1Y", "2025-02-28"),
    ("2026-11-22", "P4W", "2026-12-20"),
    ("2026-01-31", "P1M2D", "2026-03-02"),
    ("2026-03-01", "-P1D", "2026-02-28"),
    ("2026-11-22", "P1Y2M3W4D", "2028-02-16"),
])
def test_add_duration_on_dates(start, duration, expected):
    assert add_duration(start, duration) == expected


def test_add_duration_keeps_wall_clock_across_daylight_saving():
    start = "2026-03-28T09:00:00+01:00"  # the day before summer time in Oslo
    # A day is a calendar day: 09:00 stays 09:00 (an instant 23 hours later) ...
    assert instant(add_duration(start, "P1D")) == instant("2026-03-29T09:00:00+02:00")
    # ... while 24 hours are 24 hours.
    assert instant(add_duration(start, "PT24H")) == instant("2026-03-29T10:00:00+02:00")
    # The result keeps the input's UTC offset.
    assert add_duration(start, "P1D") == "2026-03-29T08:00:00+01:00"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_add_duration_accepts_datetime_objects_and_time_parts():
    start = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert add_duration(start, "PT1H30M") == "2026-11-22T09:30:00+00:00"
    assert add_duration(start, "P1DT0.5S") == "2026-11-23T08:00:00.500000+00:00"


def test_a_date_has_no_time_of_day():
    with pytest.raises(ValueError, match="time of day"):
        add_duration("2026-11-22", "PT1H")


def test_parse_duration():
    assert parse_duration("P1Y2M3W4DT5H6M7,5S") == Duration(1, 1, 2, 3, 4, 5, 6, 7.5)
    assert parse_duration("-P2D") == Duration(sign=-1, days=2)


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "5D", "p5d", "P1.5D", "P5", "", "30 dager"])
def test_invalid_durations_are_refused(text):
    with pytest.raises(ValueError, match="not an ISO 8601 duration"):
        parse_duration(text)


def test_inputs_must_be_dates_or_iso_strings():
    with pytest.raises(TypeError, match="expected a date, a datetime or an ISO string"):
        add_duration(20261122, "P1D")
    with pytest.raises(ValueError, match="not an ISO date"):
        parse_date("22.11.2026")


# --- birthdays --------------------------------------------------------------------------

def test_birthday():
    assert birthday("2008-06-15", 18) == "2026-06-15"
    assert birthday(date(2008, 6, 15), 0) == "2008-06-15"


def test_birthday_of_29_february_is_28_february_in_common_years():
    assert birthday("2008-02-29", 18) == "2026-02-28"
    assert birthday("2008-02-29", 20) == "2028-02-29"


def test_birthday_needs_whole_years():
    with pytest.raises(TypeError, match="whole number"):
        birthday("2008-02-29", 18.5)
