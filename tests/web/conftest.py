"""The web app in a real browser: Debian's Chromium driven by Playwright, against the app started
as `make run` starts it (`entrelieux serve` in development: its own Meilisearch, the development
OIDC provider, the demo places), on a database of its own.

Screenshots go to `var/test-artifacts/web/` (kept as test artifacts, not committed).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo"


@dataclass(frozen=True)
class Server:
    url: str
    log: Path


def _database_url(folder: Path) -> str:
    """A database of the server's own: SQLite by default, PostgreSQL with TEST_DATABASE_URL."""
    shared = os.environ.get("TEST_DATABASE_URL")
    if not shared or not shared.startswith("postgresql"):
        return f"sqlite+aiosqlite:///{folder / 'web.sqlite3'}"
    url = make_url(shared)
    name = f"{url.database}_web"

    async def recreate() -> None:
        admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()

    asyncio.run(recreate())
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (ROOT / "frontend" / "dist" / "index.html").is_file():
        pytest.fail(
            "the web app is not built: `make test` builds it (cd frontend && npm run build)"
        )
    folder = tmp_path_factory.mktemp("web")
    port = free_port()
    environment = os.environ | {
        "ENVIRONMENT": "development",
        "DATABASE_URL": _database_url(folder),
        "VAR_DIR": str(folder),
        "PORT": str(port),
        "LOG_LEVEL": "warning",
        "MAP_TILE_URL": "",  # no tile server here: the maps draw their markers only
        "OUTBOX_POLL_SECONDS": "0.2",
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
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process, log)
        yield Server(url=url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Up when /healthz answers and sign-in is offered (the provider started)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`entrelieux serve` exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            providers = httpx.get(f"{url}/auth/providers", timeout=2).json()
            if providers.get("providers") and httpx.get(f"{url}/healthz", timeout=2).is_success:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.3)
    pytest.fail(f"`entrelieux serve` did not start:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`")
    launched = playwright.chromium.launch(executable_path=CHROMIUM)
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


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, login: str, next_path: str = "/") -> None:
    """Through the app's sign-in page and the development provider's login form."""
    page.goto(f"/connexion?next={next_path}")
    page.get_by_role("link", name="Comptes de démonstration").or_(
        page.get_by_role("button", name="Comptes de démonstration")
    ).first.click()
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button").first.click()
    page.wait_for_url(f"**{next_path}")


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations of the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in result if v.get("impact") in ("serious", "critical")]
