"""`totalCount` of listings from the maintained count table: exact, and moved by the change's own
transaction (core/listing_counts.py, core/services/listing_counts.py)."""

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.listing_counts import rebuild_listing_counts
from core.models import Direction, Listing, ListingKind, ListingStatus, Role, Visibility
from core.models.base import utcnow
from core.models.listing_counts import ListingCount
from core.services.listing_commands import ListingDraft, ListingPatch
from core.services.listing_counts import public_total
from core.services.listings import publish_listing, update_listing, withdraw_listing
from core.services.principal import Principal
from core.services.visibility import visible_listings
from tests.factories import make_listing, make_member, make_organization, make_token
from tests.graphql import GraphQLClient

TOTALS = """query($d: String) {
  all: listings { totalCount }
  department: listings(filter: { department: $d }) { totalCount }
  equipment: listings(filter: { department: $d, kind: EQUIPMENT, direction: OFFER }) { totalCount }
  skill: listings(filter: { kind: SKILL }) { totalCount }
  published: listings(filter: { status: PUBLISHED }) { totalCount }
}"""


async def _exact(session: AsyncSession, principal: Principal | None, **where: object) -> int:
    """COUNT(*) of what `principal` sees, row by row: what the count table must agree with."""
    statement = select(func.count()).select_from(Listing).where(visible_listings(principal))
    for name, value in where.items():
        statement = statement.where(getattr(Listing, name) == value)
    return int((await session.exec(statement)).one())


async def test_publish_visibility_hide_and_withdraw_move_the_count_in_their_own_transaction(
    session: AsyncSession,
) -> None:
    lab = await make_organization(session, "FabLab de Guéret")
    person = (await make_member(session, lab, Role.OWNER)).person
    await session.commit()
    assert lab.id is not None
    assert person.id is not None
    owner = Principal(person.id, lab.id, Role.OWNER)
    in_creuse = public_total(session, department="23")
    offers = public_total(session, department="23", kind=ListingKind.EQUIPMENT)

    draft = ListingDraft(
        direction=Direction.OFFER,
        kind=ListingKind.EQUIPMENT,
        title="Découpeuse laser",
        commune="23000",
        details={"quantity": 1},
    )
    listing = await publish_listing(session, owner, draft)
    assert listing.id is not None
    assert listing.department_code == "23"
    assert (await in_creuse(), await offers()) == (1, 1)  # read before any commit

    await update_listing(session, owner, listing.id, ListingPatch(visibility=Visibility.NETWORK))
    assert await in_creuse() == 0
    await update_listing(session, owner, listing.id, ListingPatch(visibility=Visibility.PUBLIC))
    assert await in_creuse() == 1

    listing.hidden_at = utcnow()  # hidden by a network (core/services/moderation.py)
    await session.flush()
    assert await in_creuse() == 0
    listing.hidden_at = None
    await session.flush()
    assert await in_creuse() == 1

    await update_listing(session, owner, listing.id, ListingPatch(commune="69001"))
    assert (await in_creuse(), await public_total(session, department="69")()) == (0, 1)
    await update_listing(session, owner, listing.id, ListingPatch(commune="23000"))
    await session.commit()
    assert await in_creuse() == 1

    await withdraw_listing(session, owner, listing.id)
    assert await in_creuse() == 0
    await session.rollback()  # the withdrawal is undone, and its count with it
    assert await in_creuse() == 1
    assert await _exact(session, None, department_code="23") == 1


async def test_a_rolled_back_savepoint_takes_its_count_back(session: AsyncSession) -> None:
    organization = await make_organization(session)
    listing = await make_listing(session, organization, department_code="75")
    await session.commit()
    total = public_total(session, department="75")

    async with session.begin_nested() as savepoint:
        listing.status = ListingStatus.PAUSED
        await session.flush()
        assert await total() == 0
        await savepoint.rollback()
    await session.refresh(listing)

    assert listing.status == ListingStatus.PUBLISHED
    assert await total() == 1


async def test_total_count_is_exact_for_every_viewer_and_filter(
    client: GraphQLClient, session: AsyncSession
) -> None:
    mine = await make_organization(session)
    other = await make_organization(session)
    for organization in (mine, other):
        for status, visibility, kind in [
            (ListingStatus.PUBLISHED, Visibility.PUBLIC, ListingKind.EQUIPMENT),
            (ListingStatus.PUBLISHED, Visibility.PUBLIC, ListingKind.SKILL),
            (ListingStatus.PUBLISHED, Visibility.PRIVATE, ListingKind.EQUIPMENT),
            (ListingStatus.DRAFT, Visibility.PUBLIC, ListingKind.EQUIPMENT),
            (ListingStatus.WITHDRAWN, Visibility.PUBLIC, ListingKind.EQUIPMENT),
        ]:
            for department in ("23", "69", None):
                await make_listing(
                    session,
                    organization,
                    status=status,
                    visibility=visibility,
                    kind=kind,
                    department_code=department,
                    details={},
                )
    hidden = await make_listing(session, other, department_code="23")
    hidden.hidden_at = utcnow()
    token = await make_token(session, mine, Role.MEMBER)
    await session.commit()
    assert mine.id is not None
    member = Principal(0, mine.id, Role.MEMBER)

    anonymous = await client.execute(TOTALS, {"d": "23"})
    own = await client.execute(TOTALS, {"d": "23"}, token)

    for viewer, data in ((None, anonymous), (member, own)):
        assert data["all"]["totalCount"] == await _exact(session, viewer)
        assert data["department"]["totalCount"] == await _exact(
            session, viewer, department_code="23"
        )
        assert data["equipment"]["totalCount"] == await _exact(
            session, viewer, department_code="23", kind="EQUIPMENT", direction="OFFER"
        )
        assert data["skill"]["totalCount"] == await _exact(session, viewer, kind="SKILL")
        assert data["published"]["totalCount"] == await _exact(session, viewer, status="PUBLISHED")
    assert [anonymous[k]["totalCount"] for k in TOTALS_KEYS] == [12, 4, 2, 6, 12]
    assert own["department"]["totalCount"] == 4 + 3  # and its own private, draft, withdrawn


TOTALS_KEYS = ("all", "department", "equipment", "skill", "published")


async def test_rebuilding_from_the_listings_gives_the_maintained_counts(
    session: AsyncSession,
) -> None:
    organization = await make_organization(session)
    for index in range(12):
        listing = await make_listing(
            session,
            organization,
            department_code=("23", "69", "2A", None)[index % 4],
            kind=(ListingKind.EQUIPMENT, ListingKind.MATERIAL)[index % 2],
            details={},
        )
        if index % 3 == 0:
            listing.status = ListingStatus.PAUSED
    await session.commit()
    totals = select(
        ListingCount.department_code,
        ListingCount.kind,
        ListingCount.direction,
        func.sum(ListingCount.n),
    ).group_by(ListingCount.department_code, ListingCount.kind, ListingCount.direction)
    kept = {tuple(row[:3]): row[3] for row in await session.exec(totals) if row[3]}

    await session.run_sync(lambda s: rebuild_listing_counts(s.connection()))
    rebuilt = {tuple(row[:3]): row[3] for row in await session.exec(totals) if row[3]}

    assert kept == rebuilt
    assert sum(kept.values()) == 8
