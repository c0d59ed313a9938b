"""What a notification about an exchange says: the period as its readers' clock shows it (Paris),
never UTC, and the requester's own words apart, so a client can word the rest in its language."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.mail import compose
from core.models import Notification, Role
from core.services import exchanges as service
from core.services.exchange_commands import ExchangeDraft
from core.services.principal import Principal
from core.settings import Settings
from tests.factories import make_listing, make_member, make_organization


async def _request(session: AsyncSession, starts_at: datetime, ends_at: datetime) -> Notification:
    lab = await make_organization(session, "Fablab de Guéret")
    owner = await make_member(session, lab, Role.ADMIN)
    college = await make_organization(session, "Collège")
    asking = await make_member(session, college, Role.MEMBER)
    listing = await make_listing(session, lab, title="Découpeuse laser")
    assert listing.id is not None
    assert college.id is not None
    principal = Principal(asking.person.id or 0, college.id, Role.MEMBER)
    draft = ExchangeDraft(
        listing_id=listing.id, starts_at=starts_at, ends_at=ends_at, message="Pour un atelier"
    )
    await service.request_exchange(session, principal, draft)
    await session.flush()
    statement = select(Notification).where(Notification.person_id == owner.person.id)
    return (await session.exec(statement)).one()


async def test_a_winter_request_says_09_00_paris_not_08_00_utc(
    session: AsyncSession, settings: Settings
) -> None:
    notification = await _request(
        session, datetime(2030, 3, 4, 8, tzinfo=UTC), datetime(2030, 3, 6, 8, tzinfo=UTC)
    )

    expected = "du 04/03/2030 09:00 au 06/03/2030 09:00 (heure de Paris). Pour un atelier"
    assert notification.body == expected
    assert "UTC" not in notification.body
    assert notification.note == "Pour un atelier"
    mail = compose(settings, notification, "atelier@example.org").get_content()
    assert "du 04/03/2030 09:00 au 06/03/2030 09:00 (heure de Paris)" in mail


async def test_a_summer_request_follows_daylight_saving_time(session: AsyncSession) -> None:
    notification = await _request(
        session, datetime(2030, 7, 1, 7, tzinfo=UTC), datetime(2030, 7, 2, 7, tzinfo=UTC)
    )

    assert notification.body.startswith("du 01/07/2030 09:00 au 02/07/2030 09:00 (heure de Paris)")
