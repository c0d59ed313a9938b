"""`Subscription.notifications` over a real WebSocket to the app served by uvicorn.

The app runs on a database of its own (the rolled-back `database` fixture is one connection, and
the subscription must see commits made elsewhere, as with several app processes).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from api.app import create_app
from api.setup import migrate
from core.db import Database
from core.global_ids import global_id
from core.loopback import free_port
from core.models import Notification, NotificationKind, Person
from core.services.notification_feed import NotificationFeed
from core.services.principal import Principal
from core.services.web_sessions import open_session
from core.settings import Settings
from tests.factories import Member, make_member, make_organization

SUBSCRIBE = "subscription { notifications { id kind title body read } }"
PROTOCOL = "graphql-transport-ws"


@dataclass
class Live:
    url: str
    origin: str
    database: Database
    """The test's own connection pool to the app's database, for what "another process" writes."""


@pytest.fixture(scope="module")
async def own_settings(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    port = free_port()
    common = {
        "search_enabled": False,
        "run_relay": False,
        "public_url": f"http://127.0.0.1:{port}",
        "port": port,
    }
    if not settings.database_url.startswith("postgresql"):
        path = Path(tmp_path_factory.mktemp("subscriptions")) / "live.sqlite3"
        own = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{path}", **common})
        await migrate(own)
        yield own
        return
    url = make_url(settings.database_url)
    name = f"{url.database}_subscriptions"
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    own_url = url.set(database=name).render_as_string(False)
    own = settings.model_copy(update={"database_url": own_url, **common})
    await migrate(own)
    yield own
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="module")
async def live(own_settings: Settings) -> AsyncIterator[Live]:
    app = create_app(own_settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=own_settings.port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started or serving.done():
            break
        await asyncio.sleep(0.02)
    assert server.started, "uvicorn did not start"
    database = Database.from_settings(own_settings)
    yield Live(
        f"ws://127.0.0.1:{own_settings.port}/graphql", own_settings.public_url or "", database
    )
    server.should_exit = True
    await serving
    await database.dispose()


async def new_member(live: Live) -> Member:
    async with live.database.session() as session:
        member = await make_member(session, await make_organization(session))
        await session.commit()
    return member


async def notify(live: Live, person: Person, title: str) -> int:
    assert person.id is not None
    async with live.database.session() as session:
        notification = Notification(
            person_id=person.id,
            kind=NotificationKind.EXCHANGE_MESSAGE,
            title=title,
            body="Nouveau message dans l'échange.",
        )
        session.add(notification)
        await session.commit()
        assert notification.id is not None
        return notification.id


async def start(ws: ClientConnection, payload: dict[str, Any] | None = None) -> None:
    """connection_init, then subscribe; returns once the server has had time to start it."""
    await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    await asyncio.sleep(0.5)  # only notifications created after it started are streamed


async def next_message(ws: ClientConnection, within: float = 2.5) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), within)))


def bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.token}"}


async def test_a_committed_notification_reaches_its_person_and_nobody_else(live: Live) -> None:
    viewer, other = await new_member(live), await new_member(live)
    async with connect(live.url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await start(ws, bearer(viewer))
        await notify(live, other.person, "Pour quelqu'un d'autre")
        mine = await notify(live, viewer.person, "Demande de prêt reçue")

        message = await next_message(ws)

        assert message["type"] == "next", message
        received = message["payload"]["data"]["notifications"]
        assert received["title"] == "Demande de prêt reçue"
        assert received["kind"] == "EXCHANGE_MESSAGE"
        assert received["read"] is False
        assert received["id"] == global_id("Notification", mine)
        with pytest.raises(TimeoutError):
            await next_message(ws, within=1.5)  # the other person's never comes


async def test_without_credentials_the_subscription_is_an_unauthenticated_error(
    live: Live,
) -> None:
    async with connect(live.url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await start(ws)
        message = await next_message(ws)
    assert message["type"] in {"error", "next"}, message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_bad_bearer_in_connection_init_is_refused(live: Live) -> None:
    async with connect(live.url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer elx_nope"}})
        )
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def session_cookie(live: Live, member: Member) -> str:
    assert member.person.id is not None
    async with live.database.session() as session:
        secret = await open_session(
            session, member.person.id, "dev", "id-token", timedelta(hours=1)
        )
        await session.commit()
    return f"elx_session={secret}"


async def test_the_session_cookie_works_from_our_own_origin(live: Live) -> None:
    viewer = await new_member(live)
    cookie = {"Cookie": await session_cookie(live, viewer)}
    async with connect(
        live.url,
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        origin=live.origin,  # type: ignore[arg-type]
        additional_headers=cookie,
    ) as ws:
        await start(ws)
        await notify(live, viewer.person, "Échange accepté")
        message = await next_message(ws)
    assert message["payload"]["data"]["notifications"]["title"] == "Échange accepté"


async def test_a_cross_origin_socket_with_the_session_cookie_is_refused(live: Live) -> None:
    viewer = await new_member(live)
    cookie = {"Cookie": await session_cookie(live, viewer)}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            live.url,
            subprotocols=[PROTOCOL],  # type: ignore[list-item]
            origin="https://attaquant.example",  # type: ignore[arg-type]
            additional_headers=cookie,
        ):
            pass
    assert refused.value.response.status_code == 403


DEEP = "[" * 50_000 + "]" * 50_000


async def test_a_message_nested_50000_deep_closes_the_socket_as_not_json(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    """Read with the body's nesting limit (api/json_body.py): no RecursionError, no traceback."""
    async with connect(live.url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send('{"id": "1", "type": "subscribe", "payload": ' + DEEP + "}")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_body_nested_50000_deep_is_a_json_400_from_the_running_app(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    """Over uvicorn, as the issue found it: a plain-text 500 or a reset connection before."""
    url = live.url.replace("ws://", "http://")
    async with httpx.AsyncClient() as http:
        response = await http.post(
            url, content=DEEP, headers={"content-type": "application/json"}, timeout=10
        )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_the_feed_catches_a_notification_committed_after_a_higher_id(
    database: Database,
) -> None:
    """On PostgreSQL two transactions may commit out of id order: the slower one still arrives."""
    async with database.session() as session:
        member = await make_member(session, await make_organization(session))
        person_id = member.person.id
        assert person_id is not None
        feed = NotificationFeed(Principal(person_id=person_id))
        await feed.start(session)

        def row(offset: int) -> Notification:
            return Notification(
                id=feed.floor + offset,
                person_id=person_id,
                kind=NotificationKind.EXCHANGE_MESSAGE,
                title=f"n{offset}",
            )

        session.add(row(5))
        await session.commit()
        first = [n.title for n in await feed.fetch(session)]
        session.add(row(2))  # allocated before the first, committed after it
        await session.commit()
        second = [n.title for n in await feed.fetch(session)]
        third = await feed.fetch(session)

    assert (first, second, third) == (["n5"], ["n2"], [])
