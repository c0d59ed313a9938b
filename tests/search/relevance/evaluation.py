"""The relevance set: the corpus, the labelled queries, and the measures.

Shared by `tests/search/test_relevance.py` (the real database, the relay, a real Meilisearch) and
`explore.py` (a quick loop for tuning synonyms, straight into Meilisearch, no database).

Measures, per query, over the hits Meilisearch returns in order:
- precision@5 = relevant hits among the first 5 / min(5, relevant). With matchingStrategy "last"
  Meilisearch pads every answer with partial matches, so the plain ratio (over 5) of a query with 2
  relevant listings can never pass 0.4 even when both come first; dividing by min(5, relevant)
  judges the ranking (are the slots that could hold a right answer holding one?). The plain ratio
  is computed too (`strict_precision_at_5`) and reported, not asserted.
- recall@10 = relevant hits among the first 10 / min(10, relevant); so a query with 40 relevant
  listings scores 1 when its first 10 hits are all relevant.
- A query with nothing relevant (a radius with nothing in it) scores 1 on both if it returns
  nothing, else 0 on precision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from core.models import Direction, Listing, ListingKind, ListingStatus, Visibility
from core.services.communes import haversine_km
from search.listings_search import GeoPoint, ListingQuery

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.jsonl"
QUERIES = HERE / "queries.jsonl"
MATCHES = HERE / "matches.jsonl"
QUERIES_V2 = HERE / "queries_v2.jsonl"
QUERIES_V3 = HERE / "queries_v3.jsonl"
# The day the v2 request->offer labels are computed from (windows are compared from "today" on).
MATCH_TODAY = date(2026, 6, 1)
GEO_TOLERANCE_KM = 0.5  # Meilisearch's and our haversine differ by metres, not more


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def corpus() -> list[dict[str, Any]]:
    return read_jsonl(CORPUS)


def queries() -> list[dict[str, Any]]:
    return read_jsonl(QUERIES)


def queries_v2(half: str | None = None) -> list[dict[str, Any]]:
    """The v2 set (`label_queries_v2.py`), one half of it when asked."""
    specs = read_jsonl(QUERIES_V2)
    return [s for s in specs if half is None or s["half"] == half]


def queries_v3() -> list[dict[str, Any]]:
    """The v3 set (`label_queries_v2.py --set v3`): held only, for the report of a round."""
    return read_jsonl(QUERIES_V3)


def match_cases() -> list[dict[str, Any]]:
    """Matching cases: listings to add to the corpus, and what each one's matches must hold.

    Their dates are counted in days from today (`from_days`, `until_days`), since matching
    compares windows from today on."""
    return read_jsonl(MATCHES)


def with_days(row: dict[str, Any], today: date) -> dict[str, Any]:
    """A match case's listing as a corpus row, its days turned into dates."""

    def day(offset: int | None) -> str | None:
        return None if offset is None else (today + timedelta(days=offset)).isoformat()

    return row | {
        "available_from": day(row["from_days"]),
        "available_until": day(row["until_days"]),
    }


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def listing_query(spec: dict[str, Any], near: GeoPoint | None, limit: int = 10) -> ListingQuery:
    """The typed query of a labelled query; `near` is already resolved (point or commune)."""
    filters = spec.get("filters", {})
    return ListingQuery(
        text=spec["text"],
        kinds=tuple(ListingKind(k) for k in filters.get("kinds", ())),
        direction=Direction(filters["direction"]) if "direction" in filters else None,
        near=near,
        radius_km=filters.get("radiusKm") if near is not None else None,
        available_from=parse_day(filters.get("availableFrom")),
        available_until=parse_day(filters.get("availableUntil")),
        limit=limit,
        facets=(),
    )


def corpus_listing(row: dict[str, Any], organization_id: int, **fields: Any) -> Listing:
    """A published, public listing from one corpus row (the test and the tuning script share it)."""
    return Listing(
        ref=row["key"],
        organization_id=organization_id,
        direction=Direction(row["direction"]),
        kind=ListingKind(row["kind"]),
        category=row["category"],
        title=row["title"],
        description=row["description"],
        tags=row["tags"],
        commune_insee=row["commune"],
        department_code=row["department"],
        region_code=row["region"],
        latitude=row["lat"],
        longitude=row["lon"],
        available_from=parse_day(row["available_from"]),
        available_until=parse_day(row["available_until"]),
        details=row.get("details", {}),
        status=ListingStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        **fields,
    )


@dataclass
class Outcome:
    spec: dict[str, Any]
    returned: list[str]  # corpus keys, best first
    precision_at_5: float = 0.0
    recall_at_10: float = 0.0
    strict_precision_at_5: float = 0.0
    outside_radius: list[str] = field(default_factory=list)
    crowded: int = 0  # hits in the first 10 beyond the 2nd of one owner with one title

    @property
    def id(self) -> str:
        return str(self.spec["id"])

    @property
    def category(self) -> str:
        """The v1 set's category, or the v2 set's class."""
        return str(self.spec.get("category") or self.spec["class"])

    @property
    def half(self) -> str:
        return str(self.spec.get("half", ""))


