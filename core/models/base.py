"""Column helpers shared by every table."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_type: type[enum.Enum]) -> Any:
    """Store an enum as its name in a VARCHAR: portable, and no PostgreSQL type to migrate."""
    return sa.Enum(enum_type, native_enum=False, length=32, validate_strings=True)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A moment, stored in UTC and always read back time-zone aware.

    PostgreSQL keeps the offset itself; SQLite stores text without one, so values are converted
    to UTC before writing and marked UTC after reading (otherwise comparing a stored moment with
    `utcnow()` fails, and a moment given in another zone would be stored as its wall-clock time).
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def timestamp_column() -> Any:
    return UtcDateTime()


# Named constraints let later migrations alter tables on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
