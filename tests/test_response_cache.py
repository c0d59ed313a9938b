"""The response cache is never stale: the very next anonymous read after a committed write sees it.

The app runs under uvicorn on a database of its own (real commits, a real pool); then two real
`serve` processes on one database, and the command line writing beside them. Each test first
proves the read it repeats was answered from the cache, so a cache that did not invalidate (or
did not cache at all) fails it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from api.metrics import REGISTRY
from core.data_version import read_version, writes_data
from core.models import Listing, Role
from core.settings import Settings
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization
from tests.serve_process import environment_for, own_database_url, prepare, run_cli, start
from tests.served_app import Served, own_database, served

TITLES = "query Titles { listings(first: 50) { edges { node { id title } } } }"
UPDATE = """
mutation($id: ID!, $title: String!) {
  listingUpdate(id: $id, input: { title: $title }) { __typename }
}
"""


def hits(outcome: str = "hit") -> float:
    found = REGISTRY.get_sample_value("entrelieux_response_cache_total", {"outcome": outcome})
    return found or 0.0


@pytest.fixture(scope="module")
async def app(settings: Settings, tmp_folder: Path) -> AsyncIterator[Served]:
    changes = {
        "response_cache_enabled": True,
        "rate_limits_enabled": True,
        "rate_limit_graphql_request_points": 1,  # a request pays its document's cost alone
    }
    own_settings = own_database(settings, tmp_folder, "response_cache", **changes)
    async with own_settings as own, served(own) as running:
        yield running


@pytest.fixture
async def http(app: Served) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=app.base_url, timeout=30) as client:
        yield client


async def a_listing(app: Served, title: str) -> tuple[int, str]:
    """A published public listing, committed; its id and an editor's token."""
    async with app.database.session() as session:
        lab = await make_organization(session, "Fablab de Guéret")
        editor = await make_member(session, lab, Role.ADMIN)
        listing = await make_listing(session, lab, title=title)
        await session.commit()
        assert listing.id is not None
        return listing.id, editor.token


async def titles(http: httpx.AsyncClient, **headers: str) -> list[str]:
    answer = await http.post("/graphql", json={"query": TITLES}, headers=headers)
    assert answer.status_code == 200, answer.text
    return [edge["node"]["title"] for edge in answer.json()["data"]["listings"]["edges"]]


async def read_twice(http: httpx.AsyncClient) -> list[str]:
    """The titles, read twice: the second answer must come from the cache."""
    first = await titles(http)
    before = hits()
    assert await titles(http) == first
    assert hits() == before + 1, "the repeated read was not answered from the cache"
    return first


