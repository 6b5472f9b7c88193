"""Norwegian national numbers: fødselsnummer, D-nummer and, where the setting allows them,
synthetic test numbers. Checked with python-stdnum's check digits and birth-date rules;
"today" is the injected clock's, never the machine's."""
from __future__ import annotations

import dataclasses
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer

from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message

#: Synthetic numbers (Skatteetaten's Tenor, Testnorge) add 80 to the month.
SYNTHETIC_MONTH_OFFSET = 80


@dataclasses.dataclass(frozen=True)
class NationalId:
    number: str  # 11 digits
    kind: str  # fnr | dnr | synthetic
    birth_date: date


def compact(raw: str) -> str:
    """The number without spaces, dashes and dots ("010203 12345" -> "01020312345")."""
    return "".join(ch for ch in raw if ch not in " -.:")


def looks_like_number(text: str) -> bool:
    """Whether a search text is meant as a national number (11 digits once compacted)."""
    number = compact(text)
    return len(number) == 11 and number.isascii() and number.isdigit()


def parse(raw: str, today: date, allow_synthetic: bool, field: str = "fodselsnummer"
          ) -> NationalId:
    """The checked number, or InvalidInput naming `field` and saying what is wrong."""
    number = compact(raw) if isinstance(raw, str) else ""
    if len(number) != 11 or not (number.isascii() and number.isdigit()):
        raise _invalid(field, N_("Fødselsnummeret må ha 11 sifre"))
    if (number[9] != fodselsnummer.calc_check_digit1(number)
            or number[10] != fodselsnummer.calc_check_digit2(number)):
        raise _invalid(field, N_("Kontrollsifrene i fødselsnummeret stemmer ikke"))
    kind, dated = "fnr", number
    if int(number[2:4]) > SYNTHETIC_MONTH_OFFSET:
        if not allow_synthetic:
            raise _invalid(field, N_("Syntetiske testnummer tas ikke imot her"))
        kind = "synthetic"
        dated = number[:2] + f"{int(number[2:4]) - SYNTHETIC_MONTH_OFFSET:02d}" + number[4:]
    elif int(number[0]) >= 4:
        kind = "dnr"
    try:
        born = fodselsnummer.get_birth_date(dated)
    except ValidationError:
        raise _invalid(field, N_("Fødselsnummeret har ingen gyldig fødselsdato")) from None
    if born > today:
        raise _invalid(field, N_("Fødselsdatoen i nummeret er fram i tid"))
    return NationalId(number, kind, born)


def kind_of(number: str) -> str:
    """fnr, dnr or synthetic, for a number `parse` accepted."""
    if int(number[2:4]) > SYNTHETIC_MONTH_OFFSET:
        return "synthetic"
    return "dnr" if int(number[0]) >= 4 else "fnr"


def synthetic(born: date, serial: int) -> str:
    """A valid synthetic number for a birth date (demo data and tests): the month plus 80,
    an individual number from `serial` (0-499 for births 1900-1999, 500-999 from 2000)."""
    for individual in _individual_numbers(born, serial):
        base = f"{born.day:02d}{born.month + SYNTHETIC_MONTH_OFFSET:02d}{born.year % 100:02d}"
        base += f"{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        if first == "10":
            continue
        second = fodselsnummer.calc_check_digit2(base + first)
        if second != "10":
            return base + first + second
    raise ValueError(f"no synthetic number for {born} near serial {serial}")


def _individual_numbers(born: date, serial: int):
    low, high = (0, 500) if born.year < 2000 else (500, 1000)
    span = high - low
    return (low + (serial + step) % span for step in range(span))


def masked(number: str | None) -> str | None:
    """The birth-date part and the rest hidden ("010203 *****"), for lists."""
    return None if number is None else number[:6] + " *****"


def _invalid(field: str, text: str) -> InvalidInput:
    return InvalidInput(N_("Ugyldig fødselsnummer"), {field: Message(text)})
