"""The Markdown summary of a run: machine, method, one table per backend, and the ratios."""

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


def _backend(name: str, b: dict[str, Any]) -> list[str]:
    if "skipped" in b:
        return [f"### {name}", "", f"Skipped: {b['skipped']}", ""]
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


def render(results: dict[str, Any]) -> str:
    plan = results["plan"]
    lines = [
        "## Figures",
        "",
        *_machine(results["machine"]),
        f"- load: {results['tool']}, {plan['connections']} connections, {plan['threads']} "
        f"threads, {plan['duration_s']} s per run after {plan['warmup_s']} s of warm-up, "
        f"median of {plan['repeats']} runs",
        f"- query: `{results['query']}`",
        f"- whole run: {results['total_seconds']} s",
        "",
    ]
    for name, backend in results["backends"].items():
        lines += _backend(name, backend)
    return "\n".join(lines)
