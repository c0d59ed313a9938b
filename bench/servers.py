"""Serve an ASGI app with uvicorn in a child process on a free loopback port, for one `with`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT

HOST = "127.0.0.1"
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User and system CPU time the server has used so far (Linux /proc, 10 ms steps)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


UNREACHABLE_BUDGET = "1000000000"
"""GraphQL points per minute no bench run reaches: wrk at 10,000 req/s of 10 points each asks
6,000,000 a minute."""


def app_environment(
    url: str, secret: str, *, production_budgets: bool = False, **extra: str
) -> dict[str, str]:
    """Our app as the bench serves it: production mode on `url`, no demo data, no search (a
    part that needs it says so in `extra`), its rate limiter on (a production request pays
    for it) with GraphQL budgets no run reaches, so a run measures answers, never 429s (unless
    `production_budgets`: the attacks measure what the real budgets do), and no response cache
    (the same page asked again would be a hit; `bench.cache_bench` turns it on)."""
    budgets = {} if production_budgets else dict.fromkeys(_GRAPHQL_BUDGETS, UNREACHABLE_BUDGET)
    return {
        "DATABASE_URL": url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secret,
        "LOAD_DEMO_DATA": "false",
        "LOG_LEVEL": "warning",
        "SEARCH_ENABLED": "false",
        "RESPONSE_CACHE_ENABLED": "false",
        **budgets,
        **extra,
    }


_GRAPHQL_BUDGETS = (
    "RATE_LIMIT_GRAPHQL_ANONYMOUS",
    "RATE_LIMIT_GRAPHQL_TOKEN",
    "RATE_LIMIT_GRAPHQL_PERSON",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(
    target: str,
    ready_path: str,
    env: dict[str, str] | None = None,
    *,
    factory: bool = False,
    cpus: str | None = None,
) -> Iterator[Server]:
    """Run `uvicorn target` until the block ends; yields it once `ready_path` answers.
    `cpus` pins it (`taskset -c`), e.g. "0"."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", HOST, "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log"]
    if factory:
        command.append("--factory")
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    with run_server(command, f"http://{HOST}:{port}", ready_path, env) as server:
        yield server


@contextmanager
def run_server(
    command: list[str],
    base_url: str,
    ready_path: str,
    env: dict[str, str] | None = None,
    *,
    cwd: Path = PROJECT_ROOT,
    ready_body: str | None = None,
) -> Iterator[Server]:
    """Run any server `command` until the block ends; yields it once `ready_path` answers 200
    (to a GET, or to a JSON POST of `ready_body`). The command must exec the server itself
    (`taskset` does), so that the pid whose CPU time is read is the server's."""
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})})
    try:
        _wait_ready(process, base_url + ready_path, ready_body)
        yield Server(base_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_ready(
    process: subprocess.Popen[bytes], url: str, body: str | None = None, attempts: int = 600
) -> None:
    """Poll `url` every 0.1 s (60 s at most); fail early if the server process dies."""
    headers = {"Content-Type": "application/json"}
    for _ in range(attempts):
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before {url}")
        try:
            if body is None:
                response = httpx.get(url, timeout=1.0)
            else:
                response = httpx.post(url, content=body, headers=headers, timeout=1.0)
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {attempts / 10:.0f} s")
