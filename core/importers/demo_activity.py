"""Load the living demo: the generated listings, then what makes them look lived in.

Publication dates spread over the last months, organizations with a description and a place,
the hand-written examples moved to the load's calendar, and a few exchanges in every state with
their messages, made through the exchange services themselves (so their rules, bookings,
notifications and impact are the real ones).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import DomainError
from core.importers.demo_networks import load_demo_networks
from core.importers.demo_trainings import load_demo_trainings
from core.importers.listing_files import Row
from core.importers.listings import import_rows
from core.importers.living_demo import SEED, DemoPlan, Sources, plan_demo, rows_without_nones
from core.importers.report import ImportReport
from core.models import (
    Direction,
    Exchange,
    Listing,
    ListingKind,
    ListingOrigin,
    ListingStatus,
    Membership,
    Organization,
    OutboxEvent,
    OutboxTopic,
    Person,
    Role,
    Space,
)
from core.services.communes import nearest_commune
from core.services.exchange_commands import ExchangeDraft, MessageDraft, Note
from core.services.exchanges import (
    accept_exchange,
    cancel_exchange,
    complete_exchange,
    decline_exchange,
    request_exchange,
    send_message,
    start_exchange,
)
from core.services.principal import Principal

EXAMPLES_WRITTEN_ON = date(2026, 1, 5)
"""The hand-written example files (data/examples/) were dated as seen from this day."""


@dataclass
class LivingDemoReport:
    listings: ImportReport
    exchanges: dict[str, int]
    networks: dict[str, int] = field(default_factory=dict)
    """What `load_demo_networks` made: networks, members validated and waiting, the queues."""


async def load_living_demo(
    session: AsyncSession, sources: Sources, today: date, seed: int = SEED
) -> LivingDemoReport:
    """Generate and import the demo's listings, then date them, place and describe their
    organizations, and make the exchanges. The caller commits."""
    first_time = (await session.exec(select(Exchange.id).limit(1))).first() is None
    plan = plan_demo(sources, today, seed)
    rows = [Row(number, data) for number, data in enumerate(rows_without_nones(plan), start=1)]
    report = await import_rows(session, rows)
    await _publication_dates(session, plan, today)
    await _organizations(session, plan)
    exchanges: dict[str, int] = {}
    networks: dict[str, int] = {}
    if first_time:  # a refresh (`entrelieux demo`) leaves the calendar and the exchanges be
        await rebase_examples(session, today)
        exchanges = await make_exchanges(session, today, random.Random(seed))  # noqa: S311
        networks = await load_demo_networks(session)
        networks |= await load_demo_trainings(session, today)  # after the networks: SAME_NETWORK
        await coalesce_outbox(session)
    return LivingDemoReport(listings=report, exchanges=exchanges, networks=networks)


async def coalesce_outbox(session: AsyncSession) -> int:
    """One pending event per row: the load changes each listing several times (imported, dated,
    its organization described), and the relay pushes a row as it is now, so the later events
    say all the earlier ones do. The organizations' events go too: each of their listings has
    its own. Only on a first load, when every pending event is the load's. Halves what a first
    start must index. Returns how many events went."""
    await session.flush()
    pending = col(OutboxEvent.processed_at).is_(None)
    latest = (
        select(func.max(OutboxEvent.id))
        .where(pending)
        .group_by(col(OutboxEvent.topic), col(OutboxEvent.entity_id))
    )
    result = await session.exec(
        delete(OutboxEvent).where(
            pending,
            (col(OutboxEvent.id).not_in(latest))
            | (col(OutboxEvent.topic) == OutboxTopic.ORGANIZATION),
        )
    )
    return int(result.rowcount or 0)


async def rebase_examples(session: AsyncSession, today: date) -> None:
    """Move the examples' availability (every listing not generated) to the load's calendar, as
    if written `today`, and spread their publication over the last weeks."""
    shift = today - EXAMPLES_WRITTEN_ON
    statement = (
        select(Listing).where(~col(Listing.ref).startswith("demo:")).order_by(col(Listing.id))
    )
    for index, listing in enumerate((await session.exec(statement)).all()):
        if listing.available_from is not None:
            listing.available_from += shift
        if listing.available_until is not None:
            listing.available_until += shift
        _published(listing, today, 2 + (index * 5) % 60)
        session.add(listing)
    await session.flush()


def _published(listing: Listing, today: date, days_ago: int) -> None:
    moment = datetime.combine(today - timedelta(days=days_ago), time(9, 30), tzinfo=UTC)
    moment += timedelta(minutes=(listing.id or 0) * 37 % 480)
    listing.created_at = listing.updated_at = moment
    if listing.status == ListingStatus.PUBLISHED:
        listing.published_at = moment


async def _publication_dates(session: AsyncSession, plan: DemoPlan, today: date) -> None:
    refs = list(plan.published_days_ago)
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        for listing in (
            await session.exec(select(Listing).where(col(Listing.ref).in_(chunk)))
        ).all():
            assert listing.ref is not None
            _published(listing, today, plan.published_days_ago[listing.ref])
            session.add(listing)
    await session.flush()


async def _organizations(session: AsyncSession, plan: DemoPlan) -> None:
    names = list(plan.descriptions)
    found = (
        await session.exec(select(Organization).where(col(Organization.name).in_(names)))
    ).all()
    spaces = {
        space.ref: space
        for space in (
            await session.exec(select(Space).where(col(Space.ref).startswith("mc:")))
        ).all()
    }
    owned = set((await session.exec(select(Space.organization_id))).all())  # a reload's
    for organization in found:
        organization.description = plan.descriptions[organization.name]
        session.add(organization)
        place = plan.places.get(organization.name, {})
        if organization.id in owned:
            continue
        if "space_ref" in place:
            space = spaces.get(place["space_ref"])
            if space is not None and space.organization_id is None:
                space.organization_id = organization.id
                session.add(space)
        elif "lat" in place and not await _claim_imported_lab(session, organization, place):
            session.add(await _lab_space(session, organization, place))
    await session.flush()
    await _the_hand_written_examples(session)


async def _claim_imported_lab(
    session: AsyncSession, organization: Organization, place: dict[str, Any]
) -> bool:
    """A fablabs.io lab's organization runs the place the directory import made of that lab (same
    slug), rather than a second place of the same name (also on a reload of the demo); False when
    there is none, or another organization runs it."""
    slug = place.get("fablabs_slug")
    if not slug:
        return False
    # fablabs.io slugs are written in any case ("AviLab"); the directory keeps them in lower case.
    statement = select(Space).where(Space.fablabs_slug == str(slug).lower()).order_by(col(Space.id))
    space = (await session.exec(statement)).first()
    if space is None or space.organization_id not in (None, organization.id):
        return False
    space.organization_id = organization.id
    session.add(space)
    return True


HAND_WRITTEN = (
    "Organisation d'exemple de la démonstration d'Entrelieux : elle n'existe pas ; ses annonces, "
    "écrites à la main, servent à essayer le service."
)


CENSUS_OWNER = (
    "Dans la démonstration d'Entrelieux, les sites vacants affichés au nom de cette collectivité "
    "viennent du recensement Cartofriches (Cerema) : elle ne les a pas publiés elle-même."
)


async def _the_hand_written_examples(session: AsyncSession) -> None:
    """The examples' organizations (data/examples/) say so too, and get a place where their
    first listing is; the real communes of the Cartofriches records say what they are."""
    census = select(Listing.organization_id).where(Listing.origin != ListingOrigin.OWNER)
    owners = select(Organization).where(col(Organization.id).in_(census))
    for organization in (await session.exec(owners)).all():
        if not organization.description:
            organization.description = CENSUS_OWNER
            session.add(organization)
    owned = set((await session.exec(select(Space.organization_id))).all())
    statement = select(Organization).where(col(Organization.name).endswith("(exemple)"))
    for organization in (await session.exec(statement)).all():
        if not organization.description:
            organization.description = HAND_WRITTEN
            session.add(organization)
        if organization.id in owned:
            continue
        first = (
            await session.exec(
                select(Listing)
                .where(Listing.organization_id == organization.id)
                .where(col(Listing.latitude).is_not(None))
                .order_by(col(Listing.id))
            )
        ).first()
        if first is not None and first.latitude is not None and first.longitude is not None:
            place = {"name": organization.name.removesuffix(" (exemple)"), "lat": first.latitude}
            session.add(await _lab_space(session, organization, place | {"lon": first.longitude}))
    await session.flush()


async def _lab_space(
    session: AsyncSession, organization: Organization, place: dict[str, object]
) -> Space:
    lat, lon = float(str(place["lat"])), float(str(place["lon"]))
    commune = await nearest_commune(session, lat, lon)
    return Space(
        ref=f"demo:lab:{organization.id}",
        organization_id=organization.id,
        name=str(place["name"]),
        typologies=["FABLAB"] if "lab" in organization.name.lower() else [],
        latitude=lat,
        longitude=lon,
        commune_insee=commune.code_insee if commune else None,
        commune_name=commune.name if commune else "",
        department_code=commune.department_code if commune else None,
        region_code=commune.region_code if commune else None,
    )


# ---- exchanges ---------------------------------------------------------------------------------

FLOWS = (
    ("REQUESTED", ()),
    ("ACCEPTED", ("accept",)),
    ("IN_PROGRESS", ("accept", "start")),
    ("COMPLETED", ("accept", "start", "complete")),
    ("DECLINED", ("decline",)),
    ("CANCELLED", ("cancel",)),
)
MESSAGES = {
    "ask": "Bonjour, nous aimerions en profiter pour un projet du lieu. Est-ce possible aux dates "
    "indiquées ? Merci d'avance !",
    "reply": "Bonjour, oui, c'est possible. Passez nous voir la veille pour qu'on vous montre le "
    "fonctionnement.",
    "thanks": "Parfait, merci beaucoup ! Nous venons à deux personnes.",
    "decline": "Désolés, nous en avons besoin nous-mêmes à ces dates. Une autre fois volontiers.",
    "cancel": "Finalement notre atelier est reporté : nous annulons, merci quand même.",
    "done": "Tout s'est bien passé, merci pour l'accueil et à bientôt !",
}


async def _agent(session: AsyncSession, organization: Organization) -> Principal:
    """The person who acts for a demo organization in its exchanges."""
    assert organization.id is not None
    person = Person(display_name=f"Équipe {organization.name}")
    session.add(person)
    await session.flush()
    assert person.id is not None
    session.add(Membership(person_id=person.id, organization_id=organization.id, role=Role.ADMIN))
    await session.flush()
    return Principal(person_id=person.id, organization_id=organization.id, role=Role.ADMIN)


def _draft(listing: Listing, today: date, slot: int) -> ExchangeDraft:
    assert listing.id is not None
    first = max(today, listing.available_from or today) + timedelta(days=7 + 9 * slot)
    starts = datetime.combine(first, time(8, 0), tzinfo=UTC)
    fields: dict[str, object] = {"listing_id": listing.id, "message": MESSAGES["ask"]}
    if listing.kind == ListingKind.MATERIAL:
        quantity = Decimal(str(listing.details.get("quantity", 1)))
        fields["quantity"] = max(Decimal(1), (quantity / 2).quantize(Decimal(1)))
    elif listing.kind == ListingKind.SKILL:
        fields["hours"] = Decimal(3)
    else:
        fields |= {"starts_at": starts, "ends_at": starts + timedelta(days=2)}
    return ExchangeDraft.model_validate(fields)


async def make_exchanges(session: AsyncSession, today: date, rng: random.Random) -> dict[str, int]:
    """Two exchanges in every state, each between two demo organizations, with messages."""
    offers = (
        await session.exec(
            select(Listing)
            .where(col(Listing.ref).startswith("demo:"), Listing.direction == Direction.OFFER)
            .where(Listing.status == ListingStatus.PUBLISHED)
            .order_by(col(Listing.id))
        )
    ).all()
    organizations = {o.id: o for o in (await session.exec(select(Organization))).all()}
    chosen = rng.sample(list(offers), min(len(offers), 6 * len(FLOWS)))
    agents: dict[int, Principal] = {}
    made: dict[str, int] = {}
    pairs = iter(zip(chosen[0::2], chosen[1::2], strict=True))
    for state, steps in [flow for flow in FLOWS for _ in (1, 2)]:
        for listing, other in pairs:
            if listing.organization_id == other.organization_id:
                continue
            for organization_id in (listing.organization_id, other.organization_id):
                if organization_id not in agents:
                    agents[organization_id] = await _agent(session, organizations[organization_id])
            if await _one_exchange(session, listing, agents, other.organization_id, steps, today):
                made[state] = made.get(state, 0) + 1
                break
    return made


async def _one_exchange(
    session: AsyncSession,
    listing: Listing,
    agents: dict[int, Principal],
    requester_id: int,
    steps: tuple[str, ...],
    today: date,
) -> bool:
    owner, requester = agents[listing.organization_id], agents[requester_id]
    try:
        async with session.begin_nested():
            exchange = await request_exchange(
                session, requester, _draft(listing, today, len(steps))
            )
            assert exchange.id is not None
            for step in steps:
                if step == "accept":
                    await send_message(
                        session, owner, exchange.id, MessageDraft(body=MESSAGES["reply"])
                    )
                    await accept_exchange(session, owner, exchange.id, Note())
                    await send_message(
                        session, requester, exchange.id, MessageDraft(body=MESSAGES["thanks"])
                    )
                elif step == "start":
                    await start_exchange(
                        session, owner, exchange.id, Note(note="Remis en bon état.")
                    )
                elif step == "complete":
                    await complete_exchange(
                        session, owner, exchange.id, Note(note="Rendu en bon état.")
                    )
                    await send_message(
                        session, requester, exchange.id, MessageDraft(body=MESSAGES["done"])
                    )
                elif step == "decline":
                    await decline_exchange(
                        session, owner, exchange.id, Note(note=MESSAGES["decline"])
                    )
                elif step == "cancel":
                    await cancel_exchange(
                        session, requester, exchange.id, Note(note=MESSAGES["cancel"])
                    )
                # A mutation commits after one transition; here the next one re-reads the row.
                await session.flush()
    except DomainError:
        return False
    return True
