"""The Markdown summary of a run: machine, method, one table per backend, and the ratios.

Listings (GraphQL against a bare route) and search (GraphQL against Meilisearch itself, indexing,
publish→searchable), each when the run measured it.
"""

from __future__ import annotations

from typing import Any


def ratios(graphql: dict[str, float], bare: dict[str, float]) -> dict[str, float]:
    """GraphQL over bare: throughput (a fraction) and latency (a multiple)."""
    return {
        "requests_per_s": round(graphql["requests_per_s"] / bare["requests_per_s"], 4),
        "p50": round(graphql["p50_ms"] / bare["p50_ms"], 1),
        "p99": round(graphql["p99_ms"] / bare["p99_ms"], 1),
        "server_cpu": round(graphql["server_cpu_ms"] / bare["server_cpu_ms"], 1),
    }


def _machine(m: dict[str, Any]) -> list[str]:
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    return [
        f"- date: {m['date']}; code: {m['commit']}",
        f"- CPU: {m['cpu_model']}, nproc {m['nproc']}; RAM {m['memory_gib']} GiB",
        f"- system: {m['system']}, Debian {m['distribution']}; load average at start "
        f"{' / '.join(str(x) for x in m['load_average'])}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, {m['wrk']}",
        f"- packages: {packages}",
    ]


GOALS = {
    "added_p50_ms": 3.0,
    "throughput_ratio": 0.5,
    "reindex_s": 30.0,
    "publish_p95_ms": 2000.0,
}


def _backend(name: str, b: dict[str, Any]) -> list[str]:
    if "skipped" in b:
        return [f"### {name}", "", f"Skipped: {b['skipped']}", ""]
    lines = _listings(name, b) if "median" in b else []
    if "search" in b:
        lines += _search(name, b["search"])
    return lines


