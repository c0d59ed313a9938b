"""Write `queries_v2.jsonl` (or `queries_v3.jsonl`): a set labelled by facts of the corpus rows,
never by the engine.

    .venv/bin/python -m tests.search.relevance.label_queries_v2            # write the v2 file
    .venv/bin/python -m tests.search.relevance.label_queries_v2 --set v3   # the held-only v3 set
    .venv/bin/python -m tests.search.relevance.label_queries_v2 --show ID  # one label set

Each query is written for a class of need (`exact_fr`, `english`, `typo`, `concept`, `category`,
`radius`, `dates`, `kind_dir`, `match`) with a *target*: a predicate over the facts that
`build_corpus.py` copied from each row's SOURCE record (machine class and brand from fablabs.io,
ROME domain and macro-skill, ADEME category and group, 2011 material and class, family, Cartofriches
site type...). The labels are every row that satisfies the target and the query's filters (kinds,
direction, radius by haversine, availability window). The query's words play no part in them.

A target is a dict: `kind`, `direction` (a value or a list), `facts` ({name: value or list}; a
list-valued fact matches when it holds any of the values), and `any` (a list of targets, one of
which must hold). Every key present must hold.

`match` queries are corpus requests: the relevant offers share the request's `match` fact, have
its kind, another owner, lie within `search.matching.DEFAULT_RADIUS_KM` and overlap its window
from `MATCH_TODAY` on (a fixed day, so the labels do not age).

`half` comes from a stable hash of the id: `tune` (tune on it) or `held` (report it once).
The v3 set (`queries_v3_specs.py`) is held only: every query is `held`, its ids start with `v3:`,
no text of it is a v2 text, and its match class takes requests v2's match class did not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from datetime import date
from typing import Any

from core.services.communes import haversine_km
from search.matching import DEFAULT_RADIUS_KM
from tests.search.relevance import evaluation, queries_v2_specs, queries_v3_specs
from tests.search.relevance.label_queries import commune_points, fold, satisfies

Row = dict[str, Any]
MATCH_TODAY = evaluation.MATCH_TODAY


def half_of(query_id: str) -> str:
    digest = hashlib.sha1(query_id.encode(), usedforsecurity=False).digest()
    return "tune" if digest[0] % 2 == 0 else "held"


def _holds(value: Any, wanted: Any) -> bool:
    options = wanted if isinstance(wanted, list) else [wanted]
    if isinstance(value, list):
        return any(v in options for v in value)
    return value in options


def meets(row: Row, target: dict[str, Any]) -> bool:
    """The row satisfies the target predicate (see the module docstring)."""
    for field in ("kind", "direction", "category"):
        if field in target and not _holds(row[field], target[field]):
            return False
    facts = row["facts"]
    if any(not _holds(facts.get(n), v) for n, v in target.get("facts", {}).items()):
        return False
    return not ("any" in target and not any(meets(row, t) for t in target["any"]))


def query_id(spec: dict[str, Any]) -> str:
    filters = spec.get("filters", {})
    extra = "-".join(
        str(filters[k])
        for k in ("kinds", "direction", "commune", "radiusKm", "availableFrom")
        if k in filters
    )
    text = fold(spec["text"]).strip().replace(" ", "-")
    return f"{spec['class']}:{text}" + (
        f":{fold(extra).strip().replace(' ', '-')}" if extra else ""
    )


def labelled_searches(rows: list[Row], specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    points = commune_points()
    out = []
    for spec in specs:
        filters = spec.get("filters", {})
        relevant = [
            r["key"] for r in rows if meets(r, spec["target"]) and satisfies(r, filters, points)
        ]
        if spec.get("need_relevant") and not relevant:
            continue
        out.append(
            {
                "id": query_id(spec),
                "class": spec["class"],
                "half": "",
                "text": spec["text"],
                **({"filters": filters} if filters else {}),
                "target": spec["target"],
                "relevant": relevant,
                "note": spec.get("note", ""),
            }
        )
    return out


def _window_from_today(row: Row) -> tuple[date, date | None]:
    start = max(evaluation.parse_day(row["available_from"]) or MATCH_TODAY, MATCH_TODAY)
    return start, evaluation.parse_day(row["available_until"])


def match_relevant(request: Row, rows: list[Row]) -> list[str]:
    """Offers of the request's kind and `match` fact, another owner, in radius, window open."""
    start, end = _window_from_today(request)
    out = []
    for offer in rows:
        if offer["direction"] != "OFFER" or offer["kind"] != request["kind"]:
            continue
        if offer["owner"] == request["owner"]:
            continue
        if offer["facts"].get("match") != request["facts"].get("match"):
            continue
        distance = haversine_km(request["lat"], request["lon"], offer["lat"], offer["lon"])
        if distance > DEFAULT_RADIUS_KM:
            continue
        offer_from = evaluation.parse_day(offer["available_from"])
        offer_until = evaluation.parse_day(offer["available_until"])
        if end is not None and offer_from is not None and offer_from > end:
            continue
        if offer_until is not None and offer_until < start:
            continue
        out.append(offer["key"])
    return out


