"""The mail relay: sends the notifications marked `email_pending`, then clears the mark.

The write that creates a notification only sets the mark, so it never fails because of mail.
A message is marked sent only once the SMTP relay has taken it; while the relay is down, the
notifications stay pending and the loop retries with a growing pause, so nothing is lost.
On PostgreSQL the batch is claimed `FOR UPDATE SKIP LOCKED`, so the app and several workers can
drain side by side without sending a message twice; SQLite runs one drainer (like the outbox).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from email.message import EmailMessage

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.background import BackgroundLoop
from core.db import Database
from core.mail import Mailer, compose, mailer_from_settings
from core.models import Notification, Person
from core.models.base import utcnow
from core.settings import Settings
from core.transactions import begin_writing, is_postgresql
from core.wakeup import Wakeup, sleep_until

logger = logging.getLogger("entrelieux.mail")
POLL_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 60.0


class MailUnavailable(Exception):
    """The SMTP relay did not take the batch; what was not sent stays pending."""


async def drain_once(
    database: Database, settings: Settings, mailer: Mailer, batch: int = 50
) -> int:
    """Send one batch of pending notifications; returns how many left the queue."""
    async with database.session() as session:
        if is_postgresql(session):
            await begin_writing(session)
        claimed = await _claim(session, batch)
        if not claimed:
            return 0
        if not is_postgresql(session):
            # Do not hold SQLite's snapshot (or its write lock) while talking to SMTP.
            await session.commit()
        to_send: list[tuple[int, EmailMessage]] = []
        silent: list[int] = []  # no address, or one that cannot be written in a header
        for notification, email in claimed:
            assert notification.id is not None
            message = _message(settings, notification, email)
            if message is None:
                silent.append(notification.id)
            else:
                to_send.append((notification.id, message))
        delivery = await mailer.send([message for _, message in to_send])
        done = [pk for pk, _ in to_send[: delivery.done]]
        refused = {to_send[position][0] for position in delivery.refused}
        await begin_writing(session)
        await _mark(session, [pk for pk in done if pk not in refused], emailed=True)
        await _mark(session, [*silent, *refused], emailed=False)
        await session.commit()
    if delivery.error is not None:
        raise MailUnavailable(delivery.error)
    return len(done) + len(silent)


def _message(
    settings: Settings, notification: Notification, email: str | None
) -> EmailMessage | None:
    if not email:
        return None
    try:
        return compose(settings, notification, email)
    except ValueError:
        logger.warning("notification %s: address %r cannot be mailed", notification.id, email)
        return None


async def _claim(session: AsyncSession, batch: int) -> list[tuple[Notification, str | None]]:
    statement = (
        select(Notification, Person.email)
        .join(Person, col(Person.id) == col(Notification.person_id))
        .where(col(Notification.email_pending).is_(True))
        .order_by(col(Notification.id))
        .limit(batch)
    )
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True, of=Notification)
    return [(notification, email) for notification, email in (await session.exec(statement)).all()]


async def _mark(session: AsyncSession, ids: Sequence[int], *, emailed: bool) -> None:
    if not ids:
        return
    values: dict[str, object] = {"email_pending": False}
    if emailed:
        values["emailed_at"] = utcnow()
    statement = update(Notification).where(col(Notification.id).in_(ids)).values(**values)
    await session.exec(statement)


class MailRelay(BackgroundLoop):
    """Drains pending notification e-mails in the background of the app or of a worker."""

    name = "mail-relay"

    def __init__(
        self,
        database: Database,
        settings: Settings,
        mailer: Mailer | None = None,
        wakeup: Wakeup | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__()
        self.database = database
        self.settings = settings
        self.mailer = mailer or mailer_from_settings(settings)
        self.wakeup = wakeup or Wakeup()
        self.poll_seconds = poll_seconds

    async def run(self) -> None:
        failures = 0
        with self.wakeup.listen() as woken:
            while True:
                try:
                    done = await drain_once(self.database, self.settings, self.mailer)
                    failures = 0
                except MailUnavailable as error:
                    failures += 1
                    pause = min(0.5 * 2**failures, MAX_BACKOFF_SECONDS)
                    logger.warning("SMTP unavailable, retrying in %.0f s: %s", pause, error)
                    await asyncio.sleep(pause)  # commits do not shorten it: the relay is down
                    continue
                except Exception:
                    logger.exception("mail relay failed; retrying")
                    done = 0
                if not done:
                    await sleep_until(woken, self.poll_seconds)
