"""Chaos, with real processes: our Meilisearch killed mid-traffic, the app killed, a stale server
left on the data folder, PostgreSQL connections terminated."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.search_runtime import SearchRuntime
from core.db import Database
from core.loopback import pid_alive
from core.settings import Settings
from search.server import MeilisearchServer, servers_on
from tests.serve_process import endpoint, environment_for, own_database_url, prepare, start

PUBLISH = (
    "mutation { listingPublish(input: { direction: OFFER, kind: EQUIPMENT, "
    'title: "TITLE", commune: "Guéret" }) { __typename } }'
)


async def _publish(http: httpx.AsyncClient, secret: str, title: str) -> str:
    answer = await http.post(
        "/graphql",
        headers={"Authorization": f"Bearer {secret}"},
        json={"query": PUBLISH.replace("TITLE", title)},
    )
    body = answer.json()
    return str(body["data"]["listingPublish"]["__typename"]) if "data" in body else str(body)


def _indexed_titles(known: dict[str, object]) -> set[str] | None:
    try:
        answer = httpx.get(
            f"{known['url']}/indexes/listings/documents",
            params={"limit": 1000, "fields": "title"},
            headers={"Authorization": f"Bearer {known['key']}"},
            timeout=5,
        )
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    return {str(document["title"]) for document in answer.json()["results"]}


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_meilisearch_killed_mid_traffic_is_restarted_and_the_index_loses_no_write(
    tmp_path: Path,
) -> None:
    with own_database_url(tmp_path, "chaos_search") as url:
        environment = environment_for(tmp_path, url, SEARCH_RESTART_SECONDS="2", LOG_LEVEL="info")
        secret = prepare(environment)
        log = tmp_path / "serve.log"
        server, base = start(environment, log)
        try:
            first = endpoint(tmp_path)
            titles = [f"Perceuse {index}" for index in range(40)]
            seen: set[str] = set()

            async def traffic() -> list[str]:
                async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                    done = [await _publish(http, secret, title) for title in titles[:10]]
                    os.kill(int(first["pid"]), signal.SIGKILL)
                    watching = asyncio.create_task(_watch_search(http, seen))
                    for start_at in range(10, 40, 5):
                        batch = titles[start_at : start_at + 5]
                        done += await asyncio.gather(*(_publish(http, secret, t) for t in batch))
                    await watching
                    return done

            # Every write succeeds while search is down: the outbox keeps it.
            assert asyncio.run(traffic()) == ["ListingSuccess"] * 40
            second = endpoint(tmp_path)
            assert second["pid"] != first["pid"], "our Meilisearch was not restarted"
            assert (second["url"], second["owner"]) == (first["url"], server.pid)
            assert pid_alive(int(second["pid"]))
            assert "restarting" in seen, seen

            deadline = time.monotonic() + 90
            while _indexed_titles(second) != set(titles):
                assert time.monotonic() < deadline, _indexed_titles(second)
                time.sleep(0.2)
            health = httpx.get(f"{base}/healthz", timeout=10).json()
            while health["relay"]["pending"]:
                assert time.monotonic() < deadline, health
                time.sleep(0.2)
                health = httpx.get(f"{base}/healthz", timeout=10).json()
            assert health["search"] == "ok"
        finally:
            server.terminate()
            server.wait(timeout=30)
    output = log.read_text()
    assert "exited with -9; restarting it" in output
    assert "Meilisearch restart 1 in 2.0 s" in output
    assert not pid_alive(int(second["pid"])), "Meilisearch outlived serve"


async def _watch_search(http: httpx.AsyncClient, seen: set[str]) -> None:
    """What /healthz says of search until ours answers again (at most 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = (await http.get("/healthz")).json()["search"]
        seen.add(state)
        if state == "ok" and "restarting" in seen:
            return
        await asyncio.sleep(0.1)


def test_a_killed_serve_leaves_no_meilisearch_and_the_next_serve_starts_its_own(
    tmp_path: Path,
) -> None:
    with own_database_url(tmp_path, "chaos_serve") as url:
        environment = environment_for(tmp_path, url, LOG_FORMAT="json", LOG_LEVEL="info")
        prepare(environment)
        log = tmp_path / "serve.log"
        server, base = start(environment, log)
        orphan = int(endpoint(tmp_path)["pid"])
        assert pid_alive(orphan)
        server.kill()  # SIGKILL: no lifespan shutdown runs
        server.wait()
        assert _wait_gone(orphan, 10), f"Meilisearch {orphan} outlived its app"

        again, base = start(environment, log)
        try:
            known = endpoint(tmp_path)
            assert known["owner"] == again.pid
            assert known["pid"] != orphan
            assert servers_on(tmp_path / "meilisearch") == [known["pid"]]
            answer = httpx.get(f"{base}/livez", headers={"X-Request-Id": "chaos-1"}, timeout=5)
            assert answer.headers["X-Request-Id"] == "chaos-1"
            assert httpx.get(f"{base}/healthz", timeout=10).json()["search"] == "ok"
        finally:
            again.terminate()
            again.wait(timeout=30)
    # JSON logs: uvicorn's own lines too, each one object with the request's id.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(line["request_id"] == "chaos-1" and "/livez" in line["message"] for line in access)
    assert {"time", "level", "logger", "message", "request_id"} <= set(lines[0])


@pytest.fixture
def stale_server(tmp_path: Path) -> Iterator[MeilisearchServer]:
    """A Meilisearch on var/meilisearch whose app is gone: started without PR_SET_PDEATHSIG (as
    an older version, or another system, left it), its endpoint naming a dead owner."""
    server = MeilisearchServer(data_dir=tmp_path / "meilisearch")
    server.start()
    gone = subprocess.Popen(["true"])  # noqa: S607
    gone.wait()
    known = {"url": server.url, "key": server.master_key, "pid": server.pid, "owner": gone.pid}
    (tmp_path / "meilisearch" / "endpoint.json").write_text(json.dumps(known))
    yield server
    server.stop()


async def test_a_stale_server_on_the_data_folder_is_stopped_and_replaced(
    settings: Settings, tmp_path: Path, stale_server: MeilisearchServer
) -> None:
    database = Database.from_settings(settings)
    own = settings.model_copy(update={"var_dir": tmp_path, "run_relay": False, "meili_url": None})
    runtime = SearchRuntime(own, database)
    await runtime.start()
    try:
        assert runtime.server is not None, "the orphan was reused as if it were ours"
        assert stale_server.process is not None
        assert stale_server.process.wait(timeout=10) is not None  # stopped
        assert endpoint(tmp_path)["pid"] == runtime.server.pid
        assert endpoint(tmp_path)["owner"] == os.getpid()
        assert await runtime.search_state() == "ok"
    finally:
        await runtime.stop()
        await database.dispose()
    assert not (tmp_path / "meilisearch" / "endpoint.json").exists()


@pytest.fixture
def live_owner() -> Iterator[subprocess.Popen[bytes]]:
    """A live process standing for the `serve` that owns the server."""
    owner = subprocess.Popen(["sleep", "120"])  # noqa: S607
    yield owner
    owner.kill()
    owner.wait()


async def test_reindex_or_a_worker_beside_a_live_serve_shares_its_server(
    settings: Settings, tmp_path: Path, live_owner: subprocess.Popen[bytes]
) -> None:
    server = MeilisearchServer(data_dir=tmp_path / "meilisearch")
    await asyncio.to_thread(server.start)
    owner = live_owner
    known = {"url": server.url, "key": server.master_key, "pid": server.pid, "owner": owner.pid}
    (tmp_path / "meilisearch" / "endpoint.json").write_text(json.dumps(known))
    database = Database.from_settings(settings)
    own = settings.model_copy(update={"var_dir": tmp_path, "run_relay": False, "meili_url": None})
    runtime = SearchRuntime(own, database)
    try:
        await runtime.start()
        assert runtime.server is None
        assert runtime.client is not None
        assert runtime.client.url == server.url
        await runtime.stop()
        assert server.exited() is None, "the sharer stopped the owner's server"
        assert endpoint(tmp_path) == known
    finally:
        server.stop()
        await database.dispose()


async def test_the_app_keeps_answering_when_postgresql_connections_are_terminated(
    settings: Settings,
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    database = Database.from_settings(settings)
    app = create_app(settings, database)
    query = {"query": "query Count { spaces(first: 1) { totalCount } }"}
    admin = create_async_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            before = await asyncio.gather(*(http.post("/graphql", json=query) for _ in range(5)))
            assert {answer.status_code for answer in before} == {200}
            async with admin.connect() as connection:
                killed = await connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                assert killed.scalar_one() >= 1
            after = [await http.post("/graphql", json=query) for _ in range(10)]
            assert [answer.status_code for answer in after] == [200] * 10
            assert all("errors" not in answer.json() for answer in after), after[0].json()
            assert (await http.get("/readyz")).status_code == 200
            assert (await http.get("/healthz")).json()["database"] == "ok"
    finally:
        await admin.dispose()
        await database.dispose()
