"""The demo's training passports: a laser loan whose host sees that the requester is trained.

Makeo, a fablab of the Nouvelle-Aquitaine network, lends its laser cutter; its equipment details
require the `laser` training under the default rule (SAME_NETWORK). Léa Marchand, of FabLab BEN
(same network), holds a valid laser training from her lab and an expired one from Cobalt, and
asks Makeo for the cutter: Makeo's `trainingCheck` on that request counts the first (a network's
labs accept each other's passports) and shows the second as EXPIRED. The development account
`fablab-makeo` is invited as an ADMIN of Makeo, so a browser signs in as the host.

Made through the services (record_training, request_exchange, invite), on a first load only
(the caller's `first_time`), and nothing when a lab is missing (a demo without the fablabs.io
data of ../shared/data) or when Léa already exists (a reload).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import DomainError
from core.models import (
    Direction,
    Listing,
    ListingKind,
    ListingStatus,
    Membership,
    Organization,
    Person,
    Role,
)
from core.services.exchange_commands import ExchangeDraft
from core.services.exchanges import request_exchange
from core.services.listing_details import required_classes
from core.services.memberships import InvitationDraft, invite
from core.services.principal import Principal
from core.services.trainings import TrainingDraft, record_training

HOST = "Makeo (exemple)"
TRAINING_LAB = "FabLab BEN (exemple)"
OLD_TRAINING_LAB = "Cobalt (exemple)"
TRAINEE = "Léa Marchand (exemple)"
HOST_ADMIN_EMAIL = "yanis.roux@makeo-exemple.fr"
"""The development account `fablab-makeo` (dev/oidc/accounts.json)."""
INVITATION_DAYS = 365
ASK = (
    "Bonjour, nous aimerions découper les panneaux de notre borne d'arcade sur votre laser. "
    "Je suis formée à la découpe laser au FabLab BEN : ma formation figure dans mon passeport."
)


async def load_demo_trainings(session: AsyncSession, today: date) -> dict[str, int]:
    """The trainee, her trainings, her request and the host's invitation; what was made, by
    kind. The caller commits."""
    labs = await _labs(session)
    if labs is None or await _person(session, TRAINEE) is not None:
        return {}
    host, lab, old_lab = labs
    laser = await _laser_of(session, host)
    if laser is None or laser.id is None:
        return {}
    lab_agent, old_agent, host_agent = [await _agent(session, o) for o in (lab, old_lab, host)]
    trainee = await _member(session, lab)
    made = {"trainings": 0, "exchanges": 0, "invitations": 0}
    for agent, lab_id, trained_on, expires_on in (
        (lab_agent, lab.id, today - timedelta(days=200), today + timedelta(days=530)),
        (old_agent, old_lab.id, today - timedelta(days=900), today - timedelta(days=170)),
    ):
        draft = TrainingDraft(
            person_id=trainee.person_id,
            machine_class="laser",
            trained_on=trained_on,
            expires_on=expires_on,
            note="Découpe et gravure laser : réglages, sécurité, matériaux interdits.",
        )
        assert lab_id is not None
        await record_training(session, agent, lab_id, draft)
        made["trainings"] += 1
    made["exchanges"] = await _request(session, trainee, laser, today)
    invitation = await invite(
        session, host_agent, host.id or 0, InvitationDraft(email=HOST_ADMIN_EMAIL, role=Role.ADMIN)
    )
    invitation.invitation.expires_at = datetime.now(UTC) + timedelta(days=INVITATION_DAYS)
    session.add(invitation.invitation)
    made["invitations"] = 1
    await session.flush()
    return made


async def _labs(session: AsyncSession) -> tuple[Organization, Organization, Organization] | None:
    names = (HOST, TRAINING_LAB, OLD_TRAINING_LAB)
    found = (
        await session.exec(select(Organization).where(col(Organization.name).in_(names)))
    ).all()
    by_name = {o.name: o for o in found}
    if any(name not in by_name for name in names):
        return None
    return by_name[HOST], by_name[TRAINING_LAB], by_name[OLD_TRAINING_LAB]


async def _laser_of(session: AsyncSession, host: Organization) -> Listing | None:
    """The host's published laser cutter offer that requires the laser training."""
    statement = select(Listing).where(
        Listing.organization_id == host.id,
        Listing.kind == ListingKind.EQUIPMENT,
        Listing.direction == Direction.OFFER,
        Listing.status == ListingStatus.PUBLISHED,
    )
    offers = (await session.exec(statement.order_by(col(Listing.id)))).all()
    return next((o for o in offers if "laser" in required_classes(o.details)), None)


async def _person(session: AsyncSession, name: str) -> Person | None:
    return (await session.exec(select(Person).where(Person.display_name == name))).first()


async def _agent(session: AsyncSession, organization: Organization) -> Principal:
    """An admin of a demo lab: its first one, else a new team account."""
    statement = select(Membership).where(
        Membership.organization_id == organization.id,
        col(Membership.role).in_((Role.OWNER, Role.ADMIN)),
    )
    membership = (await session.exec(statement.order_by(col(Membership.id)))).first()
    if membership is None:
        person = Person(display_name=f"Équipe {organization.name}")
        session.add(person)
        await session.flush()
        assert person.id is not None
        assert organization.id is not None
        membership = Membership(
            person_id=person.id, organization_id=organization.id, role=Role.ADMIN
        )
        session.add(membership)
        await session.flush()
    return Principal(membership.person_id, membership.organization_id, membership.role)


async def _member(session: AsyncSession, lab: Organization) -> Principal:
    trainee = Person(display_name=TRAINEE)
    session.add(trainee)
    await session.flush()
    assert trainee.id is not None
    assert lab.id is not None
    session.add(Membership(person_id=trainee.id, organization_id=lab.id, role=Role.MEMBER))
    await session.flush()
    return Principal(trainee.id, lab.id, Role.MEMBER)


async def _request(session: AsyncSession, trainee: Principal, laser: Listing, today: date) -> int:
    """Léa asks for two days of the cutter, three weeks ahead (within its availability)."""
    assert laser.id is not None
    first = max(today, laser.available_from or today) + timedelta(days=21)
    starts = datetime.combine(first, time(8, 0), tzinfo=UTC)
    draft = ExchangeDraft(
        listing_id=laser.id, starts_at=starts, ends_at=starts + timedelta(days=2), message=ASK
    )
    try:
        async with session.begin_nested():
            await request_exchange(session, trainee, draft)  # its message opens the thread
    except DomainError:
        return 0
    return 1
