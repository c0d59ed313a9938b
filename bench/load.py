"""Drive one URL with a loopback load tool: `wrk` when installed, else a small asyncio client.

Both hold `connections` keep-alive connections busy for `duration` seconds, POSTing the same
JSON body (`drive`) or a list of bodies in turn (`drive_mix`), and report requests per second
and latency percentiles. wrk (C, one event loop per
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
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

LUA_SCRIPT = Path(__file__).with_name("load.lua")
MIX_SCRIPT = Path(__file__).with_name("load_mix.lua")


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
        return asyncio.run(_drive_python(url, [body], plan))
    return _drive_wrk(wrk, url, LUA_SCRIPT, {"BENCH_BODY": body}, plan)


def drive_mix(
    url: str, bodies: list[str], plan: LoadPlan, authorization: str | None = None
) -> LoadResult:
    """Load `url` with `bodies` in turn (each connection cycles through them); a 200 answer
    that holds `"errors"` counts as an error. `authorization` is the header's whole value."""
    if not bodies or any("\n" in body for body in bodies):
        raise ValueError("give one or more bodies, each on one line")
    wrk = wrk_path()
    if wrk is None:
        return asyncio.run(_drive_python(url, bodies, plan, authorization))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as listed:
        listed.write("\n".join(bodies) + "\n")
        listed.flush()
        env = {"BENCH_BODIES": listed.name, "BENCH_AUTH": authorization or ""}
        return _drive_wrk(wrk, url, MIX_SCRIPT, env, plan)


def _drive_wrk(wrk: str, url: str, script: Path, env: dict[str, str], plan: LoadPlan) -> LoadResult:
    command = [
        wrk,
        f"-t{plan.threads}",
        f"-c{plan.connections}",
        f"-d{plan.duration_s}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        command,
        env={**os.environ, **env},
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


async def _drive_python(
    url: str, bodies: list[str], plan: LoadPlan, authorization: str | None = None
) -> LoadResult:
    """The fallback: `connections` coroutines, each a request loop on one keep-alive connection."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(
        max_connections=plan.connections, max_keepalive_connections=plan.connections
    )
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    started = time.perf_counter()
    deadline = started + plan.duration_s

    async def worker(client: httpx.AsyncClient, turn: int) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            turn += 1
            body = bodies[turn % len(bodies)]
            sent = time.perf_counter()
            try:
                response = await client.post(url, content=body, headers=headers)
                ok = response.status_code == 200 and b'"errors"' not in response.content
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - sent)
            errors += not ok

    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
        await asyncio.gather(*(worker(client, turn) for turn in range(plan.connections)))
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
