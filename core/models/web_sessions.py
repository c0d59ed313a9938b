"""Browser sign-in: server-side sessions, and the pending states of sign-ins and sign-outs.

The cookie carries only a random id; the tables keep its SHA-256, so a leaked database dump holds
no usable session. The ID token is kept here, not in the cookie, for RP-initiated logout.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=32)
    id_token: str = Field(default="", sa_type=sa.Text())
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    expires_at: datetime = Field(sa_type=timestamp_column(), index=True)


class PendingPurpose(enum.StrEnum):
    LOGIN = "LOGIN"
    LOGOUT = "LOGOUT"


class PendingLogin(SQLModel, table=True):
    """A `state` sent to a provider, single-use, bound to the browser that started it."""

    __tablename__ = "pending_login"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    browser_hash: str = Field(max_length=64, description="SHA-256 of the pre-login cookie.")
    purpose: PendingPurpose = Field(sa_type=enum_column(PendingPurpose))
    provider: str = Field(max_length=32)
    nonce: str = Field(default="", max_length=128)
    code_verifier: str = Field(default="", max_length=128)
    return_to: str = Field(default="/", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    expires_at: datetime = Field(sa_type=timestamp_column(), index=True)
