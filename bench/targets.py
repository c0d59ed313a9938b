"""Issue 14's targets, marked MET, MISSED or NOT MEASURED from one run's results.

    python -m bench.targets [bench/out/results.json]

Each target reads the key the issue's engineers agreed on (`results["peer"]`, `["search_peer"]`,
`["exchanges"]`, `["freshness"]`, `["scale"]`, `["workers"]`); a key the run did not write is
NOT MEASURED, never a pass. `bench.run` appends the table to `bench/out/report.md`.
"""

from __future__ import annotations

import json
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.seed import OUT

Figure = Callable[[dict[str, Any]], float | None]


@dataclass(frozen=True)
class Target:
    name: str
    figure: Figure
    threshold: float
    at_least: bool
    unit: str = "×"

    def judge(self, results: dict[str, Any]) -> tuple[float | None, str]:
        try:
            value = self.figure(results)
        except (KeyError, TypeError, ZeroDivisionError):
            value = None
        if value is None:
            return None, "NOT MEASURED"
        met = (operator.ge if self.at_least else operator.le)(value, self.threshold)
        return value, "MET" if met else "MISSED"

    def threshold_text(self) -> str:
        sign = "≥" if self.at_least else "≤"
        return f"{sign} {self.threshold:g}{' ' if self.unit != '×' else ''}{self.unit}"


def _path(*keys: str) -> Figure:
    def get(results: dict[str, Any]) -> float | None:
        value: Any = results
        for key in keys:
            value = value[key]
        return None if value is None else float(value)

    return get


def _growth(shape: str) -> Figure:
    """p50 at 1,000,000 listings over p50 at 10,000."""

    def get(results: dict[str, Any]) -> float | None:
        sizes = results["scale"][shape]
        return float(sizes["1000000"]["p50_ms"]) / float(sizes["10000"]["p50_ms"])

    return get


TARGETS = (
    Target(
        "(a) listing page, req/s over PostGraphile's", _path("peer", "a_page", "ratio"), 0.5, True
    ),
    Target(
        "(b) heavy page, req/s over PostGraphile's", _path("peer", "b_heavy", "ratio"), 0.5, True
    ),
    Target("(c) node(id:), req/s over PostGraphile's", _path("peer", "c_node", "ratio"), 0.5, True),
    Target(
        "(d) department with totalCount, req/s over PostGraphile's",
        _path("peer", "d_department", "ratio"),
        0.5,
        True,
    ),
    Target(
        "search through GraphQL, req/s over Meilisearch's (1 connection)",
        _path("search_peer", "ratio"),
        0.7,
        True,
    ),
    Target(
        "search through GraphQL, p50 added to Meilisearch's",
        _path("search_peer", "p50_delta_ms"),
        2.0,
        False,
        "ms",
    ),
    Target(
        "request+accept, SQLite, over the bare driver",
        _path("exchanges", "sqlite", "ratio"),
        0.25,
        True,
    ),
    Target(
        "request+accept, PostgreSQL, over the bare driver",
        _path("exchanges", "postgresql", "ratio"),
        0.25,
        True,
    ),
    Target(
        "publish→searchable p95 at 50/s, PostgreSQL",
        _path("freshness", "postgresql", "p95_s"),
        1.0,
        False,
        "s",
    ),
    Target(
        "publish→searchable p95 at 50/s, SQLite",
        _path("freshness", "sqlite", "p95_s"),
        2.0,
        False,
        "s",
    ),
    Target("listing page p50, 1M over 10k listings", _growth("page"), 1.5, False),
    Target(
        "department page with totalCount p50, 1M over 10k", _growth("department_total"), 1.5, False
    ),
    Target("search p50, 1M over 10k listings", _growth("search"), 1.5, False),
    Target("2 workers over 1, req/s of the page", _path("workers", "ratio"), 1.7, True),
)


def judge(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        value, verdict = target.judge(results)
        rows.append(
            {
                "target": target.name,
                "figure": None if value is None else round(value, 3),
                "threshold": target.threshold_text(),
                "verdict": verdict,
            }
        )
    return rows


def render(results: dict[str, Any]) -> str:
    """The Markdown table of every target of issue 14, item 2."""
    rows = judge(results)
    lines = [
        "## Targets (issue 14)",
        "",
        "| target | figure | threshold | |",
        "|---|---|---|---|",
    ]
    for row in rows:
        figure = "–" if row["figure"] is None else f"{row['figure']:g}"
        lines.append(f"| {row['target']} | {figure} | {row['threshold']} | {row['verdict']} |")
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("MET", "MISSED", "NOT MEASURED")}
    summary = ", ".join(f"{n} {v}" for v, n in counts.items())
    return "\n".join([*lines, "", summary, ""]) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else OUT / "results.json"
    print(render(json.loads(path.read_text())), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
