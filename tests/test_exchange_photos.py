"""An exchange's condition photos through the API: either party adds them at handover once it is
accepted, at return once it is under way; every refusal typed, naming its field, with neither a
row nor a file left behind; a third party does not know the exchange exists."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from core.db import Database, StatementCounter
from core.media.storage import LocalMediaStorage
from core.models import Exchange, ExchangeState, Photo, Role
from core.settings import Settings
from schema.relay import to_global_id
from tests.factories import Member, make_exchange, make_listing, make_member, make_organization
from tests.graphql import GraphQLClient
from tests.images import SVG, jpeg_with_gps, post_upload, read_image, small_jpeg

RESULT = """
    __typename
    ... on ExchangePhotoSuccess {
      photo { id alt stage position width url }
      exchange { photos { alt stage position } }
    }
    ... on Error { code message }
    ... on InputError { fields { field code value } }
"""
ADD = f"""
mutation Add($exchangeId: ID!, $stage: PhotoStage!, $file: Upload!, $alt: String!) {{
  exchangePhotoAdd(exchangeId: $exchangeId, stage: $stage, file: $file, alt: $alt) {{ {RESULT} }}
}}"""
UPDATE = f"mutation($id: ID!, $alt: String!) {{ exchangePhotoUpdate(id: $id, alt: $alt) {{ {RESULT} }} }}"
DELETE = f"mutation($id: ID!) {{ exchangePhotoDelete(id: $id) {{ {RESULT} }} }}"
PHOTOS = """query($stage: PhotoStage) { exchanges { edges { node {
  photos(stage: $stage) { alt stage position mine } } } } }"""


@pytest.fixture
def media(tmp_path: Path) -> LocalMediaStorage:
    return LocalMediaStorage(tmp_path / "media")


@pytest.fixture
async def http(
    settings: Settings, database: Database, media: LocalMediaStorage
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database, media=media)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@dataclass(frozen=True)
class Parties:
    exchange: Exchange
    owner: Member
    requester: Member
    stranger: Member


async def parties(session: AsyncSession, state: ExchangeState) -> Parties:
    """A loan of the owner's listing to the requester, in `state`; and a third organization."""
    owner_organization = await make_organization(session, "Fablab des Vosges")
    requester_organization = await make_organization(session, "Atelier partagé")
    listing = await make_listing(session, owner_organization)
    exchange = await make_exchange(session, listing, requester_organization, state)
    found = Parties(
        exchange,
        await make_member(session, owner_organization, Role.MEMBER),
        await make_member(session, requester_organization, Role.MEMBER),
        await make_member(session, await make_organization(session, "Tiers-lieu voisin")),
    )
    await session.commit()
    return found


def stored_files(media: LocalMediaStorage) -> list[Path]:
    return sorted(p for p in media.root.rglob("*") if p.is_file()) if media.root.exists() else []


async def photo_rows(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Photo))).one())


