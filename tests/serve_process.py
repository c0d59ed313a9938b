"""The command line as a real subprocess: `entrelieux serve` with its own database, var folder
and port, and any other command (`run_cli`)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from core.loopback import free_port

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "api.cli"]


@contextmanager
def own_database_url(tmp_path: Path, suffix: str) -> Iterator[str]:
    """A SQLite file, or (TEST_DATABASE_URL on PostgreSQL) a database of its own, dropped after."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}"
        return
    url = make_url(test_url)
    name = f"{url.database}_{suffix}"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(_administer(test_url, drop, f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_administer(test_url, drop))


async def _administer(test_url: str, *statements: str) -> None:
    url = make_url(test_url).set(database="postgres")
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await admin.dispose()


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`entrelieux ARGS` on `database_url`, search off; its exit code, stdout and stderr."""
    environment = {**os.environ, "DATABASE_URL": database_url, "SEARCH_ENABLED": "false"}
    return subprocess.run(
        [*COMMAND, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def environment_for(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp_path),
        "PORT": str(free_port()),
        "LOAD_DEMO_DATA": "false",
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "warning",
        **extra,
    }
    environment.pop("MEILI_URL", None)
    return environment


def prepare(environment: dict[str, str]) -> str:
    """Migrate, and return a token of a member of a new organization."""
    subprocess.run(
        [*COMMAND, "migrate"], env=environment, cwd=ROOT, capture_output=True, check=True
    )
    return subprocess.run(
        [*COMMAND, "token", "create", "--email", "a@b.fr", "--organization", "Atelier partagé"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def start(
    environment: dict[str, str], log: Path, within: float = 90
) -> tuple[subprocess.Popen[bytes], str]:
    """`serve`, answering on /healthz within `within` seconds; its output appended to `log`."""
    with log.open("ab") as output:
        server = subprocess.Popen(
            [*COMMAND, "serve"], env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{environment['PORT']}"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    server.wait(timeout=30)
    raise AssertionError(f"serve did not answer within {within:.0f} s:\n{log.read_text()}")


def endpoint(var_dir: Path) -> dict[str, Any]:
    """What `serve` wrote of its own Meilisearch: url, key, pid, owner."""
    known: dict[str, Any] = json.loads((var_dir / "meilisearch" / "endpoint.json").read_text())
    return known
