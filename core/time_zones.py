"""The time zone people read dates and times in, when nothing says otherwise: Europe/Paris.

Instants are stored and exchanged in UTC; a calendar day a person types (a listing's
`available_until`) and a time written in a notification or an e-mail are Paris days and times.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = ZoneInfo("Europe/Paris")


def today(zone: ZoneInfo = DEFAULT_TIME_ZONE, now: datetime | None = None) -> date:
    """The calendar day it is in `zone` (in Paris, 00:30 on 2 March is still 1 March in UTC)."""
    return (now or datetime.now(zone)).astimezone(zone).date()


def local_text(instant: datetime, zone: ZoneInfo = DEFAULT_TIME_ZONE) -> str:
    """`01/03/2027 09:00`: an instant as the clock shows it in `zone` (naive means UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=ZoneInfo("UTC"))
    return f"{instant.astimezone(zone):%d/%m/%Y %H:%M}"
