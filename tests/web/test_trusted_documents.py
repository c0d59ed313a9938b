"""The web app under `TRUSTED_DOCUMENTS=browsers`: it asks only by its documents' ids, search and
the places directory work, and a document of the page's own making is refused."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.web.conftest import Server, _database_url, _wait_until_ready, serving


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("trusted")
    database_url = _database_url(folder, "trusted")
    with serving(folder, database_url, TRUSTED_DOCUMENTS="browsers") as (url, process, log):
        _wait_until_ready(url, process, log)
        yield Server(url=url, log=log, database_url=database_url)


@pytest.fixture
def page(browser: Browser, locked: Server) -> Iterator[Page]:
    context = browser.new_context(base_url=locked.url, locale="fr-FR")
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_search_and_places_run_by_id_only(page: Page) -> None:
    sent: list[dict[str, object]] = []

    def record(request: Request) -> None:
        if request.url.endswith("/graphql") and request.method == "POST":
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", record)
    page.goto("/?q=imprimante")
    hits = page.get_by_role("list", name="Résultats", exact=True).get_by_role("listitem")
    expect(hits.filter(has_text=re.compile(r"Imprimantes? 3D"))).not_to_have_count(0)
    page.goto("/lieux")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    assert sent
    assert all("query" not in body for body in sent), [b for b in sent if "query" in b]
    assert all(str(body["documentId"]).startswith("sha256:") for body in sent)
    assert {"Search"} <= {str(body.get("operationName")) for body in sent}


def test_a_document_of_the_pages_own_is_refused(page: Page) -> None:
    page.goto("/")
    answer = page.evaluate(
        """async () => {
            const response = await fetch('/graphql', {
                method: 'POST',
                headers: {'content-type': 'application/json'},
                body: JSON.stringify({query: '{ listings(first: 100) { totalCount } }'}),
            })
            return [response.status, await response.json()]
        }"""
    )

    assert answer[0] == 400
    assert answer[1]["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
