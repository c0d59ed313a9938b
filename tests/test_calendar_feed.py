"""Calendar feeds: the secret URL shown once, the iCalendar it serves, revocation, who may."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api import ics
from core.db import StatementCounter
from core.models import (
    CalendarFeed,
    Exchange,
    ExchangeState,
    ListingKind,
    Membership,
    Organization,
    Role,
)
from schema.relay import to_global_id
from tests.factories import Member, make_exchange, make_listing, make_member, make_organization
from tests.graphql import GraphQLClient

CREATE = """
mutation($input: CalendarFeedCreateInput!) {
  calendarFeedCreate(input: $input) {
    __typename
    ... on CalendarFeedCreateSuccess { url feed { id name prefix active createdByViewer } }
    ... on Error { message }
  }
}
"""
REVOKE = """
mutation($id: ID!) {
  calendarFeedRevoke(id: $id) {
    __typename
    ... on CalendarFeedRevokeSuccess { feed { id revokedAt active } }
    ... on Error { message }
  }
}
"""
FEEDS = """
query($organizationId: ID!) {
  calendarFeeds(organizationId: $organizationId) { id name prefix active createdByViewer }
}
"""
LONG_TITLE = (
    'Découpeuse laser Epilog; 60 W, "Legend 36EXT" \\ plateau 610×914 mm\n'
    "formation requise — réservée aux ateliers du réseau des tiers-lieux creusois"
)


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


@dataclass
class World:
    a: Organization
    member: Member
    admin: Member
    shown: dict[str, Exchange]
    hidden: dict[str, Exchange]


async def build_world(session: AsyncSession) -> World:
    """A's feed shows its exchanges with a period in ACCEPTED, IN_PROGRESS or COMPLETED, on
    either side; nothing else, and nothing between other organizations."""
    a = await make_organization(session, "FabLab A")
    b = await make_organization(session, "Ressourcerie B, Guéret")
    c = await make_organization(session, "Commune C")
    laser = await make_listing(session, a, title=LONG_TITLE)
    planks = await make_listing(session, a, kind=ListingKind.MATERIAL, title="Planches")
    room = await make_listing(session, b, kind=ListingKind.PREMISES, title="Salle de réunion")
    week = {"starts_at": at("2026-03-02T08:00"), "ends_at": at("2026-03-09T17:30")}
    later = {"starts_at": at("2026-04-01T07:00"), "ends_at": at("2026-04-03T16:00")}
    shown = {
        "lent": await make_exchange(session, laser, b, ExchangeState.ACCEPTED, **week),
        "borrowed": await make_exchange(session, room, a, ExchangeState.IN_PROGRESS, **later),
        "done": await make_exchange(session, laser, c, ExchangeState.COMPLETED, **later),
    }
    hidden = {
        "cancelled": await make_exchange(session, laser, c, ExchangeState.CANCELLED, **week),
        "requested": await make_exchange(session, laser, b, ExchangeState.REQUESTED, **later),
        "declined": await make_exchange(session, laser, c, ExchangeState.DECLINED, **later),
        "no_period": await make_exchange(session, planks, b, ExchangeState.ACCEPTED),
        "others": await make_exchange(session, room, c, ExchangeState.ACCEPTED, **week),
    }
    member = await make_member(session, a)
    admin = await make_member(session, a, Role.ADMIN)
    await session.commit()
    return World(a, member, admin, shown, hidden)


async def create_feed(
    client: GraphQLClient, world: World, token: str | None = None, name: str = "Atelier"
) -> dict[str, Any]:
    organization_id = to_global_id("Organization", world.a.id or 0)
    variables = {"input": {"organizationId": organization_id, "name": name}}
    data = await client.execute(CREATE, variables, token or world.member.token)
    result = data["calendarFeedCreate"]
    assert result["__typename"] == "CalendarFeedCreateSuccess", result
    return result  # type: ignore[no-any-return]


def parse_ics(body: str) -> list[dict[str, str]]:
    """A strict reader for what the feed writes: CRLF lines of at most 75 octets, unfolded,
    TEXT values unescaped. Returns the calendar's properties then each event's."""
    assert body.endswith("\r\n")
    physical = body[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode()) <= 75 for line in physical), physical
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    components: list[dict[str, str]] = [{}]
    for line in logical:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            components.append({})
        elif not line.startswith(("BEGIN:", "END:")):
            assert name not in components[-1], f"{name} twice"
            components[-1][name] = unescape(value)
    assert logical[0] == "BEGIN:VCALENDAR"
    assert logical[-1] == "END:VCALENDAR"
    assert logical.count("BEGIN:VEVENT") == logical.count("END:VEVENT")
    return components


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            assert following in "\\;,nN", f"bad escape \\{following}"
            out.append("\n" if following in "nN" else following)
        else:
            assert char not in ";,", f"unescaped {char!r} in {value!r}"
            out.append(char)
    return "".join(out)


async def test_the_feed_shows_the_organizations_booked_exchanges(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    created = await create_feed(client, world)

    response = await client.http.get(urlsplit(created["url"]).path)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, max-age=300"
    calendar, *events = parse_ics(response.text)
    assert calendar["VERSION"] == "2.0"
    assert calendar["X-WR-CALNAME"] == "Entrelieux – Atelier"
    by_uid = {event["UID"]: event for event in events}
    assert set(by_uid) == {f"exchange-{e.id}@entrelieux" for e in world.shown.values()}
    lent = by_uid[f"exchange-{world.shown['lent'].id}@entrelieux"]
    assert lent["DTSTART"] == "20260302T080000Z"
    assert lent["DTEND"] == "20260309T173000Z"
    assert lent["STATUS"] == "CONFIRMED"
    assert lent["SUMMARY"] == f"{LONG_TITLE} – Ressourcerie B, Guéret"
    assert lent["DESCRIPTION"].startswith("État : accepté (ACCEPTED)\n")
    assert "Demandé par : Ressourcerie B, Guéret" in lent["DESCRIPTION"]
    assert lent["DTSTAMP"].endswith("Z")
    borrowed = by_uid[f"exchange-{world.shown['borrowed'].id}@entrelieux"]
    assert borrowed["SUMMARY"] == "Salle de réunion – Ressourcerie B, Guéret"
    assert "Demandé par : FabLab A" in borrowed["DESCRIPTION"]
    assert "(IN_PROGRESS)" in borrowed["DESCRIPTION"]


async def test_the_url_is_shown_once_and_only_its_hash_is_kept(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    created = await create_feed(client, world)
    secret = urlsplit(created["url"]).path.removeprefix("/calendar/").removesuffix(".ics")

    feeds = await client.execute(
        FEEDS, {"organizationId": to_global_id("Organization", world.a.id or 0)}, world.admin.token
    )

    row = (await session.exec(select(CalendarFeed))).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row.prefix)
    assert feeds["calendarFeeds"] == [
        {
            "id": created["feed"]["id"],
            "name": "Atelier",
            "prefix": row.prefix,
            "active": True,
            "createdByViewer": False,
        }
    ]
    assert secret not in repr(feeds)


async def test_a_revoked_or_unknown_token_gets_the_same_404(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    created = await create_feed(client, world)
    path = urlsplit(created["url"]).path
    assert (await client.http.get(path)).status_code == 200

    result = await client.execute(REVOKE, {"id": created["feed"]["id"]}, world.member.token)
    revoked = await client.http.get(path)
    unknown = await client.http.get(path[:-8] + "AAAA.ics")
    foreign = await client.http.get("/calendar/elx_not-a-feed.ics")

    assert result["calendarFeedRevoke"]["feed"]["active"] is False
    for response in (revoked, unknown, foreign):
        assert response.status_code == 404
        assert response.content == revoked.content
        assert response.headers["content-type"] == revoked.headers["content-type"]


async def test_a_feed_stops_when_its_creator_leaves_the_organization(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    created = await create_feed(client, world)
    membership = await session.get(Membership, world.member.membership.id)
    await session.delete(membership)
    await session.commit()

    response = await client.http.get(urlsplit(created["url"]).path)
    feeds = await client.execute(
        FEEDS, {"organizationId": to_global_id("Organization", world.a.id or 0)}, world.admin.token
    )

    assert response.status_code == 404
    assert [feed["active"] for feed in feeds["calendarFeeds"]] == [False]


async def test_only_its_creator_or_an_admin_revokes_a_feed(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    created = await create_feed(client, world, token=world.admin.token)
    other = await make_member(session, world.a)
    await session.commit()

    refused = await client.errors(REVOKE, {"id": created["feed"]["id"]}, other.token)
    by_creator = await client.execute(REVOKE, {"id": created["feed"]["id"]}, world.admin.token)

    assert refused[0]["extensions"]["code"] == "FORBIDDEN"
    assert by_creator["calendarFeedRevoke"]["__typename"] == "CalendarFeedRevokeSuccess"


async def test_a_name_over_100_characters_is_an_input_error(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    variables = {
        "input": {
            "organizationId": to_global_id("Organization", world.a.id or 0),
            "name": "x" * 101,
        }
    }

    data = await client.execute(CREATE, variables, world.member.token)

    assert data["calendarFeedCreate"]["__typename"] == "InputError"
    assert (await session.exec(select(CalendarFeed))).all() == []


async def test_the_feed_costs_a_constant_number_of_statements(
    client: GraphQLClient, session: AsyncSession, statements: StatementCounter
) -> None:
    world = await build_world(session)
    path = urlsplit((await create_feed(client, world))["url"]).path

    async def cost() -> int:
        before = statements.total
        assert (await client.http.get(path)).status_code == 200
        return statements.total - before

    few = await cost()
    b = await make_organization(session)
    listing = await make_listing(session, world.a)
    for day in range(10, 28):
        period = {"starts_at": at(f"2026-05-{day}T08:00"), "ends_at": at(f"2026-05-{day}T18:00")}
        await make_exchange(session, listing, b, ExchangeState.ACCEPTED, **period)
    await session.commit()

    assert await cost() == few


@pytest.mark.parametrize(
    "text",
    [
        "é" * 100,
        "x" + "€" * 60,
        "🌱 " * 40,
        "a\\b;c,d\ne" * 20,
        "x" * 74 + "\\,",
    ],
)
def test_folding_keeps_lines_short_and_characters_whole(text: str) -> None:
    line = f"SUMMARY:{ics.escape_text(text)}"

    folded = ics.fold(line)

    physical = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert all(not part.endswith("\\") or part.endswith("\\\\") for part in physical[:-1])
    assert "".join([physical[0], *(part[1:] for part in physical[1:])]) == line
    assert unescape(line.removeprefix("SUMMARY:")) == text


def test_text_escapes_and_drops_control_characters() -> None:
    assert ics.escape_text("a\\b;c,d\r\ne\rf\x00g\th") == "a\\\\b\\;c\\,d\\ne\\nfg\th"
