"""Drive one URL with a loopback load tool: `wrk` when installed, else a small asyncio client.

Both hold `connections` keep-alive connections busy for `duration` seconds, POSTing the same
JSON body, and report requests per second and latency percentiles. wrk (C, one event loop per
thread) costs the server's CPU far less than the Python fallback, so figures from the two are
not comparable with each other; the report says which tool produced them.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

LUA_SCRIPT = Path(__file__).with_name("load.lua")


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_ms: float | None = None
    """CPU time the server spent per request: steadier than req/s on a shared machine."""

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


@dataclass(frozen=True)
class LoadPlan:
    connections: int = 10
    threads: int = 2
    duration_s: int = 15


def wrk_path() -> str | None:
    return shutil.which("wrk")


def tool_name() -> str:
    return "wrk" if wrk_path() else "python-httpx"


def drive(url: str, body: str, plan: LoadPlan) -> LoadResult:
    """Load `url` for `plan.duration_s` seconds; raises if the tool fails."""
    wrk = wrk_path()
    if wrk is None:
        return asyncio.run(_drive_python(url, body, plan))
    return _drive_wrk(wrk, url, body, plan)


def _drive_wrk(wrk: str, url: str, body: str, plan: LoadPlan) -> LoadResult:
    command = [
        wrk,
        f"-t{plan.threads}",
        f"-c{plan.connections}",
        f"-d{plan.duration_s}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        url,
    ]
    done = subprocess.run(
        command,
        env={**os.environ, "BENCH_BODY": body},
        capture_output=True,
        text=True,
        timeout=plan.duration_s + 60,
        check=True,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    seconds = figures["duration_us"] / 1e6
    errors = sum(
        figures[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return LoadResult(
        requests=figures["requests"],
        seconds=round(seconds, 3),
        requests_per_s=round(figures["requests"] / seconds, 1),
        p50_ms=round(figures["p50_us"] / 1000, 2),
        p99_ms=round(figures["p99_us"] / 1000, 2),
        errors=errors,
    )


async def _drive_python(url: str, body: str, plan: LoadPlan) -> LoadResult:
    """The fallback: `connections` coroutines, each a request loop on one keep-alive connection."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(
        max_connections=plan.connections, max_keepalive_connections=plan.connections
    )
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    started = time.perf_counter()
    deadline = started + plan.duration_s

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                response = await client.post(url, content=body, headers=headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - sent)
            errors += not ok

    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
        await asyncio.gather(*(worker(client) for _ in range(plan.connections)))
    seconds = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return LoadResult(
        requests=len(latencies),
        seconds=round(seconds, 3),
        requests_per_s=round(len(latencies) / seconds, 1),
        p50_ms=round(cuts[49] * 1000, 2),
        p99_ms=round(cuts[98] * 1000, 2),
        errors=errors,
    )
