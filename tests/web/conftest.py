"""The web app in a real browser: Debian's Chromium driven by Playwright, against the app started
as `make run` starts it (`entrelieux serve` in development: its own Meilisearch, the development
OIDC provider, the demo places), on a database of its own.

Screenshots go to `var/test-artifacts/web/` (kept as test artifacts, not committed).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from core.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo"


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    database_url: str = ""
    """The database `entrelieux serve` runs on, for the operator's commands."""


def _database_url(folder: Path, suffix: str = "web") -> str:
    """A database of the server's own: SQLite by default, PostgreSQL with TEST_DATABASE_URL
    (named with `suffix`: two servers of one run never share one)."""
    shared = os.environ.get("TEST_DATABASE_URL")
    if not shared or not shared.startswith("postgresql"):
        return f"sqlite+aiosqlite:///{folder / 'web.sqlite3'}"
    url = make_url(shared)
    name = f"{url.database}_{suffix}"

    async def recreate() -> None:
        admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()

    # In a thread of its own: Playwright's sync API may already run an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, recreate()).result()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (ROOT / "frontend" / "dist" / "index.html").is_file():
        pytest.fail(
            "the web app is not built: `make test` builds it (cd frontend && npm run build)"
        )
    folder = tmp_path_factory.mktemp("web")
    database_url = _database_url(folder)
    with serving(folder, database_url, OUTBOX_POLL_SECONDS="0.2") as (url, process, log):
        _wait_until_ready(url, process, log)
        yield Server(url=url, log=log, database_url=database_url)


@contextmanager
def serving(
    folder: Path, database_url: str, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """`entrelieux serve` as `make run` starts it (development, the demo, no map tiles, no
    outside services), on a copy of the built app under `folder`; `settings` are added to its
    environment. Yields its URL, its process and its log, and stops it afterwards."""
    # Serve a copy of the built app: a rebuild of frontend/dist during the run changes nothing.
    shutil.copytree(ROOT / "frontend" / "dist", folder / "dist")
    port = free_port()
    environment = os.environ | {
        "ENVIRONMENT": "development",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(folder),
        "PORT": str(port),
        "LOG_LEVEL": "warning",
        "MAP_TILE_URL": "",  # no tile server here: the maps draw their markers only
        "FRONTEND_DIR": str(folder / "dist"),
        "RATE_LIMITS_ENABLED": "false",  # the whole browser suite is one address
        **settings,
    }
    for name in ("MEILI_URL", "OIDC_PROVIDERS", "PUBLIC_URL", "SMTP_HOST"):
        environment.pop(name, None)
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"],
            env=environment,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Up when sign-in is offered (the provider started) and /healthz?ready says the search index
    has caught up with the demo (the relay indexes it after the start)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`entrelieux serve` exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            providers = httpx.get(f"{url}/auth/providers", timeout=2).json()
            if (
                providers.get("providers")
                and httpx.get(f"{url}/healthz?ready", timeout=2).is_success
                and _demo_searchable(url)
            ):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.3)
    pytest.fail(f"`entrelieux serve` did not start:\n{log.read_text(errors='replace')[-3000:]}")


# 39 example listings are loaded; those whose availability has ended are not searchable.
DEMO_LISTINGS = 30