def score(spec: dict[str, Any], returned: list[str]) -> Outcome:
    relevant = set(spec["relevant"])
    outcome = Outcome(spec, returned)
    top5, top10 = returned[:5], returned[:10]
    if not relevant:
        outcome.precision_at_5 = outcome.strict_precision_at_5 = 1.0 if not returned else 0.0
        outcome.recall_at_10 = 1.0
        return outcome
    found = sum(k in relevant for k in top5)
    outcome.precision_at_5 = found / min(5, len(relevant))
    outcome.strict_precision_at_5 = found / 5
    outcome.recall_at_10 = sum(k in relevant for k in top10) / min(10, len(relevant))
    return outcome


def check_radius(
    outcome: Outcome, near: GeoPoint | None, rows: dict[str, dict[str, Any]], hits: int
) -> None:
    """Every returned listing must lie within the query's radius (all of them, not the top 10)."""
    radius = outcome.spec.get("filters", {}).get("radiusKm")
    if near is None or radius is None:
        return
    for key in outcome.returned[:hits]:
        row = rows[key]
        if row["lat"] is None or haversine_km(near.lat, near.lon, row["lat"], row["lon"]) > (
            radius + GEO_TOLERANCE_KM
        ):
            outcome.outside_radius.append(key)


def count_crowding(outcome: Outcome, rows: dict[str, dict[str, Any]]) -> None:
    """Issue 15's diversity rule allows two results of one owner with one title on a page:
    count the hits of the first 10 beyond those two (reported, not scored)."""
    seen: dict[tuple[str, str], int] = {}
    for key in outcome.returned[:10]:
        group = (rows[key].get("owner", key), rows[key]["title"])
        seen[group] = seen.get(group, 0) + 1
    outcome.crowded = sum(max(0, n - 2) for n in seen.values())


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summary(outcomes: list[Outcome]) -> dict[str, tuple[int, float, float, float]]:
    """category -> (queries, mean precision@5, mean recall@10, mean plain P@5), plus 'ALL'."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.category, []).append(outcome)
    groups["ALL"] = outcomes
    return {
        name: (
            len(group),
            mean([o.precision_at_5 for o in group]),
            mean([o.recall_at_10 for o in group]),
            mean([o.strict_precision_at_5 for o in group]),
        )
        for name, group in groups.items()
    }


def table(outcomes: list[Outcome], rows: dict[str, dict[str, Any]]) -> str:
    """A per-query table (worst first), then the means by category."""
    lines = [f"{'query':<10} {'category':<12} {'P@5':>5} {'R@10':>5} {'rel':>4}  text / top 3"]
    for o in sorted(outcomes, key=lambda o: (o.precision_at_5 + o.recall_at_10, o.id)):
        top = " | ".join(
            ("+" if k in o.spec["relevant"] else "-") + rows[k]["title"][:38]
            for k in o.returned[:3]
        )
        lines.append(
            f"{o.id:<10} {o.category:<12} {o.precision_at_5:5.2f} {o.recall_at_10:5.2f}"
            f" {len(o.spec['relevant']):4d}  {o.spec['text']!r}: {top}"
        )
    lines.append("")
    lines.append(f"{'category':<12} {'n':>3} {'P@5':>6} {'R@10':>6} {'P@5/5':>6}")
    rows_by_name = sorted(summary(outcomes).items(), key=lambda i: (i[0] == "ALL", i[0]))
    for name, (n, p, r, strict) in rows_by_name:
        lines.append(f"{name:<12} {n:3d} {p:6.3f} {r:6.3f} {strict:6.3f}")
    return "\n".join(lines)


def owners(rows: list[dict[str, Any]]) -> list[str]:
    """The corpus's owners in a stable order (one organization each, so that matching, which
    leaves out the asking organization's own listings, and the diversity rule see real owners)."""
    return sorted({row["owner"] for row in rows})


def halves_table(outcomes: list[Outcome]) -> str:
    """The v2 set: the means by class, one block per half (tune first), and radius violations."""
    lines = []
    for half in ("tune", "held"):
        group = [o for o in outcomes if o.half == half]
        if not group:
            continue
        lines.append(f"-- half: {half}")
        lines.append(
            f"{'class':<12} {'n':>3} {'P@5':>6} {'R@10':>6} {'P@5/5':>6} {'outside':>7} {'crowded':>7}"
        )
        by_name = sorted(summary(group).items(), key=lambda i: (i[0] == "ALL", i[0]))
        for name, (n, p, r, strict) in by_name:
            members = [o for o in group if name in ("ALL", o.category)]
            outside = sum(len(o.outside_radius) for o in members)
            crowded = sum(o.crowded for o in members)
            lines.append(
                f"{name:<12} {n:3d} {p:6.3f} {r:6.3f} {strict:6.3f} {outside:7d} {crowded:7d}"
            )
    return "\n".join(lines)