async def test_a_title_changed_through_the_api_is_in_the_very_next_read(
    app: Served, http: httpx.AsyncClient
) -> None:
    listing_id, token = await a_listing(app, "Découpeuse laser Epilog")
    assert "Découpeuse laser Epilog" in await read_twice(http)

    changed = await http.post(
        "/graphql",
        json={
            "query": UPDATE,
            "variables": {
                "id": to_global_id("Listing", listing_id),
                "title": "Découpeuse laser Trotec",
            },
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.json()["data"]["listingUpdate"]["__typename"] == "ListingSuccess"

    after = await titles(http)
    assert "Découpeuse laser Trotec" in after
    assert "Découpeuse laser Epilog" not in after


async def test_a_core_statement_outside_the_orm_is_in_the_very_next_read(
    app: Served, http: httpx.AsyncClient
) -> None:
    listing_id, _ = await a_listing(app, "Imprimante 3D Prusa")
    assert "Imprimante 3D Prusa" in await read_twice(http)

    async with app.database.engine.begin() as connection:  # no session, no flush
        await connection.execute(
            update(Listing).where(col(Listing.id) == listing_id).values(title="Imprimante 3D Bambu")
        )

    assert "Imprimante 3D Bambu" in await titles(http)


async def test_a_rolled_back_write_leaves_the_version_and_the_cache_alone(
    app: Served, http: httpx.AsyncClient
) -> None:
    listing_id, _ = await a_listing(app, "Scie à ruban")
    await read_twice(http)
    version = await read_version(app.database.engine)
    async with app.database.engine.connect() as connection:
        await connection.execute(
            update(Listing).where(col(Listing.id) == listing_id).values(title="Scie sauteuse")
        )
        await connection.rollback()
    assert await read_version(app.database.engine) == version
    before = hits()
    assert "Scie à ruban" in await titles(http)
    assert hits() == before + 1


async def test_a_hit_still_charges_its_cost_and_carries_every_header(
    app: Served, http: httpx.AsyncClient
) -> None:
    await a_listing(app, "Fraiseuse numérique")
    query = {"query": TITLES.replace("Titles", "Charged")}
    first = await http.post("/graphql", json=query)
    before = hits()
    second = await http.post("/graphql", json=query, headers={"X-Request-Id": "cache-hit-1"})
    third = await http.post("/graphql", json=query)
    assert hits() == before + 2
    assert second.content == first.content == third.content
    assert second.headers["x-request-id"] == "cache-hit-1"
    assert second.headers["x-content-type-options"] == "nosniff"
    remaining = [int(r.headers["ratelimit-remaining"]) for r in (first, second, third)]
    # Each hit pays what the page cost when it was computed (50 listings), not the floor of 1.
    assert remaining[0] - remaining[1] == remaining[1] - remaining[2] > 10


async def test_what_is_never_cached(app: Served, http: httpx.AsyncClient) -> None:
    _, token = await a_listing(app, "Tour à bois")
    before = hits()
    signed_in = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        await titles(http, **signed_in)  # a viewer's answer: never shared
        errors = await http.post(
            "/graphql", json={"query": "{ listings(first: 5000) { edges { cursor } } }"}
        )
        assert "errors" in errors.json()
        status = await http.post("/graphql", json={"query": "{ searchStatus { pending } }"})
        assert status.status_code == 200
    assert hits() == before
    # A document that is never cached is known by its body: not even the version is read again.
    misses = hits("miss")
    for _ in range(3):
        await http.post("/graphql", json={"query": "{ searchStatus { lagSeconds: pending } }"})
    assert hits("miss") == misses + 1


async def test_a_browser_is_never_answered_what_another_client_was_sent(
    settings: Settings, tmp_folder: Path
) -> None:
    """Under `TRUSTED_DOCUMENTS=browsers` a browser may not run a document of its own: the
    answer a plain client had cached for that very body is not a way around it."""
    changes = {"response_cache_enabled": True, "trusted_documents": "browsers"}
    own_settings = own_database(settings, tmp_folder, "response_cache_browsers", **changes)
    async with (
        own_settings as own,
        served(own) as running,
        httpx.AsyncClient(base_url=running.base_url, timeout=30) as http,
    ):
        before = hits()
        await titles(http)  # a client that is no browser: the whole API, cached
        await titles(http)
        assert hits() == before + 1, "the plain client's read was not cached"
        browser = await http.post(
            "/graphql", json={"query": TITLES}, headers={"Origin": running.base_url}
        )
    assert browser.status_code == 400, browser.text
    assert browser.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"


def test_which_statements_advance_the_version() -> None:
    assert writes_data("INSERT INTO listing (title) VALUES ($1)")
    assert writes_data("UPDATE outbox_event SET processed_at=? WHERE outbox_event.id IN (?)")
    assert writes_data('DELETE FROM "booking" WHERE id = 1')
    assert writes_data("WITH moved AS (UPDATE space SET name = 'x' RETURNING id) SELECT 1")
    assert writes_data("ALTER TABLE listing ADD COLUMN x INT")
    assert not writes_data("SELECT * FROM listing FOR UPDATE")
    assert not writes_data("INSERT INTO rate_limit (key) VALUES (?) ON CONFLICT DO UPDATE")
    assert not writes_data("UPDATE access_token SET last_used_at = now()")
    assert not writes_data("SAVEPOINT sa_savepoint_1")


# Two real `serve` processes on one database, and the command line beside them.


def _graphql(base: str, query: str, token: str | None = None, **variables: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _served_titles(base: str) -> list[str]:
    data = _graphql(base, TITLES)["data"]
    return [edge["node"]["title"] for edge in data["listings"]["edges"]]


def _hits_of(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    found = re.search(r'^entrelieux_response_cache_total\{outcome="hit"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_a_write_through_one_process_is_in_the_next_read_through_another(
    tmp_path: Path,
) -> None:
    publish = (
        "mutation { listingPublish(input: { direction: OFFER, kind: EQUIPMENT, "
        'title: "Presse à chaud", commune: "Guéret" }) '
        "{ __typename ... on ListingSuccess { listing { id } } } }"
    )
    with own_database_url(tmp_path, "cache_two") as database_url:
        settings = {"SEARCH_ENABLED": "false", "RATE_LIMITS_ENABLED": "false"}
        first = environment_for(tmp_path, database_url, **settings)
        second = environment_for(tmp_path, database_url, **settings)
        token = prepare(first)
        a, base_a = start(first, tmp_path / "a.log")
        try:
            b, base_b = start(second, tmp_path / "b.log")
            try:
                listing = _graphql(base_a, publish, token)["data"]["listingPublish"]["listing"]
                assert _served_titles(base_b) == ["Presse à chaud"]
                hits_before = _hits_of(base_b)
                assert _served_titles(base_b) == ["Presse à chaud"]
                assert _hits_of(base_b) == hits_before + 1, "B did not cache the old answer"

                changed = _graphql(
                    base_a, UPDATE, token, id=listing["id"], title="Presse à chaud 38×38"
                )
                assert changed["data"]["listingUpdate"]["__typename"] == "ListingSuccess"
                assert _served_titles(base_b) == ["Presse à chaud 38×38"]

                # The command line, a third process, writes: both servers see it next.
                assert _served_titles(base_b) == _served_titles(base_a)
                rows = tmp_path / "listings.jsonl"
                row = {
                    "ref": "cache:1",
                    "direction": "OFFER",
                    "kind": "EQUIPMENT",
                    "title": "Thermoformeuse",
                    "organization": "Atelier partagé",
                    "commune": "23096",
                }
                rows.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
                imported = run_cli(database_url, "import", "listings", str(rows))
                assert imported.returncode == 0, imported.stderr
                assert "Thermoformeuse" in _served_titles(base_b)
                assert "Thermoformeuse" in _served_titles(base_a)
            finally:
                b.terminate()
                b.wait(timeout=20)
        finally:
            a.terminate()
            a.wait(timeout=20)
