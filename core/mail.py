"""Notification e-mails: what they say (in French, plain text) and how they leave.

`SmtpMailer` sends through the configured relay with the standard library, in a thread;
`LogMailer` writes them to the log when no SMTP_HOST is set (development). A mailer reports how
many messages of a batch left before a failure, so the caller marks exactly those as sent.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

from core.global_ids import global_id
from core.models import Notification
from core.settings import Settings

logger = logging.getLogger("entrelieux.mail")
SMTP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Delivery:
    """The first `done` messages are dealt with: sent, or refused for good (their positions in
    `refused`, e.g. an address the relay rejects); `error` says why the others were not."""

    done: int
    refused: tuple[int, ...] = ()
    error: str | None = None


class Mailer(Protocol):
    async def send(self, messages: Sequence[EmailMessage]) -> Delivery: ...


def _one_line(text: str, limit: int = 200) -> str:
    """Header-safe: no line breaks (header injection), bounded length."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def notification_link(settings: Settings, notification: Notification) -> str | None:
    """Where the web app shows what the notification is about."""
    if notification.exchange_id is not None:
        return f"{settings.base_url}/echanges/{global_id('Exchange', notification.exchange_id)}"
    if notification.listing_id is not None:
        return f"{settings.base_url}/annonces/{global_id('Listing', notification.listing_id)}"
    if notification.organization_id is not None:
        organization = global_id("Organization", notification.organization_id)
        return f"{settings.base_url}/organisations/{organization}"
    return None


def _link_label(notification: Notification) -> str:
    if notification.exchange_id is not None:
        return "Voir l'échange"
    if notification.listing_id is not None:
        return "Voir l'annonce"
    return "Voir l'organisation"


def compose(settings: Settings, notification: Notification, recipient: str) -> EmailMessage:
    """The e-mail to `recipient` about `notification`: its title and body, and a link.

    Only the recipient's own address appears in it; never the other side's.
    """
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = recipient
    message["Subject"] = f"[Entrelieux] {_one_line(notification.title)}"
    message["Date"] = formatdate(localtime=False)
    sender_domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(f"notification.{notification.id}", sender_domain)
    message["Auto-Submitted"] = "auto-generated"
    lines = ["Bonjour,", "", notification.title.strip()]
    if notification.body.strip():
        lines += ["", notification.body.strip()]
    if (link := notification_link(settings, notification)) is not None:
        lines += ["", f"{_link_label(notification)} : {link}"]
    lines += [
        "",
        "Pour répondre, passez par Entrelieux : les adresses e-mail ne sont pas communiquées.",
        "",
        "-- ",
        "Entrelieux, la plateforme d'échange des tiers-lieux",
        f"{settings.base_url}/",
    ]
    message.set_content("\n".join(lines) + "\n")
    return message


class LogMailer:
    """Development: every message goes to the log, nothing leaves the machine."""

    async def send(self, messages: Sequence[EmailMessage]) -> Delivery:
        for message in messages:
            headers = "".join(f"{name}: {message[name]}\n" for name in ("To", "Subject"))
            text = message.get_content()
            logger.info("e-mail (no SMTP_HOST, not sent):\n%s\n%s", headers, text)
        return Delivery(done=len(messages))


class SmtpMailer:
    """One SMTP connection per batch, opened in a thread so the event loop never blocks."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self.settings = settings

    async def send(self, messages: Sequence[EmailMessage]) -> Delivery:
        if not messages:
            return Delivery(done=0)
        return await asyncio.to_thread(self._send_all, messages)

    def _send_all(self, messages: Sequence[EmailMessage]) -> Delivery:
        done, refused = 0, []
        try:
            with self._connect() as smtp:
                for message in messages:
                    try:
                        smtp.send_message(message)
                    except smtplib.SMTPRecipientsRefused as error:
                        # Retrying would not help, and must not hold back the messages after it.
                        logger.warning("recipient refused, e-mail dropped: %s", error.recipients)
                        refused.append(done)
                    done += 1
        except (OSError, smtplib.SMTPException) as error:
            problem = f"{type(error).__name__}: {error}"[:500]
            return Delivery(done=done, refused=tuple(refused), error=problem)
        return Delivery(done=done, refused=tuple(refused))

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        host, port = settings.smtp_host or "", settings.smtp_port
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_username:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                smtp.login(settings.smtp_username, password)
        except BaseException:
            smtp.close()
            raise
        return smtp


def mailer_from_settings(settings: Settings) -> Mailer:
    return SmtpMailer(settings) if settings.smtp_host else LogMailer()
