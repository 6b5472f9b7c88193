"""Legal dates: the one way Samflyt computes a date the law sets.

The lengths and legal references are data, in engine/deadlines/legal_rules.toml (one table
per rule; its header says what each key means). A legal date is the start plus the rule's
length, added by the calendar (engine/deadlines/calendar.py `add_duration`: months clamp to
the month's end, 29 February + P18Y is 28 February), then moved forward to the next working
day when it falls on a Saturday, a Sunday or a Norwegian public holiday (`next_working_day`).

Diagrams call it as `legal_date(start, "forelopig_svar")` and `legal_warning(start, rule)`
(engine/workflow/scripting.py); Python code calls `legal_date` / `warning_date` here. A rule's
warning lead comes from its `warn_before` or, for `warning_setting`, from a Settings field
(days), so `SAMFLYT_INTERIM_REPLY_WARNING_DAYS` moves the interim-reply warning.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Container, Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path

from engine.core.settings import Settings
from engine.deadlines.calendar import OSLO, add_duration, deadline, parse_duration, to_date

RULES_FILE = Path(__file__).with_name("legal_rules.toml")
#: The script functions that compute legal dates (validation looks for them).
HELPERS = ("legal_date", "legal_warning")


@dataclasses.dataclass(frozen=True)
class LegalRule:
    """One legal deadline: `length` after the start, moved to a working day."""
    key: str
    length: str
    reference: str
    starts: str = ""
    warn_before: str | None = None
    warning_setting: str | None = None


    @property
    def years(self) -> int:
        """The length in whole years (an age: "P16Y" is 16); ValueError for another length."""
        found = re.fullmatch(r"P(\d+)Y", self.length)
        if found is None:
            raise ValueError(f"legal rule {self.key!r} is not a number of years")
        return int(found.group(1))


#: The age from which a young person consents and receives their own letters themselves
#: (pasient- og brukerrettighetsloven §§ 4-3 and 3-4): one rule of the table.
CONSENT_AGE_RULE = "samtykke_ved_16"


def consent_age() -> int:
    return rule(CONSENT_AGE_RULE).years


class UnknownRule(ValueError):
    """A rule key that is not in the table."""


def _rule(key: str, row: Mapping) -> LegalRule:
    unknown = set(row) - {f.name for f in dataclasses.fields(LegalRule)} - {"key"}
    if unknown:
        raise ValueError(f"legal rule {key!r}: unknown keys {sorted(unknown)}")
    rule = LegalRule(key=key, **row)
    parse_duration(rule.length)  # ValueError when it is not ISO 8601
    if rule.warn_before is not None:
        parse_duration(rule.warn_before)
    if rule.warn_before and rule.warning_setting:
        raise ValueError(f"legal rule {key!r}: give warn_before or warning_setting, not both")
    if rule.warning_setting and rule.warning_setting not in {
            f.name for f in dataclasses.fields(Settings)}:
        raise ValueError(f"legal rule {key!r}: no setting {rule.warning_setting!r}")
    if not rule.reference.strip():
        raise ValueError(f"legal rule {key!r} has no legal reference")
    return rule


def parse_rules(text: str) -> dict[str, LegalRule]:
    """The rules of a TOML text in legal_rules.toml's format; ValueError when one is wrong."""
    return {key: _rule(key, row) for key, row in tomllib.loads(text).items()}


@functools.cache
def rules() -> dict[str, LegalRule]:
    """The rules of engine/deadlines/legal_rules.toml (read once)."""
    return parse_rules(RULES_FILE.read_text(encoding="utf-8"))


def rule(key: str) -> LegalRule:
    found = rules().get(key) if isinstance(key, str) else None
    if found is None:
        raise UnknownRule(f"no legal rule {key!r}; the rules are {', '.join(sorted(rules()))} "
                          f"(engine/deadlines/legal_rules.toml)")
    return found


def warning_lead(key: str, settings: Settings | None = None) -> str | None:
    """How long before the legal date of `key` its warning falls (ISO 8601), or None.
    A rule with `warning_setting` reads that Settings field (days); without settings, the
    field's default."""
    found = rule(key)
    if found.warning_setting is None:
        return found.warn_before
    days = getattr(settings or Settings(), found.warning_setting)
    return f"P{int(days)}D"


def legal_date(start: date | datetime | str, key: str,
               holiday_calendar: Container[date] | None = None, tz: tzinfo = OSLO) -> str:
    """The legal date of rule `key` counted from `start`, as an ISO date: start + the rule's
    length, moved forward to a working day."""
    return deadline(to_date(start, tz), rule(key).length, holiday_calendar, tz)


def warning_date(start: date | datetime | str, key: str, settings: Settings | None = None,
                 holiday_calendar: Container[date] | None = None, tz: tzinfo = OSLO) -> str:
    """The day the warning of rule `key` falls: its legal date minus the rule's warning lead
    (not moved: a warning may come on any day). A rule without a warning: the legal date."""
    due = legal_date(start, key, holiday_calendar, tz)
    lead = warning_lead(key, settings)
    return add_duration(due, "-" + lead, tz) if lead else due
