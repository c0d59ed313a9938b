"""Trusted documents: the web app's operations by id, and TRUSTED_DOCUMENTS=browsers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from core.db import Database
from core.settings import Settings
from schema.trusted_documents import TrustedDocuments, variables_shape
from tests.factories import make_organization, make_token

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
