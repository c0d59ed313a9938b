"""Notification e-mails, read from a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.mail_relay import MailRelay, MailUnavailable, drain_once
from core.db import Database
from core.global_ids import global_id
from core.loopback import free_port
from core.mail import mailer_from_settings
from core.models import Exchange, ExchangeState, Notification, NotificationKind, Person
from core.settings import Settings
from core.wakeup import Wakeup
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization

ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Inbox:
    """What the SMTP server received."""

    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(envelope.content, policy=policy.default)
            for envelope in self.envelopes
        ]


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def mail_settings(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "public_url": "https://entrelieux.example",
        }
    )


@dataclass
class Parties:
    """A lender's member and a borrower's member, and an exchange between their organizations."""

    lender: Person
    borrower: Person
    exchange: Exchange


async def make_parties(session: AsyncSession) -> Parties:
    lab, school = await make_organization(session), await make_organization(session)
    lender, borrower = await make_member(session, lab), await make_member(session, school)
    listing = await make_listing(session, lab, title="Découpeuse laser Epilog")
    assert lab.id is not None
    assert school.id is not None
    assert listing.id is not None
    exchange = Exchange(
        listing_id=listing.id,
        owner_organization_id=lab.id,
        requester_organization_id=school.id,
        requested_by_id=borrower.person.id,
        state=ExchangeState.REQUESTED,
    )
    session.add(exchange)
    await session.flush()
    return Parties(lender.person, borrower.person, exchange)


async def notify(session: AsyncSession, person: Person, exchange: Exchange) -> Notification:
    assert person.id is not None
    notification = Notification(
        person_id=person.id,
        exchange_id=exchange.id,
        kind=NotificationKind.EXCHANGE_REQUESTED,
        title="Demande de prêt : Découpeuse laser Epilog",
        body="Le collège demande la découpeuse du 3 au 7 mars.",
        email_pending=True,
    )
    session.add(notification)
    await session.commit()
    return notification


async def reread(database: Database, notification: Notification) -> Notification:
    async with database.session() as session:
        statement = select(Notification).where(Notification.id == notification.id)
        return (await session.exec(statement)).one()


async def test_a_pending_notification_is_mailed_once_to_its_person(
    settings: Settings, database: Database, smtp: SmtpServer
) -> None:
    configured = mail_settings(settings, smtp.port)
    async with database.session() as session:
        parties = await make_parties(session)
        notification = await notify(session, parties.lender, parties.exchange)

    sent = await drain_once(database, configured, mailer_from_settings(configured))

    assert sent == 1
    assert await drain_once(database, configured, mailer_from_settings(configured)) == 0
    [envelope] = smtp.inbox.envelopes
    assert envelope.rcpt_tos == [parties.lender.email]
    [message] = smtp.inbox.messages()
    assert message["To"] == parties.lender.email
    assert message["From"] == "Entrelieux <ne-pas-repondre@entrelieux.local>"
    assert message["Subject"] == "[Entrelieux] Demande de prêt : Découpeuse laser Epilog"
    body = message.get_content()
    assert "Le collège demande la découpeuse du 3 au 7 mars." in body
    assert parties.exchange.id is not None
    exchange_id = global_id("Exchange", parties.exchange.id)
    assert exchange_id == to_global_id("Exchange", parties.exchange.id)
    assert f"https://entrelieux.example/echanges/{exchange_id}" in body
    del message["Message-ID"]
    addresses = set(ADDRESS.findall(message.as_string()))
    assert addresses == {parties.lender.email, "ne-pas-repondre@entrelieux.local"}
    assert parties.borrower.email not in envelope.content.decode()
    stored = await reread(database, notification)
    assert stored.email_pending is False
    assert stored.emailed_at is not None


async def test_while_smtp_is_down_nothing_is_lost_then_it_is_sent_exactly_once(
    settings: Settings, database: Database
) -> None:
    server = SmtpServer(free_port())  # not started yet: connections are refused
    configured = mail_settings(settings, server.port)
    mailer = mailer_from_settings(configured)
    async with database.session() as session:
        parties = await make_parties(session)
        notification = await notify(session, parties.lender, parties.exchange)

    with pytest.raises(MailUnavailable):
        await drain_once(database, configured, mailer)
    stored = await reread(database, notification)
    assert stored.email_pending is True
    assert stored.emailed_at is None

    server.start()
    try:
        assert await drain_once(database, configured, mailer) == 1
        assert await drain_once(database, configured, mailer) == 0
    finally:
        server.stop()
    assert [envelope.rcpt_tos for envelope in server.inbox.envelopes] == [[parties.lender.email]]
    assert (await reread(database, notification)).email_pending is False


async def test_without_smtp_host_mail_goes_to_the_log_and_is_cleared(
    settings: Settings, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    development = settings.model_copy(update={"smtp_host": None})
    async with database.session() as session:
        parties = await make_parties(session)
        notification = await notify(session, parties.lender, parties.exchange)

    with caplog.at_level(logging.INFO, logger="entrelieux.mail"):
        assert await drain_once(database, development, mailer_from_settings(development)) == 1

    assert "Demande de prêt : Découpeuse laser Epilog" in caplog.text
    assert f"To: {parties.lender.email}" in caplog.text
    stored = await reread(database, notification)
    assert stored.email_pending is False
    assert stored.emailed_at is not None


async def test_a_person_without_an_address_is_not_mailed_and_not_retried(
    settings: Settings, database: Database, smtp: SmtpServer
) -> None:
    configured = mail_settings(settings, smtp.port)
    async with database.session() as session:
        parties = await make_parties(session)
        parties.lender.email = None
        notification = await notify(session, parties.lender, parties.exchange)

    assert await drain_once(database, configured, mailer_from_settings(configured)) == 1

    assert smtp.inbox.envelopes == []
    stored = await reread(database, notification)
    assert stored.email_pending is False
    assert stored.emailed_at is None


async def test_the_relay_sends_as_soon_as_a_commit_wakes_it(
    settings: Settings, database: Database, smtp: SmtpServer
) -> None:
    configured = mail_settings(settings, smtp.port)
    commits = Wakeup()
    relay = MailRelay(database, configured, wakeup=commits, poll_seconds=60)
    relay.start()
    try:
        await asyncio.sleep(0.2)  # its first look finds nothing; next one in 60 s unless woken
        async with database.session() as session:
            parties = await make_parties(session)
            await notify(session, parties.lender, parties.exchange)
        commits.notify()
        for _ in range(100):
            if smtp.inbox.envelopes:
                break
            await asyncio.sleep(0.05)
    finally:
        await relay.stop()
    assert [envelope.rcpt_tos for envelope in smtp.inbox.envelopes] == [[parties.lender.email]]
