"""Trusted documents: the web app's operations by id, and TRUSTED_DOCUMENTS=browsers."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from graphql import parse, validate
from sqlmodel.ext.asyncio.session import AsyncSession
from websockets.asyncio.client import connect

from api.app import create_app
from core.db import Database
from core.loopback import free_port
from core.settings import Settings
from schema.build import build_schema
from schema.trusted_documents import TrustedDocuments, variables_shape
from tests.factories import make_organization, make_token
from tests.test_query_cost import web_app_documents
from tests.test_subscriptions import PROTOCOL, SUBSCRIBE, own_settings

__all__ = ["own_settings"]  # the served app's own database (tests/test_subscriptions.py)

PAGE = "query Page($first: Int) { listings(first: $first) { edges { node { id title } } } }"
TWO = "query A { __typename } query B { categories { code } }"
Client = Callable[..., Any]


def id_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "trusted-documents.json"
    path.write_text(json.dumps({id_of(PAGE): PAGE, id_of(TWO): TWO}))
    return path


@pytest.fixture
def serve(
    settings: Settings, database: Database, manifest: Path
) -> Callable[..., AsyncIterator[httpx.AsyncClient]]:
    async def serving(**changes: Any) -> AsyncIterator[httpx.AsyncClient]:
        changes.setdefault("trusted_documents_file", manifest)
        app = create_app(settings.model_copy(update=changes), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http

    return serving


@pytest.fixture
async def http(serve: Callable[..., AsyncIterator[httpx.AsyncClient]]) -> AsyncIterator[Any]:
    async for client in serve(environment="development"):
        yield client


async def test_a_document_by_id_answers_as_its_text_and_pays_its_cost(http: Any) -> None:
    by_text = await http.post("/graphql", json={"query": PAGE, "variables": {"first": 5}})
    by_id = await http.post("/graphql", json={"documentId": id_of(PAGE), "variables": {"first": 5}})
    again = await http.post(
        "/graphql", json={"documentId": id_of(PAGE), "variables": {"first": 20}}
    )

    assert by_id.status_code == 200
    assert by_id.json()["data"] == by_text.json()["data"]
    assert by_id.json()["extensions"]["cost"] == by_text.json()["extensions"]["cost"]
    assert by_id.json()["extensions"]["cost"]["requested"] == 2 + 5 * 3
    assert again.json()["extensions"]["cost"]["requested"] == 2 + 20 * 3  # measured per shape


async def test_a_page_over_the_limit_is_refused_by_id_too(http: Any) -> None:
    response = await http.post(
        "/graphql", json={"documentId": id_of(PAGE), "variables": {"first": 500}}
    )

    errors = response.json()["errors"]
    assert errors
    assert "first" in json.dumps(errors)


async def test_the_operation_name_picks_the_operation(http: Any) -> None:
    a = await http.post("/graphql", json={"documentId": id_of(TWO), "operationName": "A"})
    b = await http.post("/graphql", json={"documentId": id_of(TWO), "operationName": "B"})
    none = await http.post("/graphql", json={"documentId": id_of(TWO)})
    none_by_text = await http.post("/graphql", json={"query": TWO})

    assert a.json()["data"] == {"__typename": "Query"}
    assert "categories" in b.json()["data"]
    assert none.json() == none_by_text.json()  # as Strawberry answers the text


async def test_an_unknown_id_is_a_400_naming_document_id(http: Any) -> None:
    response = await http.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
    both = await http.post("/graphql", json={"documentId": id_of(PAGE), "query": PAGE})
    not_text = await http.post("/graphql", json={"documentId": 12})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "PERSISTED_DOCUMENT_NOT_FOUND", "field": "documentId"}
    assert "documentId" in error["message"]
    assert both.status_code == not_text.status_code == 400


async def test_no_manifest_leaves_the_api_as_it_was(
    serve: Callable[..., AsyncIterator[httpx.AsyncClient]], tmp_path: Path
) -> None:
    async for http in serve(trusted_documents_file=tmp_path / "missing.json"):
        text = await http.post("/graphql", json={"query": "{ __typename }"})
        by_id = await http.post("/graphql", json={"documentId": id_of(PAGE)})

        assert text.json() == {"data": {"__typename": "Query"}}
        assert by_id.status_code == 400


def test_a_manifest_entry_whose_id_is_not_its_hash_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({id_of(PAGE): PAGE, id_of("x"): "{ __typename }"}))
    (tmp_path / "bad.json").write_text("[1, 2")

    assert list(TrustedDocuments.load(path).by_id) == [id_of(PAGE)]
    assert len(TrustedDocuments.load(tmp_path / "bad.json")) == 0


def test_the_shape_keeps_what_the_cost_reads() -> None:
    assert variables_shape({"first": 5}) != variables_shape({"first": 6})
    assert variables_shape({"first": None}) != variables_shape({})
    assert variables_shape({"filter": {"text": "a", "kind": None}}) == variables_shape(
        {"filter": {"text": "b"}}
    )
    assert variables_shape({"input": {"first": 5}}) != variables_shape({"input": {"first": 7}})


BROWSER_HEADERS: list[dict[str, str]] = [
    {"origin": "http://testserver"},
    {"sec-fetch-mode": "cors"},
    {"cookie": "elx_session=whatever"},
]


@pytest.mark.parametrize("headers", BROWSER_HEADERS)
async def test_browsers_run_only_trusted_documents(
    serve: Callable[..., AsyncIterator[httpx.AsyncClient]], headers: dict[str, str]
) -> None:
    async for http in serve(trusted_documents="browsers"):
        text = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        by_id = await http.post(
            "/graphql", json={"documentId": id_of(PAGE), "variables": {"first": 1}}, headers=headers
        )
        same_text = await http.post("/graphql", json={"query": PAGE}, headers=headers)

        assert text.status_code == 400
        assert text.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        assert by_id.status_code == 200
        assert "errors" not in by_id.json()
        assert same_text.status_code == 200


async def test_bearer_tokens_and_plain_clients_keep_the_whole_api(
    serve: Callable[..., AsyncIterator[httpx.AsyncClient]], session: AsyncSession
) -> None:
    token = await make_token(session, await make_organization(session))
    async for http in serve(trusted_documents="browsers"):
        bearer = {"authorization": f"Bearer {token}", "origin": "http://testserver"}
        from_page = await http.post("/graphql", json={"query": "{ __typename }"}, headers=bearer)
        plain = await http.post("/graphql", json={"query": "{ __typename }"})

        assert from_page.json() == {"data": {"__typename": "Query"}}
        assert plain.json() == {"data": {"__typename": "Query"}}


BUILT = Path(__file__).resolve().parent.parent / "frontend" / "dist" / "trusted-documents.json"


def test_the_built_web_app_trusts_each_of_its_operations_and_each_validates() -> None:
    """`make frontend` (which `make test` runs first) writes one id per operation of src/."""
    assert BUILT.is_file(), "build the web app: make frontend"
    trusted = TrustedDocuments.load(BUILT)
    schema = build_schema(Settings())._schema
    names = {
        text.split("(")[0].split("{")[0].split()[1] for text in trusted.by_text
    }  # "query Name(...", "mutation Name {"

    assert names == set(web_app_documents())
    for entry in trusted.by_id.values():
        assert validate(schema, parse(entry.text)) == [], entry.text[:80]


@pytest.fixture
async def locked_socket(own_settings: Settings, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """The app served by uvicorn under TRUSTED_DOCUMENTS=browsers, trusting SUBSCRIBE only."""
    manifest = tmp_path / "trusted-documents.json"
    manifest.write_text(json.dumps({id_of(SUBSCRIBE): SUBSCRIBE}))
    port = free_port()
    changes = {"trusted_documents": "browsers", "trusted_documents_file": manifest, "port": port}
    app = create_app(own_settings.model_copy(update=changes))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started or serving.done():
            break
        await asyncio.sleep(0.02)
    yield f"ws://127.0.0.1:{port}/graphql", own_settings.public_url or ""
    server.should_exit = True
    await serving


async def _first_answer(url: str, payload: dict[str, Any], origin: str | None) -> dict[str, Any]:
    headers = {"Origin": origin} if origin else {}
    async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        await asyncio.wait_for(ws.recv(), 5)  # connection_ack
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    errors = answer["payload"] if answer["type"] == "error" else answer["payload"]["errors"]
    return dict(errors[0]["extensions"])


async def test_a_browsers_socket_subscribes_only_by_a_trusted_document(
    locked_socket: tuple[str, str],
) -> None:
    url, page = locked_socket
    other = "subscription { notifications { id } }"

    refused = await _first_answer(url, {"query": other}, origin=page)
    by_id = await _first_answer(
        url, {"query": SUBSCRIBE, "documentId": id_of(SUBSCRIBE)}, origin=page
    )
    unknown = await _first_answer(
        url, {"query": SUBSCRIBE, "documentId": id_of(other)}, origin=page
    )
    not_a_browser = await _first_answer(url, {"query": other}, origin=None)

    assert refused["code"] == "PERSISTED_DOCUMENT_REQUIRED"
    assert by_id["code"] == "UNAUTHENTICATED"  # it ran: anonymous, as without the setting
    assert unknown["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert not_a_browser["code"] == "UNAUTHENTICATED"