def _listings(name: str, b: dict[str, Any]) -> list[str]:
    seed, median, ratio = b["seed"], b["median"], b["ratio"]
    server = b.get("server")
    lines = [f"### {name}", ""]
    if server:
        lines.append(
            f"PostgreSQL {server['server_version']}, shared_buffers {server['shared_buffers']}."
        )
    lines += [
        f"Seeded {seed['listings']:,} listings, {seed['spaces']:,} places, "
        f"{seed['organizations']:,} organizations in {seed['seconds']} s. "
        f"SQL statements per request: **{b['statements']['count']}**.",
        "",
        "| target | req/s | p50 (ms) | p99 (ms) | server CPU per request (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for target, label in (("graphql", "`listings(first: 50)`"), ("bare", "bare Starlette JSON")):
        m = median[target]
        lines.append(
            f"| {label} | {m['requests_per_s']:,.1f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} "
            f"| {m['server_cpu_ms']:.3f} | {m['errors']:.0f} |"
        )
    lines += [
        "",
        f"GraphQL / bare: **{ratio['requests_per_s']:.1%}** of the throughput; "
        f"p50 **×{ratio['p50']}**, p99 ×{ratio['p99']}; server CPU per request "
        f"×{ratio['server_cpu']}. Load average after: "
        f"{' / '.join(str(x) for x in b['load_average_after'])}.",
        "",
        "Runs (req/s, graphql | bare): "
        + "; ".join(
            f"{g['requests_per_s']:,.0f} | {r['requests_per_s']:,.0f}"
            for g, r in zip(b["runs"]["graphql"], b["runs"]["bare"], strict=True)
        ),
        "",
    ]
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _search_table(median: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| target | req/s | p50 (ms) | p99 (ms) | app CPU / req (ms) "
        "| Meilisearch CPU / req (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for target, label in (("graphql", "GraphQL `search`"), ("meilisearch", "Meilisearch direct")):
        m = median[target]
        lines.append(
            f"| {label} | {m['requests_per_s']:,.1f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} "
            f"| {m['app_cpu_ms']:.3f} | {m['meilisearch_cpu_ms']:.3f} | {m['errors']:.0f} |"
        )
    return lines


def _search(name: str, s: dict[str, Any]) -> list[str]:
    lines = [f"### {name}: search", ""]
    if "skipped" in s:
        return [*lines, f"Skipped: {s['skipped']}", ""]
    indexing, measured, fresh = s["indexing"], s.get("load"), s["freshness"]
    lines += [
        f"**Indexing**: `reindex` put {indexing['listings']:,} published listings (and the places "
        f"and communes) into a fresh Meilisearch in **{indexing['reindex_s']} s**, "
        f"{indexing['listings_per_s']:,.0f} listings/s; goal ≤ 30 s: "
        f"{_met(indexing['reindex_s'] <= GOALS['reindex_s'])}. `ensure_indexes` before it: "
        f"{indexing['ensure_indexes_s']} s. CPU during `reindex`: bench process "
        f"{indexing['bench_process_cpu_s']} s, Meilisearch {indexing['meilisearch_cpu_s']} s.",
        "",
        "| index | task type | tasks | documents | engine time (s) | longest (s) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for task in indexing["tasks"]:
        lines.append(
            f"| {task['index'] or '–'} | {task['type']} | {task['tasks']} | "
            f"{task['documents']:,} | {task['seconds']} | {task['max_s']} |"
        )
    if measured:  # not with `--only freshness`
        lines += _search_load(measured)
    lines += _freshness(fresh)
    return lines


def _search_load(measured: dict[str, Any]) -> list[str]:
    added, alone = measured["added"], measured["added_alone"]
    return [
        "",
        "**Search**, 10 connections (median of the runs):",
        "",
        *_search_table(measured["median"]),
        "",
        f"GraphQL adds p50 **{added['p50_ms']:+.2f} ms**, p99 {added['p99_ms']:+.2f} ms; "
        f"throughput **{added['throughput_ratio']:.1%}** of direct (goal ≥ 50 %: "
        f"{_met(added['throughput_ratio'] >= GOALS['throughput_ratio'])}).",
        "",
        "One connection, no queueing:",
        "",
        *_search_table(measured["median_alone"]),
        "",
        f"GraphQL adds p50 **{alone['p50_ms']:+.2f} ms** (goal ≤ 3 ms: "
        f"{_met(alone['p50_ms'] <= GOALS['added_p50_ms'])}), p99 {alone['p99_ms']:+.2f} ms.",
        "",
        "Runs (req/s, GraphQL | direct): "
        + "; ".join(
            f"{g['requests_per_s']:,.0f} | {r['requests_per_s']:,.0f}"
            for g, r in zip(
                measured["runs"]["graphql"], measured["runs"]["meilisearch"], strict=True
            )
        ),
        "",
        "Cases (hits on the first page / total): "
        + "; ".join(f"{c['case']} {c['hits']}/{c['total_hits']:,}" for c in measured["checked"]),
        "",
    ]


def _freshness(fresh: dict[str, Any]) -> list[str]:
    sent, answered, mutation = fresh["from_send"], fresh["from_answer"], fresh["mutation"]
    relay, tasks = fresh["relay"], fresh["meilisearch_tasks"]
    fresh_enough = (
        fresh["published"] == fresh["planned"]
        and fresh["missing"] == 0
        and sent["p95_ms"] <= GOALS["publish_p95_ms"]
    )
    lines = [
        f"**Publish→searchable**: {fresh['published']:,} of {fresh['planned']:,} listings "
        f"published at {fresh['achieved_rate']}/s (planned {fresh['rate']:g}/s; "
        f"{fresh['failures']} failed), {fresh['found']:,} found, {fresh['missing']} never found. "
        f"Watcher poll {fresh['poll_s'] * 1000:.0f} ms.",
        "",
        "| delay | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---:|---:|---:|",
        f"| mutation sent → found in Meilisearch | **{sent['p50_ms']:,.0f}** | "
        f"**{sent['p95_ms']:,.0f}** | {sent['max_ms']:,.0f} |",
        f"| mutation answered → found | {answered['p50_ms']:,.0f} | {answered['p95_ms']:,.0f} "
        f"| {answered['max_ms']:,.0f} |",
        f"| mutation round trip | {mutation['p50_ms']:,.0f} | {mutation['p95_ms']:,.0f} "
        f"| {mutation['max_ms']:,.0f} |",
        f"| outbox event created → relay marks it done | "
        f"{relay['commit_to_processed']['p50_ms']:,.0f} | "
        f"{relay['commit_to_processed']['p95_ms']:,.0f} | "
        f"{relay['commit_to_processed']['max_ms']:,.0f} |",
        f"| Meilisearch task queued (enqueued → started) | {tasks['queued']['p50_ms']:,.0f} | "
        f"{tasks['queued']['p95_ms']:,.0f} | {tasks['queued']['max_ms']:,.0f} |",
        f"| Meilisearch task processing | {tasks['duration']['p50_ms']:,.0f} | "
        f"{tasks['duration']['p95_ms']:,.0f} | {tasks['duration']['max_ms']:,.0f} |",
        "",
        f"Goal p95 ≤ 2 s: {_met(fresh_enough)}. "
        f"The relay sent {tasks['tasks']} document tasks ({tasks['documents_per_task']} documents "
        f"each on average, {tasks['batches']} engine batches); {relay['events']} outbox events, "
        f"{relay['processed']} processed, {relay['retried']} retried.",
        "",
    ]
    if fresh["failure_kinds"]:
        kinds = fresh["failure_kinds"].items()
        lines += ["Failures: " + "; ".join(f"{n} × `{f}`" for f, n in kinds), ""]
    return lines


def render(results: dict[str, Any]) -> str:
    plan, search = results["plan"], results["search_plan"]
    lines = ["## Figures", "", *_machine(results["machine"])]
    if "listings" in results["parts"]:
        lines += [
            f"- listings load: {results['tool']}, {plan['connections']} connections, "
            f"{plan['threads']} threads, {plan['duration_s']} s per run after {plan['warmup_s']} s "
            f"of warm-up, median of {plan['repeats']} runs",
            f"- listings query: `{results['query']}`",
        ]
    if "search" in results["parts"]:
        lines += [
            f"- search load: {results['tool']}, {search['connections']} connections, "
            f"{search['threads']} threads, {search['duration_s']} s per run after "
            f"{search['warmup_s']} s of warm-up, then 1 connection for {search['probe_s']} s; "
            f"median of {search['repeats']} runs; publishing {search['publish_rate']:g} "
            f"listings/s for {search['publish_s']:g} s",
            "- search cases, in turn on each connection: "
            + "; ".join(f"{q['name']}: `{q['graphql']}`" for q in results["search_queries"]),
        ]
    lines += [f"- whole run: {results['total_seconds']} s", ""]
    for name, backend in results["backends"].items():
        lines += _backend(name, backend)
    return "\n".join(lines)
