"""iCalendar (RFC 5545) written by hand: the few properties a published feed needs, done right.

- Lines end with CRLF (§3.1).
- Lines longer than 75 octets are folded: CRLF then one space, the space counting in the next
  line's 75 octets; a fold never splits a UTF-8 character, nor a backslash escape (§3.1).
- TEXT values escape backslash, semicolon, comma and newlines (§3.3.11); other control characters
  are not allowed by the grammar and are dropped.
- Date-times are written in UTC, with the `Z` suffix (§3.3.5, form #2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODUCT = "-//Entrelieux//Echanges entre tiers-lieux//FR"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_UNITS = re.compile(r"\\.|.", re.DOTALL)
"""What a fold may not split: a backslash escape, or one character."""


@dataclass(frozen=True)
class Event:
    uid: str
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    description: str
    status: str = "CONFIRMED"


def escape_text(value: str) -> str:
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def utc(moment: datetime) -> str:
    """`20260315T090000Z`; a naive moment is taken to be UTC already."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """One content line as physical lines of at most 75 octets, CRLF-joined."""
    if len(line.encode()) <= MAX_LINE_OCTETS:
        return line
    pieces: list[str] = []
    current = ""
    size, limit = 0, MAX_LINE_OCTETS
    for unit in _UNITS.findall(line):
        octets = len(unit.encode())
        if size + octets > limit:
            pieces.append(current)
            current, size, limit = "", 0, MAX_LINE_OCTETS - 1
        current += unit
        size += octets
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def calendar(name: str, events: Iterable[Event], refresh_minutes: int = 60) -> str:
    """A whole VCALENDAR object, every line folded and ended with CRLF."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_minutes}M",
        f"X-PUBLISHED-TTL:PT{refresh_minutes}M",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc(event.stamp)}",
            f"DTSTART:{utc(event.start)}",
            f"DTEND:{utc(event.end)}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            f"STATUS:{event.status}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
