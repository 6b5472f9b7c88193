"""Legal dates (engine/deadlines/legal.py): the rules as data (legal_rules.toml), the date moved
off weekends and Norwegian public holidays, the warning before it (a setting for the interim
reply), and the script functions diagrams call."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.core.settings import Settings
from engine.deadlines import legal
from engine.workflow.scripting import HELPER_NAMES, RestrictedScriptEngine


def test_the_rules_are_data_with_a_length_and_a_legal_reference():
    rules = legal.rules()
    assert (rules["forelopig_svar"].length, rules["forelopig_svar"].reference) == (
        "P1M", "forvaltningsloven § 11 a")
    assert (rules["klagefrist_helse"].length, rules["klagefrist_forvaltning"].length) == (
        "P4W", "P3W")
    assert rules["klagefrist_helse"].reference == "pasient- og brukerrettighetsloven § 7-5"
    assert rules["klagefrist_forvaltning"].reference == "forvaltningsloven § 29"
    assert (rules["barnekoordinator_slutt"].length, rules["samtykke_ved_16"].length) == (
        "P18Y", "P16Y")
    assert all(rule.reference.strip() for rule in rules.values())
    assert legal.RULES_FILE.name == "legal_rules.toml"


@pytest.mark.parametrize(("start", "rule", "expected"), [
    ("2026-01-05", "forelopig_svar", "2026-02-05"),       # a Thursday: stays
    ("2026-01-31", "forelopig_svar", "2026-03-02"),       # 28 Feb (clamped): a Saturday
    ("2028-04-17", "forelopig_svar", "2028-05-18"),       # 17 May (Wednesday) -> Thursday
    ("2026-03-06", "forelopig_svar", "2026-04-07"),       # Easter Monday -> Tuesday
    ("2026-11-25", "forelopig_svar", "2026-12-28"),       # 25 December (Friday), 26th, Sunday
    ("2026-01-14", "klagefrist_helse", "2026-02-11"),
    ("2026-01-14", "klagefrist_forvaltning", "2026-02-04"),
    ("2008-07-05", "barnekoordinator_slutt", "2026-07-06"),  # 18 on a Sunday
    ("2008-12-25", "barnekoordinator_slutt", "2026-12-28"),  # 18 on Christmas Day
    ("2008-02-29", "barnekoordinator_slutt", "2026-03-02"),  # 28 February 2026 is a Saturday
    ("2010-04-06", "samtykke_ved_16", "2026-04-07"),      # 16 on Easter Monday
    ("2026-05-14", "evaluering", "2026-05-15"),           # Ascension Day -> Friday
    ("2026-08-03", "evaluering", "2026-08-03"),           # the date itself
])
def test_a_legal_date_is_the_rules_length_moved_to_a_working_day(start, rule, expected):
    assert legal.legal_date(start, rule) == expected


def test_a_datetime_start_counts_from_its_date_in_oslo():
    late_evening = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)  # 5 January 00:30 in Oslo
    assert legal.legal_date(late_evening, "forelopig_svar") == "2026-02-05"
    assert legal.legal_date(date(2026, 1, 5), "forelopig_svar") == "2026-02-05"


def test_the_interim_reply_warning_is_a_setting_before_the_deadline():
    assert Settings().interim_reply_warning_days == 7
    assert legal.warning_date("2026-01-05", "forelopig_svar") == "2026-01-29"
    ten = Settings.from_env({"SAMFLYT_INTERIM_REPLY_WARNING_DAYS": "10"})
    assert legal.warning_date("2026-01-05", "forelopig_svar", ten) == "2026-01-26"
    # counted back from the moved deadline (28 December), not from Christmas Day
    assert legal.warning_date("2026-11-25", "forelopig_svar") == "2026-12-21"
    assert legal.warning_date("2008-07-05", "barnekoordinator_slutt") == "2026-01-06"
    assert legal.warning_date("2010-04-06", "samtykke_ved_16") == "2026-04-07"  # no warning


def test_an_unknown_rule_names_the_rules():
    with pytest.raises(legal.UnknownRule, match="forelopig_svar"):
        legal.legal_date("2026-01-05", "forelopig")


BOTH_WARNINGS = ('[a]\nlength = "P1M"\nreference = "x"\nwarn_before = "P1D"\n'
                 'warning_setting = "interim_reply_warning_days"')


@pytest.mark.parametrize(("text", "message"), [
    ('[a]\nlength = "1 month"\nreference = "x"', "ISO 8601"),
    ('[a]\nlength = "P1M"\nreference = " "', "no legal reference"),
    ('[a]\nlength = "P1M"\nreference = "x"\ndays = 3', "unknown keys"),
    ('[a]\nlength = "P1M"\nreference = "x"\nwarning_setting = "nope"', "no setting"),
    (BOTH_WARNINGS, "not both"),
])
def test_a_wrong_rule_is_refused_when_the_table_is_read(text, message):
    with pytest.raises(ValueError, match=message):
        legal.parse_rules(text)


def test_diagrams_call_legal_date_and_legal_warning():
    assert {"legal_date", "legal_warning"} <= HELPER_NAMES

    class Task:
        def __init__(self, received="2026-11-25"):
            self.data = {"mottatt_dato": received}

    engine = RestrictedScriptEngine(clock=lambda: datetime(2026, 11, 25, 8, tzinfo=UTC))
    assert engine.evaluate(Task(), 'legal_date(mottatt_dato, "forelopig_svar")') == "2026-12-28"
    assert engine.evaluate(Task(), 'legal_warning(mottatt_dato, "forelopig_svar")') == \
        "2026-12-21"
    three = Settings.from_env({"SAMFLYT_INTERIM_REPLY_WARNING_DAYS": "3"})
    engine = RestrictedScriptEngine(clock=lambda: datetime(2026, 11, 25, 8, tzinfo=UTC),
                                    settings=three)
    assert engine.evaluate(Task(), 'legal_warning(mottatt_dato, "forelopig_svar")') == \
        "2026-12-25"  # a warning is not moved: it may come on any day
    # the engine's holiday calendar is the one it moves by
    closed = RestrictedScriptEngine(clock=lambda: datetime(2026, 1, 5, tzinfo=UTC),
                                    holiday_calendar={date(2026, 2, 5)})
    assert closed.evaluate(Task("2026-01-05"),
                           'legal_date(mottatt_dato, "forelopig_svar")') == "2026-02-06"
