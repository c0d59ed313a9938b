"""The living demo (issue 11): a few hundred listings of every kind and direction over France,
organizations that say they are examples, with a description and a place, publication dates
spread over the last months, exchanges in every state with messages; the same on every load."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from api.setup import load_demo, migrate
from core.db import Database
from core.importers.demo_trainings import HOST_ADMIN_EMAIL, TRAINEE
from core.importers.living_demo import Sources, plan_demo
from core.models import (
    Exchange,
    ExchangeMessage,
    Invitation,
    Listing,
    ListingOrigin,
    ListingReport,
    NetworkArea,
    Organization,
    OrganizationKind,
    Person,
    Space,
    SpaceClaim,
    SpaceSourceRecord,
)
from core.services.listing_details import TrainingRule
from core.services.training_checks import CheckReason, TrainingCheck, check_exchange
from core.settings import DEFAULT_DATA_DIR, Settings

SHARED = Settings().shared_data_dir


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("demo")
    settings = Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}",
        var_dir=folder,
    )

    async def load() -> None:
        await migrate(settings)
        assert await load_demo(settings) is not None

    asyncio.run(load())
    return settings


def _rows(settings: Settings, statement):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        database = Database.from_settings(settings)
        try:
            async with database.session() as session:
                return (await session.exec(statement)).all()
        finally:
            await database.dispose()

    return asyncio.run(run())


def test_a_few_hundred_listings_of_every_kind_and_direction_spread_over_france(
    loaded: Settings,
) -> None:
    listings = _rows(loaded, select(Listing))

    kinds = Counter((listing.kind.value, listing.direction.value) for listing in listings)
    departments = {listing.department_code for listing in listings}
    with_fablabs = SHARED is not None and (SHARED / "fablabs_io_fr_2024.csv").is_file()
    assert 300 <= len(listings) <= 800
    for kind in ("EQUIPMENT", "PREMISES", "SKILL", "MATERIAL"):
        if kind == "EQUIPMENT" and not with_fablabs:
            continue  # the labs' machines come from ../shared/data, which a checkout may lack
        assert kinds[(kind, "OFFER")] >= 10, kinds
        assert kinds[(kind, "REQUEST")] >= 5, kinds
    assert len(departments) >= 50
    if with_fablabs:
        printers = [
            x for x in listings if x.category == "three_d_printer" and x.ref.startswith("demo:")
        ]
        assert len(printers) >= 30, "the fablabs.io labs' 3D printers"


def test_publication_dates_spread_over_the_last_months(loaded: Settings) -> None:
    listings = _rows(loaded, select(Listing))
    today = datetime.now(UTC).date()

    days = {
        (today - listing.published_at.date()).days for listing in listings if listing.published_at
    }
    assert min(days) >= 0
    assert max(days) >= 120
    assert len(days) >= 60, "not all published the same day"
    # Requests ask for a period still ahead: the Limoges club's laser request is live.
    limoges = next(x for x in listings if x.ref == "exemple-limoges:demande-laser")
    assert limoges.available_until is not None
    assert limoges.available_until > today


def test_every_demo_organization_says_it_is_an_example_and_has_a_description_and_a_place(
    loaded: Settings,
) -> None:
    organizations = _rows(loaded, select(Organization))
    places = {s.organization_id for s in _rows(loaded, select(Space)) if s.organization_id}
    examples = [o for o in organizations if o.name.endswith("(exemple)")]
    others = [o for o in organizations if not o.name.endswith("(exemple)")]

    assert len(examples) >= 100
    for organization in examples:
        assert "exemple" in organization.description, organization.name
        if organization.kind != OrganizationKind.RESEAU:  # a network is not a place
            assert organization.id in places, organization.name
    # The rest are the real communes of the Cartofriches sites, which say what those are.
    assert all(o.name.startswith("Commune") for o in others), [o.name for o in others]
    assert all("Cartofriches" in o.description for o in others)


@pytest.mark.skipif(
    SHARED is None or not (SHARED / "tiers_lieux_fr_merged.csv").is_file(),
    reason="the open lists of places are in ../shared/data",
)
def test_the_directory_holds_the_shared_lists_and_a_lab_runs_its_imported_place(
    loaded: Settings,
) -> None:
    spaces = _rows(loaded, select(Space))
    sources = {r.source for r in _rows(loaded, select(SpaceSourceRecord))}
    by_slug = {s.fablabs_slug: s for s in spaces if s.fablabs_slug}
    organizations = {o.name: o.id for o in _rows(loaded, select(Organization))}
    plan = plan_demo(Sources(DEFAULT_DATA_DIR, SHARED), datetime.now(UTC).date())
    labs = {  # the labs the demo made an organization for (those with a listing)
        name: place["fablabs_slug"].lower()
        for name, place in plan.places.items()
        if "fablabs_slug" in place and name in organizations
    }
    elsewhere = [
        name
        for name, slug in labs.items()
        if slug in by_slug and by_slug[slug].organization_id != organizations[name]
    ]

    assert sources == {
        "mission_coworking",
        "tiers_lieux_fr",
        "fablabs_io",
        "idf_coworkings",
        "occitanie_telecentres",
        "mayotte_numerique",
    }
    assert 1600 < len(spaces) < 1800
    # The demo's fablabs.io labs run the places the import made of them (a few were already
    # given to a census place's example organization).
    assert len(labs) >= 50
    assert len(elsewhere) <= len(labs) // 10, elsewhere


def test_cartofriches_sites_are_census_records_with_their_source(loaded: Settings) -> None:
    sites = _rows(loaded, select(Listing).where(col(Listing.ref).startswith("cartofriches:")))

    assert len(sites) == 15
    for site in sites:
        assert site.origin == ListingOrigin.CARTOFRICHES
        assert site.source.startswith("Cerema – Cartofriches")


def test_a_handful_of_exchanges_in_every_state_with_messages(loaded: Settings) -> None:
    exchanges = _rows(loaded, select(Exchange))
    messages = Counter(m.exchange_id for m in _rows(loaded, select(ExchangeMessage)))

    states = Counter(exchange.state.value for exchange in exchanges)
    expected = {
        state: 2
        for state in ("REQUESTED", "ACCEPTED", "IN_PROGRESS", "COMPLETED", "DECLINED", "CANCELLED")
    }
    expected["REQUESTED"] += 1  # Léa Marchand's laser request (core/importers/demo_trainings.py)
    assert states == expected
    assert all(messages[exchange.id] >= 1 for exchange in exchanges)
    assert max(messages.values()) >= 3


def test_networks_cover_the_country_and_two_regions_with_work_waiting(loaded: Settings) -> None:
    networks = [o for o in _rows(loaded, select(Organization)) if o.kind == OrganizationKind.RESEAU]
    areas = {(a.level.value, a.code) for a in _rows(loaded, select(NetworkArea))}
    members = [o for o in _rows(loaded, select(Organization)) if o.parent_id is not None]

    assert len(networks) == 3
    assert all(o.name.endswith("(exemple)") for o in networks)
    assert areas == {("COUNTRY", "FR"), ("REGION", "52"), ("REGION", "75")}
    assert sum(o.verified for o in members) >= 6
    assert sum(not o.verified for o in members) >= 2
    assert [c.state.value for c in _rows(loaded, select(SpaceClaim))] == ["PENDING"] * 2
    assert [r.state.value for r in _rows(loaded, select(ListingReport))] == ["OPEN"]


def test_a_laser_request_shows_its_host_a_training_of_the_same_network(loaded: Settings) -> None:
    async def run() -> tuple[Exchange, TrainingCheck | None]:
        database = Database.from_settings(loaded)
        try:
            async with database.session() as session:
                trainee = select(Person.id).where(Person.display_name == TRAINEE)
                asked = select(Exchange).where(col(Exchange.requested_by_id).in_(trainee))
                exchange = (await session.exec(asked)).one()
                return exchange, await check_exchange(session, exchange)
        finally:
            await database.dispose()

    exchange, check = asyncio.run(run())

    assert exchange.state.value == "REQUESTED"
    assert check is not None
    assert (check.rule, check.required_classes, check.satisfied) == (
        TrainingRule.SAME_NETWORK,
        ["laser"],
        True,
    )
    assert sorted((i.counts, i.reason) for i in check.items) == [
        (False, CheckReason.EXPIRED), (True, None)
    ]  # fmt: skip
    invited = _rows(loaded, select(Invitation).where(Invitation.email == HOST_ADMIN_EMAIL))
    assert len(invited) == 1


def test_no_internal_code_is_a_keyword_of_a_generated_listing(loaded: Settings) -> None:
    listings = _rows(loaded, select(Listing).where(col(Listing.ref).startswith("demo:")))

    assert not [tag for listing in listings for tag in listing.tags if ":" in tag]


def test_the_plan_is_the_same_on_every_load_of_the_same_day() -> None:
    sources = Sources(DEFAULT_DATA_DIR, SHARED)
    day = date(2026, 12, 4)

    first, second = plan_demo(sources, day), plan_demo(sources, day)
    later = plan_demo(sources, day + timedelta(days=30))

    assert first.rows == second.rows
    assert [r["ref"] for r in later.rows] == [r["ref"] for r in first.rows]
    assert [r["title"] for r in later.rows] == [r["title"] for r in first.rows]


def test_the_demo_loads_without_the_shared_fablabs_io_files(tmp_path: Path) -> None:
    plan = plan_demo(Sources(DEFAULT_DATA_DIR, tmp_path), date(2026, 12, 4))

    assert not [r for r in plan.rows if r["ref"].startswith("demo:fablab")]
    assert len(plan.rows) >= 200


def test_a_reload_updates_the_directory_and_the_demo_places_in_place(tmp_path: Path) -> None:
    settings = Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'reload.sqlite3'}",
        var_dir=tmp_path,
    )

    async def load() -> None:
        await migrate(settings)
        assert await load_demo(settings) is not None

    async def reload() -> None:
        again = await load_demo(settings, only_if_empty=False)  # `entrelieux demo`
        assert again is not None
        assert all(report.imported == report.merged == 0 for report in again.directory.values())

    asyncio.run(load())
    first = sorted(str(s.ref) for s in _rows(settings, select(Space)))
    asyncio.run(reload())

    assert sorted(str(s.ref) for s in _rows(settings, select(Space))) == first
