"""`Query.impact`: sums of completed exchanges, open by territory, guarded by organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import StatementCounter
from core.models import ExchangeState, ListingKind, Organization, OrganizationKind, Role
from schema.relay import to_global_id
from tests.factories import make_exchange, make_listing, make_member, make_organization
from tests.graphql import GraphQLClient

IMPACT = """
query($filter: ImpactFilter) {
  impact(filter: $filter) {
    exchangesCompleted kgReused kmBetweenPlaces skillHours equipmentDays premisesDays
    organizationsInvolved
    byKind { kind exchangesCompleted kgReused kmBetweenPlaces skillHours equipmentDays
             premisesDays }
    byMonth { month exchangesCompleted kgReused kmBetweenPlaces }
  }
}
"""
LIMOUSIN = {"region_code": "75", "department_code": "23", "commune_insee": "23096"}
HAUTE_VIENNE = {"region_code": "75", "department_code": "87", "commune_insee": "87085"}
TOULOUSE = {"region_code": "76", "department_code": "31", "commune_insee": "31555"}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@dataclass
class Territory:
    network: Organization
    a: Organization
    b: Organization
    c: Organization
    tokens: dict[str, str]


async def build_territory(session: AsyncSession) -> Territory:
    """Four completed exchanges (A, B in Nouvelle-Aquitaine; C in Occitanie), and two that are
    not completed and must never count."""
    network = await make_organization(session, "Fabrique N", OrganizationKind.RESEAU)
    a = await make_organization(session, "FabLab A", parent_id=network.id)
    b = await make_organization(session, "Ressourcerie B")
    c = await make_organization(session, "Commune C", OrganizationKind.COLLECTIVITE)
    laser = await make_listing(session, a, title="Découpeuse laser", **LIMOUSIN)
    skill = await make_listing(session, a, kind=ListingKind.SKILL, **LIMOUSIN)
    doors = await make_listing(session, b, kind=ListingKind.MATERIAL, **HAUTE_VIENNE)
    room = await make_listing(session, c, kind=ListingKind.PREMISES, **TOULOUSE)
    done = ExchangeState.COMPLETED
    await make_exchange(
        session, laser, b, done, equipment_days=7, distance_km=60, completed_at=at("2026-01-10")
    )
    await make_exchange(
        session, doors, a, done, kg_reused=300, distance_km=60, completed_at=at("2026-02-03")
    )
    await make_exchange(
        session,
        room,
        b,
        done,
        premises_days=30,
        distance_km=400,
        completed_at=at("2026-02-28T23:30"),
    )
    await make_exchange(
        session, skill, c, done, skill_hours=6, distance_km=400, completed_at=at("2026-03-05")
    )
    await make_exchange(session, laser, c, ExchangeState.ACCEPTED, equipment_days=99)
    await make_exchange(session, doors, c, ExchangeState.CANCELLED, kg_reused=999)
    tokens = {
        "member_a": (await make_member(session, a)).token,
        "member_b": (await make_member(session, b)).token,
        "network_admin": (await make_member(session, network, Role.ADMIN)).token,
    }
    await session.commit()
    return Territory(network, a, b, c, tokens)


async def impact(client: GraphQLClient, token: str | None = None, **filter: Any) -> dict[str, Any]:
    data = await client.execute(IMPACT, {"filter": filter}, token)
    return data["impact"]  # type: ignore[no-any-return]


async def test_everything_completed_adds_up(client: GraphQLClient, session: AsyncSession) -> None:
    await build_territory(session)

    result = await impact(client)

    assert result["exchangesCompleted"] == 4
    assert result["kgReused"] == 300
    assert result["kmBetweenPlaces"] == 920
    assert result["skillHours"] == 6
    assert result["equipmentDays"] == 7
    assert result["premisesDays"] == 30
    assert result["organizationsInvolved"] == 3
    by_kind = {row["kind"]: row for row in result["byKind"]}
    assert set(by_kind) == {"EQUIPMENT", "PREMISES", "SKILL", "MATERIAL"}
    assert by_kind["EQUIPMENT"]["exchangesCompleted"] == 1
    assert by_kind["EQUIPMENT"]["equipmentDays"] == 7
    assert by_kind["MATERIAL"]["kgReused"] == 300
    assert by_kind["PREMISES"]["kmBetweenPlaces"] == 400
    assert by_kind["SKILL"]["skillHours"] == 6
    assert [(m["month"], m["exchangesCompleted"]) for m in result["byMonth"]] == [
        ("2026-01", 1),
        ("2026-02", 2),
        ("2026-03", 1),
    ]


@pytest.mark.parametrize(
    ("filter", "completed", "organizations", "km"),
    [
        ({"region": "75"}, 3, 3, 520),
        ({"region": "76"}, 1, 2, 400),
        ({"department": "23"}, 2, 3, 460),
        ({"department": "87"}, 1, 2, 60),
        ({"from": "2026-02-01", "to": "2026-02-28"}, 2, 3, 460),
        ({"from": "2026-02-01", "to": "2026-02-27"}, 1, 2, 60),
        ({"from": "2026-03-01"}, 1, 2, 400),
        ({"to": "2026-01-10"}, 1, 2, 60),
        ({"region": "75", "from": "2026-02-01"}, 2, 3, 460),
    ],
)
async def test_each_filter_narrows_the_sums(
    client: GraphQLClient,
    session: AsyncSession,
    filter: dict[str, str],
    completed: int,
    organizations: int,
    km: float,
) -> None:
    await build_territory(session)

    result = await impact(client, **filter)

    assert result["exchangesCompleted"] == completed
    assert result["organizationsInvolved"] == organizations
    assert result["kmBetweenPlaces"] == km


async def test_one_organizations_figures_count_both_sides(
    client: GraphQLClient, session: AsyncSession
) -> None:
    territory = await build_territory(session)
    b = to_global_id("Organization", territory.b.id or 0)

    result = await impact(client, territory.tokens["member_b"], organization=b)

    # B lent nothing but received the laser and the room, and gave the doors.
    assert result["exchangesCompleted"] == 3
    assert result["kgReused"] == 300
    assert result["organizationsInvolved"] == 3


@pytest.mark.parametrize(
    ("viewer", "code"),
    [
        ("member_a", None),
        ("network_admin", None),
        ("member_b", "FORBIDDEN"),
        ("anonymous", "UNAUTHENTICATED"),
    ],
)
async def test_one_organizations_figures_are_for_it_and_its_network(
    client: GraphQLClient, session: AsyncSession, viewer: str, code: str | None
) -> None:
    territory = await build_territory(session)
    a = to_global_id("Organization", territory.a.id or 0)
    variables = {"filter": {"organization": a}}

    body = (await client.post(IMPACT, variables, territory.tokens.get(viewer))).json()

    if code is None:
        assert "errors" not in body, body
        assert body["data"]["impact"]["exchangesCompleted"] == 3
    else:
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]
        assert body["data"] is None


async def test_a_network_does_not_read_organizations_outside_it(
    client: GraphQLClient, session: AsyncSession
) -> None:
    territory = await build_territory(session)
    c = to_global_id("Organization", territory.c.id or 0)

    errors = await client.errors(
        IMPACT, {"filter": {"organization": c}}, territory.tokens["network_admin"]
    )

    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_nothing_matching_gives_zeros(client: GraphQLClient, session: AsyncSession) -> None:
    await build_territory(session)

    result = await impact(client, region="11")

    assert result["exchangesCompleted"] == 0
    assert result["organizationsInvolved"] == 0
    assert result["kgReused"] == result["kmBetweenPlaces"] == result["premisesDays"] == 0
    assert [row["exchangesCompleted"] for row in result["byKind"]] == [0, 0, 0, 0]
    assert result["byMonth"] == []


@pytest.mark.parametrize(
    ("filter", "field"),
    [
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"region": "Bretagne"}, "region"),
        ({"region": "753"}, "region"),
        ({"department": "2C"}, "department"),
        ({"organization": "not-an-id"}, "organization"),
        ({"organization": to_global_id("Listing", 1)}, "organization"),
        ({"organization": to_global_id("Organization", 987654)}, "organization"),
    ],
)
async def test_bad_input_names_the_argument(
    client: GraphQLClient, session: AsyncSession, filter: dict[str, str], field: str
) -> None:
    territory = await build_territory(session)

    errors = await client.errors(IMPACT, {"filter": filter}, territory.tokens["member_a"])

    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_months_are_utc_months_whatever_the_database_time_zone(
    client: GraphQLClient, session: AsyncSession
) -> None:
    a = await make_organization(session)
    b = await make_organization(session)
    listing = await make_listing(session, a)
    await make_exchange(session, listing, b, completed_at=at("2026-01-31T20:00"))
    if session.get_bind().dialect.name == "postgresql":
        await session.exec(text("SET TIME ZONE 'Pacific/Kiritimati'"))  # type: ignore[call-overload]
    await session.commit()

    result = await impact(client, **{"from": "2026-01-31", "to": "2026-01-31"})

    assert [m["month"] for m in result["byMonth"]] == ["2026-01"]
    assert result["exchangesCompleted"] == 1


async def test_the_cost_is_a_constant_number_of_statements(
    client: GraphQLClient, session: AsyncSession, statements: StatementCounter
) -> None:
    territory = await build_territory(session)
    a = to_global_id("Organization", territory.a.id or 0)
    token = territory.tokens["network_admin"]

    async def cost() -> int:
        before = statements.total
        await impact(client)
        await impact(client, token, organization=a, region="75")
        return statements.total - before

    await cost()  # the first use of a token records when it was used
    few = await cost()
    listing = await make_listing(session, territory.a, **LIMOUSIN)
    for day in range(1, 29):
        await make_exchange(
            session,
            listing,
            territory.b,
            kg_reused=1,
            completed_at=at(f"2025-{day % 12 + 1:02}-01"),
        )
    await session.commit()
    many = await cost()

    assert many == few