def labelled_matches(
    rows: list[Row], sample: dict[str, int], taken: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """A sample of requests with at least one relevant offer, spread over the four kinds, leaving
    out the requests in `taken` (v3 leaves out those v2's match class took)."""
    candidates: dict[str, list[tuple[int, Row, list[str]]]] = {}
    for row in rows:
        if row["direction"] != "REQUEST" or row["key"] in taken:
            continue
        start, end = _window_from_today(row)
        if end is not None and end < start:
            continue
        relevant = match_relevant(row, rows)
        if relevant:
            rank = int(hashlib.sha1(row["key"].encode(), usedforsecurity=False).hexdigest(), 16)
            candidates.setdefault(row["kind"], []).append((rank, row, relevant))
    out = []
    for kind, found in sorted(candidates.items()):
        for _, row, relevant in sorted(found, key=lambda c: c[0])[: sample[kind]]:
            out.append(
                {
                    "id": f"match:{row['key']}",
                    "class": "match",
                    "half": "",
                    "text": row["title"],
                    "source": row["key"],
                    "target": {"facts": {"match": row["facts"]["match"]}, "kind": kind},
                    "relevant": relevant,
                    "note": f"offers sharing match={row['facts']['match']!r}, other owner, "
                    f"<= {DEFAULT_RADIUS_KM:g} km, window open on {MATCH_TODAY}",
                }
            )
    return out


def v2_entries(rows: list[Row]) -> list[dict[str, Any]]:
    entries = labelled_searches(rows, queries_v2_specs.SPECS)
    entries += labelled_matches(rows, queries_v2_specs.MATCH_SAMPLE)
    for entry in entries:
        entry["half"] = half_of(entry["id"])
    return entries


def v3_entries(rows: list[Row]) -> list[dict[str, Any]]:
    """The held-only v3 set; refuses a text that v2 has (accents and case folded)."""
    v2_texts = {fold(spec["text"]).strip() for spec in queries_v2_specs.SPECS}
    reused = [s["text"] for s in queries_v3_specs.SPECS if fold(s["text"]).strip() in v2_texts]
    assert not reused, f"v3 texts that v2 has: {reused}"
    taken = frozenset(e["source"] for e in evaluation.queries_v2() if "source" in e)
    entries = labelled_searches(rows, queries_v3_specs.SPECS)
    entries += labelled_matches(rows, queries_v3_specs.MATCH_SAMPLE, taken)
    for entry in entries:
        entry["id"] = f"v3:{entry['id']}"
        entry["half"] = "held"
    return entries


def main(arguments: argparse.Namespace) -> None:
    rows = evaluation.corpus()
    by_key = {row["key"]: row for row in rows}
    entries = v3_entries(rows) if arguments.set == "v3" else v2_entries(rows)
    ids = Counter(e["id"] for e in entries)
    assert all(n == 1 for n in ids.values()), [i for i, n in ids.items() if n > 1]
    if arguments.show:
        for entry in entries:
            if entry["id"] in arguments.show.split(","):
                print(f"== {entry['id']} {entry['text']!r}: {len(entry['relevant'])}")
                for key in entry["relevant"]:
                    row = by_key[key]
                    print(f"   {row['kind'][:4]} {row['direction'][:3]} {row['title'][:80]}")
        return
    path = evaluation.QUERIES_V3 if arguments.set == "v3" else evaluation.QUERIES_V2
    with path.open("w", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"{path.name}: {len(entries)} queries")
    print(Counter((e["class"], e["half"]) for e in entries))
    empty = [e["id"] for e in entries if not e["relevant"]]
    print(f"{len(empty)} with nothing relevant: {empty}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", help="query ids, comma-separated")
    parser.add_argument("--set", choices=["v2", "v3"], default="v2")
    main(parser.parse_args())