async def add(
    http: httpx.AsyncClient,
    member: Member,
    exchange: Exchange,
    stage: str,
    data: bytes | None = None,
    alt: str = "La découpeuse laser, capot rayé à gauche",
    name: str = "etat.jpg",
    content_type: str = "image/jpeg",
) -> dict[str, Any]:
    variables = {
        "exchangeId": to_global_id("Exchange", exchange.id or 0),
        "stage": stage,
        "alt": alt,
    }
    file = (name, small_jpeg() if data is None else data, content_type)
    response = await post_upload(http, ADD, variables, file, member.token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["exchangePhotoAdd"]  # type: ignore[no-any-return]


async def test_the_owner_photographs_the_handover_once_accepted_and_the_requester_sees_it(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    world = await parties(session, ExchangeState.ACCEPTED)

    result = await add(
        http, world.owner, world.exchange, "HANDOVER", jpeg_with_gps(900, 600, orientation=1)
    )

    assert result["__typename"] == "ExchangePhotoSuccess", result
    photo = result["photo"]
    assert (photo["stage"], photo["position"], photo["width"]) == ("HANDOVER", 0, 900)
    served = await http.get(photo["url"])
    assert served.status_code == 200
    assert read_image(served.content).format == "WEBP"
    assert b"GPS" not in served.content
    seen = await GraphQLClient(http).execute(PHOTOS, {}, world.requester.token)
    [edge] = seen["exchanges"]["edges"]
    assert edge["node"]["photos"] == [
        {
            "alt": "La découpeuse laser, capot rayé à gauche",
            "stage": "HANDOVER",
            "position": 0,
            "mine": False,  # the owner's: the requester may not change it
        }
    ]
    assert len(stored_files(media)) == 3  # 900 px wide: 320, 640 and 900


async def test_both_sides_photograph_the_return_once_under_way_each_stage_in_order(
    http: httpx.AsyncClient, client: GraphQLClient, session: AsyncSession
) -> None:
    world = await parties(session, ExchangeState.IN_PROGRESS)

    await add(http, world.owner, world.exchange, "HANDOVER", small_jpeg(1), alt="Remise 1")
    await add(http, world.requester, world.exchange, "RETURN", small_jpeg(2), alt="Retour 1")
    await add(http, world.owner, world.exchange, "RETURN", small_jpeg(3), alt="Retour 2")
    last = await add(
        http, world.requester, world.exchange, "HANDOVER", small_jpeg(4), alt="Remise 2"
    )

    assert [(p["alt"], p["stage"], p["position"]) for p in last["exchange"]["photos"]] == [
        ("Remise 1", "HANDOVER", 0),
        ("Remise 2", "HANDOVER", 1),
        ("Retour 1", "RETURN", 0),
        ("Retour 2", "RETURN", 1),
    ]
    returned = await client.execute(PHOTOS, {"stage": "RETURN"}, world.owner.token)
    [edge] = returned["exchanges"]["edges"]
    assert [(p["alt"], p["mine"]) for p in edge["node"]["photos"]] == [
        ("Retour 1", False),
        ("Retour 2", True),
    ]


@pytest.mark.parametrize(
    ("state", "stage"),
    [
        (ExchangeState.REQUESTED, "HANDOVER"),
        (ExchangeState.DECLINED, "HANDOVER"),
        (ExchangeState.CANCELLED, "HANDOVER"),
        (ExchangeState.ACCEPTED, "RETURN"),  # not handed over yet
        (ExchangeState.CANCELLED, "RETURN"),
    ],
)
async def test_a_stage_not_open_in_the_exchanges_state_is_refused_and_leaves_nothing(
    http: httpx.AsyncClient,
    session: AsyncSession,
    media: LocalMediaStorage,
    state: ExchangeState,
    stage: str,
) -> None:
    world = await parties(session, state)

    result = await add(http, world.owner, world.exchange, stage)

    assert result["__typename"] == "ConflictError", result
    assert (result["code"], result["message"].split(":")[0]) == (
        "STAGE_NOT_OPEN",
        f"This exchange is {state.value}",
    )
    assert await photo_rows(session) == 0
    assert stored_files(media) == []


async def test_a_third_party_does_not_know_the_exchange_nor_its_photos(
    http: httpx.AsyncClient, client: GraphQLClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    world = await parties(session, ExchangeState.ACCEPTED)
    mine = (await add(http, world.owner, world.exchange, "HANDOVER"))["photo"]

    added = await add(http, world.stranger, world.exchange, "HANDOVER", small_jpeg(5))
    described = await client.execute(UPDATE, {"id": mine["id"], "alt": "x"}, world.stranger.token)
    deleted = await client.execute(DELETE, {"id": mine["id"]}, world.stranger.token)
    listed = await client.execute(PHOTOS, {}, world.stranger.token)

    assert (added["__typename"], added["code"]) == ("NotFoundError", "EXCHANGE_NOT_FOUND")
    for result in (described["exchangePhotoUpdate"], deleted["exchangePhotoDelete"]):
        assert (result["__typename"], result["code"]) == ("NotFoundError", "PHOTO_NOT_FOUND")
    assert listed["exchanges"]["edges"] == []
    assert await photo_rows(session) == 1
    assert len(stored_files(media)) == 1


async def test_a_stage_has_at_most_eight_photos(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    world = await parties(session, ExchangeState.IN_PROGRESS)
    for seed in range(8):
        result = await add(http, world.owner, world.exchange, "HANDOVER", small_jpeg(seed))
        assert result["__typename"] == "ExchangePhotoSuccess", result

    ninth = await add(http, world.requester, world.exchange, "HANDOVER", small_jpeg(9))
    other_stage = await add(http, world.requester, world.exchange, "RETURN", small_jpeg(9))

    assert [(f["field"], f["code"], f["value"]) for f in ninth["fields"]] == [
        ("stage", "TOO_MANY_STAGE_PHOTOS", "8")
    ]
    assert other_stage["__typename"] == "ExchangePhotoSuccess"
    assert await photo_rows(session) == 9
    assert len(stored_files(media)) == 9


@pytest.mark.parametrize(
    ("data", "name", "content_type", "code"),
    [
        pytest.param(b"", "vide.jpg", "image/jpeg", "PHOTO_EMPTY", id="empty"),
        pytest.param(SVG, "plan.svg", "image/svg+xml", "PHOTO_FORMAT_REFUSED", id="svg"),
        pytest.param(b"%PDF-1.7\n" + b"0" * 500, "pv.jpg", "image/jpeg", "PHOTO_FORMAT_REFUSED"),
        pytest.param(small_jpeg()[:200], "coupee.jpg", "image/jpeg", "PHOTO_DAMAGED", id="cut"),
    ],
)
async def test_a_file_that_is_not_an_image_is_refused_on_the_file_field(
    http: httpx.AsyncClient,
    session: AsyncSession,
    media: LocalMediaStorage,
    data: bytes,
    name: str,
    content_type: str,
    code: str,
) -> None:
    world = await parties(session, ExchangeState.ACCEPTED)

    result = await add(
        http,
        world.requester,
        world.exchange,
        "HANDOVER",
        data,
        name=name,
        content_type=content_type,
    )

    assert result["__typename"] == "InputError", result
    assert [(f["field"], f["code"]) for f in result["fields"]] == [("file", code)]
    assert await photo_rows(session) == 0
    assert stored_files(media) == []


async def test_a_photo_needs_its_alt_text(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    world = await parties(session, ExchangeState.ACCEPTED)

    blank = await add(http, world.owner, world.exchange, "HANDOVER", alt=" \t ")
    long = await add(http, world.owner, world.exchange, "HANDOVER", alt="x" * 301)

    assert [(f["field"], f["code"]) for f in blank["fields"]] == [("alt", "ALT_REQUIRED")]
    assert [(f["field"], f["code"], f["value"]) for f in long["fields"]] == [
        ("alt", "TOO_LONG", "300")
    ]
    assert await photo_rows(session) == 0
    assert stored_files(media) == []


async def test_only_its_author_describes_or_deletes_a_photo_and_its_files_go(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    world = await parties(session, ExchangeState.IN_PROGRESS)
    first = await add(http, world.owner, world.exchange, "RETURN", small_jpeg(1), alt="A")
    second = await add(http, world.owner, world.exchange, "RETURN", small_jpeg(2), alt="B")
    first_id, second_id = first["photo"]["id"], second["photo"]["id"]
    client = GraphQLClient(http)  # the app that writes to `media`

    by_other_side = await client.execute(DELETE, {"id": first_id}, world.requester.token)
    described = await client.execute(
        UPDATE, {"id": second_id, "alt": "  Pied   tordu  "}, world.owner.token
    )
    blank = await client.execute(UPDATE, {"id": second_id, "alt": ""}, world.owner.token)
    deleted = await client.execute(DELETE, {"id": first_id}, world.owner.token)

    refusal = by_other_side["exchangePhotoDelete"]
    assert (refusal["__typename"], refusal["code"]) == ("NotAllowedError", "NOT_THE_PHOTOS_AUTHOR")
    assert described["exchangePhotoUpdate"]["photo"]["alt"] == "Pied tordu"
    assert [(f["field"], f["code"]) for f in blank["exchangePhotoUpdate"]["fields"]] == [
        ("alt", "ALT_REQUIRED")
    ]
    result = deleted["exchangePhotoDelete"]
    assert result["photo"] is None
    assert result["exchange"]["photos"] == [{"alt": "Pied tordu", "stage": "RETURN", "position": 0}]
    assert await photo_rows(session) == 1
    assert len(stored_files(media)) == 1


async def test_a_closed_exchange_keeps_its_photos_as_they_are(
    http: httpx.AsyncClient, client: GraphQLClient, session: AsyncSession
) -> None:
    world = await parties(session, ExchangeState.ACCEPTED)
    photo = (await add(http, world.owner, world.exchange, "HANDOVER"))["photo"]
    world.exchange.state = ExchangeState.CANCELLED
    session.add(world.exchange)
    await session.commit()

    deleted = await client.execute(DELETE, {"id": photo["id"]}, world.owner.token)

    result = deleted["exchangePhotoDelete"]
    assert (result["__typename"], result["code"]) == ("ConflictError", "STAGE_NOT_OPEN")
    assert await photo_rows(session) == 1


async def test_a_listing_photo_is_not_an_exchange_photo(
    http: httpx.AsyncClient, client: GraphQLClient, session: AsyncSession
) -> None:
    world = await parties(session, ExchangeState.ACCEPTED)
    listing_photo = Photo(
        alt="Vue",
        key=f"photos/{7:032x}",
        width=320,
        height=240,
        widths=[320],
        source_format="JPEG",
        listing_id=world.exchange.listing_id,
        created_by_id=world.owner.person.id,
    )
    session.add(listing_photo)
    await session.commit()

    result = await client.execute(
        DELETE, {"id": to_global_id("Photo", listing_photo.id or 0)}, world.owner.token
    )

    assert result["exchangePhotoDelete"]["code"] == "PHOTO_NOT_FOUND"


async def test_the_photos_of_many_exchanges_load_in_one_query(
    http: httpx.AsyncClient, session: AsyncSession, statements: StatementCounter
) -> None:
    owner_organization = await make_organization(session)
    requester_organization = await make_organization(session)
    listing = await make_listing(session, owner_organization)
    exchanges = [
        await make_exchange(session, listing, requester_organization, ExchangeState.IN_PROGRESS)
        for _ in range(4)
    ]
    owner = await make_member(session, owner_organization)
    await session.commit()
    for exchange in exchanges:
        for stage in ("HANDOVER", "RETURN"):
            await add(http, owner, exchange, stage)
    graph = GraphQLClient(http)

    await graph.execute(PHOTOS, {}, owner.token)  # warm: caches, sign-in tables
    before = statements.total
    data = await graph.execute(PHOTOS, {}, owner.token)

    assert [len(e["node"]["photos"]) for e in data["exchanges"]["edges"]] == [2] * 4
    # the page, its listings' visibility (none read here), the photos: no query per exchange
    assert statements.total - before <= 4
