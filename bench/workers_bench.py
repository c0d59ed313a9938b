"""Several cores: the listing page served by `entrelieux serve --workers 1` pinned to core 0,
then `--workers 2` on cores 0-1, loaded in turn with the same tool and plan (PostgreSQL only:
SQLite is refused with several workers).

Both servers run side by side from the start (idle while the other is loaded). The load
generator shares the machine's cores with them: wrk runs with one thread, unpinned, and its own
CPU time is measured (from the kernel's accounting of children) and reported per request and as
a share of the machine, as is the CPU of every PostgreSQL process (the database shares the cores
too; other users of the same PostgreSQL count in it). A server's CPU is its parent's plus its
workers'. The figure is the ratio of the medians of req/s, 2 workers over 1.
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import load
from bench.servers import HOST, free_port
from core.settings import PROJECT_ROOT

QUERY = (
    "{ listings(first: 50) { edges { node { id title space { name } organization { name } } } } }"
)
_TICKS = os.sysconf("SC_CLK_TCK")
CORES = {1: "0", 2: "0,1"}
TARGET = 1.7


@dataclass(frozen=True)
class Served:
    workers: int
    base_url: str
    pid: int

    def cpu_seconds(self) -> dict[int, float]:
        """CPU seconds by pid: the parent (with its reaped children) and each of its children
        (the workers, and multiprocessing's resource tracker)."""
        return {pid: _cpu(pid, reaped=True) for pid in [self.pid, *_children(self.pid)]}

    def worker_pids(self) -> set[int]:
        return {pid for pid in _children(self.pid) if b"spawn_main" in _cmdline(pid)}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _cpu(pid: int, *, reaped: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICKS


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL process (a backend that ends meanwhile is lost)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found[int(entry.name)] = _cpu(int(entry.name))
            except OSError:
                continue
    return found


def _spent(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    return {pid: after[pid] - before.get(pid, 0.0) for pid in after}


@contextmanager
def serve_workers(url: str, secret: str, workers: int, var_dir: Path) -> Iterator[Served]:
    """`entrelieux serve --workers N` under `taskset -c CORES[N]`, until the block ends."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secret,
        "LOAD_DEMO_DATA": "false",
        "LOG_LEVEL": "warning",
        "SEARCH_ENABLED": "false",  # the page never searches; the other relays still run
        "RATE_LIMITS_ENABLED": "false",  # one client at hundreds of req/s: not what is measured
        "RESPONSE_CACHE_ENABLED": "false",  # the same page again would be a cache hit
        "VAR_DIR": str(var_dir),
        "HOST": HOST,
        "PORT": str(port),
    }
    env.pop("WEB_CONCURRENCY", None)
    command = ["taskset", "-c", CORES[workers], sys.executable, "-m", "api.cli", "serve"]
    command += ["--workers", str(workers)]
    with (var_dir / "serve.log").open("ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    base = f"http://{HOST}:{port}"
    try:
        _wait_for_workers(process, base, workers, var_dir)
        yield Served(workers, base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for_workers(process: subprocess.Popen[bytes], base: str, workers: int, var: Path) -> None:
    """Until /metrics has answered from `workers` distinct processes (2 minutes at most)."""
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (var / "serve.log").read_text()[-2000:]
            raise RuntimeError(f"serve --workers {workers} exited ({process.returncode}):\n{log}")
        try:
            text = httpx.get(f"{base}/metrics", timeout=2).text
        except httpx.HTTPError:
            time.sleep(0.3)
            continue
        seen.update(
            line.split('"')[1]
            for line in text.splitlines()
            if line.startswith("entrelieux_process{")
        )
        if len(seen) >= workers:
            return
        time.sleep(0.05)
    raise RuntimeError(f"serve --workers {workers}: {len(seen)} workers answered in 2 minutes")


_PROCESS = re.compile(r'^entrelieux_process\{pid="(\d+)"\} 1\.0$', re.MULTILINE)
_GRAPHQL = re.compile(
    r'^entrelieux_http_requests_total\{[^}]*route="/graphql"[^}]*\} ([0-9.e+]+)$', re.MULTILINE
)


def _requests_by_worker(server: Served) -> dict[int, int]:
    """/graphql requests answered so far by each worker (each scrape a new connection, until
    every worker has answered one; a scrape answers for its own process only)."""
    wanted, counts = server.worker_pids(), {}
    deadline = time.monotonic() + 20
    while not wanted <= set(counts) and time.monotonic() < deadline:
        try:
            text = httpx.get(server.base_url + "/metrics", timeout=10).text
        except httpx.HTTPError:
            continue
        for pid in _PROCESS.findall(text):
            counts[int(pid)] = int(sum(float(n) for n in _GRAPHQL.findall(text)))
    return counts


def _run(server: Served, body: str, plan: load.LoadPlan) -> dict[str, Any]:
    answered = _requests_by_worker(server)
    before, database_before = server.cpu_seconds(), _postgres_cpu()
    tool_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = load.drive(server.base_url + "/graphql", body, plan)
    tool_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = _spent(before, server.cpu_seconds())
    database = sum(_spent(database_before, _postgres_cpu()).values())
    used = sum(spent.values())
    workers = [spent[pid] for pid in server.worker_pids() if pid in spent] or [used]
    after = _requests_by_worker(server)
    # requests each worker answered during the run (its /graphql counter's increase), by pid
    by_worker = {str(pid): n - answered.get(pid, 0) for pid, n in sorted(after.items())}
    requests = max(result.requests, 1)
    tool = (tool_after.ru_utime + tool_after.ru_stime) - (
        tool_before.ru_utime + tool_before.ru_stime
    )
    return {
        "rps": result.requests_per_s,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "errors": result.errors,
        "cpu_ms": round(used * 1000 / requests, 3),
        # how much of its cores the server got: far below 1 per worker, the machine was busy
        "server_cores": round(used / max(result.seconds, 1e-9), 3),
        # the least busy worker's CPU over the busiest's: 1 when the kernel spreads connections
        "worker_balance": round(min(workers) / max(max(workers), 1e-9), 2),
        "requests_by_worker": by_worker,
        "postgres_cpu_ms": round(database * 1000 / requests, 3),
        "load_tool_cpu_ms": round(tool * 1000 / requests, 4),
        "load_tool_cores": round(tool / max(result.seconds, 1e-9), 3),
    }


def _check(server: Served, body: str) -> None:
    answer = httpx.post(
        server.base_url + "/graphql",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    ).json()
    edges = (answer.get("data") or {}).get("listings", {}).get("edges", [])
    if answer.get("errors") or len(edges) != 50:
        raise RuntimeError(f"unexpected answer from {server.workers} workers: {str(answer)[:300]}")


def bench_workers(
    url: str, secret: str, plan: load.LoadPlan, repeats: int, warmup_s: int
) -> dict[str, Any]:
    """results["workers"]: {"1": {...}, "2": {...}, "ratio", ...} (medians of `repeats`)."""
    body = json.dumps({"query": QUERY})
    one_thread = load.LoadPlan(plan.connections, 1, plan.duration_s)
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="workers-bench-")))
        servers = {}
        for workers in (1, 2):
            var_dir = folder / str(workers)
            var_dir.mkdir()
            servers[workers] = stack.enter_context(serve_workers(url, secret, workers, var_dir))
        for server in servers.values():
            _check(server, body)
            load.drive(
                server.base_url + "/graphql", body, load.LoadPlan(plan.connections, 1, warmup_s)
            )
        for repeat in range(repeats):
            for workers, server in servers.items():
                figures = _run(server, body, one_thread)
                runs[workers].append(figures)
                print(
                    f"  run {repeat + 1} {workers} worker(s) {figures['rps']:8.1f} req/s  "
                    f"p50 {figures['p50_ms']:7.2f} ms  server CPU {figures['cpu_ms']:6.2f} ms/req "
                    f"({figures['server_cores']:.2f} core, balance {figures['worker_balance']})  "
                    f"postgres {figures['postgres_cpu_ms']:5.2f}  load tool "
                    f"{figures['load_tool_cpu_ms']:.3f} ms/req ({figures['load_tool_cores']:.3f} "
                    f"core)  errors {figures['errors']}  requests by worker "
                    f"{sorted(figures['requests_by_worker'].values())}",
                    flush=True,
                )
    medians = {
        str(workers): {
            key: round(statistics.median(r[key] for r in results), 3)
            for key in results[0]
            if key != "requests_by_worker"
        }
        for workers, results in runs.items()
    }
    ratio = round(medians["2"]["rps"] / max(medians["1"]["rps"], 1e-9), 2)
    return {
        **medians,
        "ratio": ratio,
        "target": TARGET,
        "met": ratio >= TARGET,
        "cores": {str(k): v for k, v in CORES.items()},
        "plan": {"connections": plan.connections, "threads": 1, "duration_s": plan.duration_s},
        "runs": {str(k): v for k, v in runs.items()},
        "cpu_count": os.cpu_count(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def render(results: dict[str, Any]) -> str:
    figures = results.get("workers")
    if not figures or "ratio" not in figures:
        return ""
    lines = [
        "",
        "## Several cores: `serve --workers` (PostgreSQL, the listing page)",
        "",
        "| workers (cores) | req/s | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req "
        "| load tool CPU ms/req | cores the server got |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for workers in ("1", "2"):
        row = figures[workers]
        lines.append(
            f"| {workers} ({figures['cores'][workers]}) | {row['rps']} | {row['p50_ms']} "
            f"| {row['p99_ms']} | {row['cpu_ms']} | {row['postgres_cpu_ms']} "
            f"| {row['load_tool_cpu_ms']} | {row['server_cores']} |"
        )
    met = "met" if figures["met"] else "NOT met"
    lines += ["", f"2 workers / 1: **{figures['ratio']}x** (target ≥ {TARGET}x: {met})", ""]
    return "\n".join(lines)
