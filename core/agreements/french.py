"""Dates, amounts and numbers written the French way, as the agreements print them.

The templates print strings as given: these are the one place that writes them. Days are Paris
days (an instant at 23:30 UTC on 10 January is already 11 January in Paris). Thousands are
separated by a narrow no-break space and the euro sign preceded by a no-break space, as in the
samples of `dev/render_agreements.py`, so "15 000,00 €" never breaks across lines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from core.time_zones import DEFAULT_TIME_ZONE

NBSP = "\u00a0"
THIN_NBSP = "\u202f"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(day: date | datetime) -> str:
    """`11 janvier 2027`, `1er mars 2027`; an instant is read in Paris (naive means UTC)."""
    if isinstance(day, datetime):
        instant = day if day.tzinfo is not None else day.replace(tzinfo=UTC)
        day = instant.astimezone(DEFAULT_TIME_ZONE).date()
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def euros(amount: Decimal | int | float) -> str:
    """`1 500,00 €`: two decimals, a comma, grouped thousands."""
    cents = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{french_number(cents, decimals=2)}{NBSP}€"


def french_number(value: Decimal | int | float, decimals: int | None = None) -> str:
    """`1 234,5`; with `decimals`, exactly that many (`1 234,50`); no trailing `,0`."""
    number = Decimal(str(value))
    if decimals is None:
        text = format(number.normalize(), "f")
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        text = f"{number:.{decimals}f}"
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", THIN_NBSP)
    return sign + grouped + (f",{fraction}" if fraction else "")