def _demo_searchable(url: str) -> bool:
    query = '{ search(input: {text: ""}) { totalHits } }'
    answer = httpx.post(f"{url}/graphql", json={"query": query}, timeout=5).json()
    return bool((answer.get("data") or {}).get("search", {}).get("totalHits", 0) >= DEMO_LISTINGS)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`")
    # French browser chrome too (date pickers), as the app's people would have it.
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--lang=fr-FR"])
    yield launched
    launched.close()


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[NewContext]:
    """Browser contexts (separate cookie jars: separate people), French, closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: object) -> BrowserContext:
        settings: dict[str, object] = {
            "base_url": server.url,
            "locale": "fr-FR",
            "viewport": {"width": 1280, "height": 900},
        }
        context = browser.new_context(**(settings | options))  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


@dataclass(frozen=True)
class World:
    """Objects to open pages on, made through the API once per session; signed-in browser
    states (cookies) of the commune's agent and of the fablab's manager."""

    agent_state: dict[str, Any]
    fablab_state: dict[str, Any]
    organization_id: str  # the commune's organization, the agent is its admin
    listing_id: str  # a listing of the commune's
    exchange_id: str  # the fablab's request for it
    demo_listing_id: str  # an example listing
    place_id: str  # a demo place


PUBLISH = """
mutation Publish($input: ListingPublishInput!) {
  listingPublish(input: $input) {
    __typename
    ... on ListingSuccess { listing { id } }
    ... on Error { message }
  }
}"""

REQUEST = """
mutation Request($input: ExchangeRequestInput!) {
  exchangeRequest(input: $input) {
    __typename
    ... on ExchangeChangeSuccess { exchange { id } }
    ... on Error { message }
  }
}"""


def ensure_organization(page: Page, name: str, commune: str) -> str:
    """The organization the signed-in person acts for; a tiers-lieu created when they have none
    (a person without a SIRET claim starts with no organization)."""
    me = graphql(page, "{ me { actingFor { id } memberships { organization { id } } } }")["me"]
    if me["actingFor"]:
        return str(me["actingFor"]["id"])
    if me["memberships"]:
        return str(me["memberships"][0]["organization"]["id"])
    created = graphql(
        page,
        """mutation Create($input: OrganizationCreateInput!) {
          organizationCreate(input: $input) {
            __typename
            ... on OrganizationCreateSuccess { organization { id } }
            ... on Error { message }
          }
        }""",
        {"input": {"name": name, "kind": "TIERS_LIEU", "inseeCode": commune}},
    )["organizationCreate"]
    assert created["__typename"] == "OrganizationCreateSuccess", created
    return str(created["organization"]["id"])


FABLAB = ("FabLab de Guéret", "23096")


def signed_in_state(browser: Browser, server: Server, login: str) -> dict[str, Any]:
    context = browser.new_context(base_url=server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, login)
        return dict(context.storage_state())  # type: ignore[arg-type]
    finally:
        context.close()


@pytest.fixture(scope="session")
def world(browser: Browser, server: Server) -> World:
    agent_state = signed_in_state(browser, server, "agent-montreuil")
    fablab_state = signed_in_state(browser, server, "fablab-gueret")
    context = browser.new_context(base_url=server.url, storage_state=agent_state)  # type: ignore[arg-type]
    fablab = browser.new_context(base_url=server.url, storage_state=fablab_state)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto("/connexion")
        me = graphql(page, "{ me { memberships { role organization { id } } } }")["me"]
        organization_id = me["memberships"][0]["organization"]["id"]
        start = date.today() + timedelta(days=10)
        published = graphql(
            page,
            PUBLISH,
            {
                "input": {
                    "direction": "OFFER",
                    "kind": "PREMISES",
                    "title": "Salle polyvalente de la Croix-de-Chavaux",
                    "description": "Une salle de 80 m² au rez-de-chaussée, accessible.",
                    "commune": "93048",
                    "availableFrom": start.isoformat(),
                    "availableUntil": (start + timedelta(days=300)).isoformat(),
                    "details": {"premises": {"surfaceM2": 80, "capacity": 40}},
                }
            },
        )["listingPublish"]
        assert published["__typename"] == "ListingSuccess", published
        listing_id = published["listing"]["id"]
        demo = graphql(
            page,
            """{ search(input: {text: "imprimante"}) { hits { listing { id } } }
                 spaces(first: 1) { edges { node { id } } } }""",
        )
        demo_listing_id = demo["search"]["hits"][0]["listing"]["id"]
        place_id = demo["spaces"]["edges"][0]["node"]["id"]

        other = fablab.new_page()
        other.goto("/connexion")
        ensure_organization(other, *FABLAB)
        requested = graphql(
            other,
            REQUEST,
            {
                "input": {
                    "listingId": listing_id,
                    "startsAt": f"{start + timedelta(days=7)}T09:00:00+01:00",
                    "endsAt": f"{start + timedelta(days=9)}T18:00:00+01:00",
                    "message": "Bonjour, nous aimerions y tenir deux journées de formation.",
                }
            },
        )["exchangeRequest"]
        assert requested["__typename"] == "ExchangeChangeSuccess", requested
        graphql(
            other,
            """mutation { alertCreate(input: {name: "Imprimantes près de Guéret",
                search: {text: "imprimante"}}) { __typename } }""",
        )
        return World(
            agent_state=agent_state,
            fablab_state=fablab_state,
            organization_id=organization_id,
            listing_id=listing_id,
            exchange_id=requested["exchange"]["id"],
            demo_listing_id=demo_listing_id,
            place_id=place_id,
        )
    finally:
        context.close()
        fablab.close()


README_SCREENSHOTS = ROOT / "docs" / "screenshots"


def add_network_area(server: Server, network: str, level: str, code: str) -> None:
    """The network (its exact name) covers this area: `entrelieux network area add`, as an
    operator runs it on the server's database."""
    environment = os.environ | {"DATABASE_URL": server.database_url, "SEARCH_ENABLED": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "network", "area", "add", "--network", network,
         "--level", level, "--code", code],
        env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "added" in result.stdout, result.stdout


def readme_screenshot(page: Page, name: str) -> None:
    """A picture for the README: into docs/screenshots/ only with UPDATE_README_SCREENSHOTS=1
    (`make screenshots`), so a test run leaves the checkout as it found it."""
    if os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_SCREENSHOTS / f"{name}.png"))
    else:
        screenshot(page, f"readme-{name}")


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, login: str, next_path: str = "/") -> None:
    """Through the app's sign-in page and the development provider's login form."""
    page.goto(f"/connexion?next={quote(next_path, safe='/')}")
    page.get_by_role("link", name="Comptes de démonstration").or_(
        page.get_by_role("button", name="Comptes de démonstration")
    ).first.click()
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: _path(url) == next_path)
    # The header shows who is signed in once the session has loaded.
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def sign_out(page: Page) -> None:
    """The header's button, then the development provider's confirmation, back to the app."""
    page.get_by_role("button", name="Se déconnecter").click()
    signed_out = page.get_by_role("link", name="Se connecter", exact=True)
    provider = page.get_by_role("heading", name="Se déconnecter du fournisseur")
    expect(signed_out.or_(provider)).to_be_visible()
    if provider.is_visible():
        page.get_by_role("button", name="Se déconnecter").click()
    expect(signed_out).to_be_visible()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def search_field(page: Page) -> Locator:
    return page.get_by_role("searchbox", name="Rechercher", exact=True)


def pick_commune(page: Page, name: str, department: str, label: str = "Près de") -> None:
    """Type a commune in an autocomplete and pick the suggestion of that department."""
    box = page.get_by_role("combobox", name=label)
    box.fill(name)
    option = page.get_by_role("option", name=re.compile(rf"^{re.escape(name)}\b.*{department}"))
    option.first.click()
    expect(box).to_have_value(name)


def graphql(page: Page, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call the API from the page, as the app does (same origin, the page's session cookie)."""
    answer: dict[str, Any] = page.evaluate(
        """async ([query, variables]) => {
            const response = await fetch('/graphql', {
                method: 'POST',
                headers: {'content-type': 'application/json'},
                body: JSON.stringify({query, variables}),
            })
            return response.json()
        }""",
        [query, variables or {}],
    )
    if answer.get("errors"):
        raise AssertionError(f"GraphQL errors: {answer['errors']}")
    return dict(answer["data"])


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations of the page as it is now, once nothing on it
    is still loading (`aria-busy`: a calendar fetching its month is drawn faded) and its finite
    animations and transitions (a map fading its tiles in, zooming) have ended: colours are
    measured as they stay, not halfway."""
    page.wait_for_function("() => !document.querySelector('[aria-busy=\"true\"]')")
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => undefined)))"""
    )
    # Evaluated by the driver, not added as a <script>: the app's CSP allows no inline script.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in result if v.get("impact") in ("serious", "critical")]


def no_horizontal_scroll(page: Page) -> None:
    """Nothing wider than the viewport: a small screen never scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


ACCEPT = (
    """mutation($id: ID!) { exchangeAccept(id: $id) { __typename ... on Error { message } } }"""
)


def accepted_premises_exchange(
    owner: Page,
    requester: Page,
    title: str,
    starts_in: int,
    nights: int,
    message: str,
    **listing: Any,
) -> str:
    """A room of `owner`'s commune (Montreuil) offered, asked for by `requester` for `nights`
    from `starts_in` days after its availability opens, and accepted: the exchange's id."""
    start = date.today() + timedelta(days=starts_in)
    listing_input = {
        "direction": "OFFER",
        "kind": "PREMISES",
        "title": title,
        "commune": "93048",
        "availableFrom": start.isoformat(),
        "availableUntil": (start + timedelta(days=200)).isoformat(),
        "details": {"premises": {"surfaceM2": 120, "capacity": 60}},
        **listing,
    }
    published = graphql(owner, PUBLISH, {"input": listing_input})["listingPublish"]
    assert published["__typename"] == "ListingSuccess", published
    request = {
        "listingId": published["listing"]["id"],
        "startsAt": f"{start + timedelta(days=3)}T00:00:00+00:00",
        "endsAt": f"{start + timedelta(days=3 + nights)}T00:00:00+00:00",
        "message": message,
    }
    requested = graphql(requester, REQUEST, {"input": request})["exchangeRequest"]
    assert requested["__typename"] == "ExchangeChangeSuccess", requested
    exchange_id = str(requested["exchange"]["id"])
    accepted = graphql(owner, ACCEPT, {"id": exchange_id})["exchangeAccept"]
    assert accepted["__typename"] == "ExchangeChangeSuccess", accepted
    return exchange_id
