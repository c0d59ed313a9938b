"""Reading Meilisearch's task list: what the engine itself spent, task by task."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

_UNITS = {"D": 86400.0, "H": 3600.0, "M": 60.0, "S": 1.0}


def iso_duration_s(value: str | None) -> float:
    """Seconds of an ISO 8601 duration as Meilisearch writes them: `PT1.5S`, `PT2M3.25S`."""
    if not value or not value.startswith("P"):
        return 0.0
    seconds, number, in_time = 0.0, "", False
    for char in value[1:]:
        if char == "T":
            in_time = True
        elif char.isdigit() or char == ".":
            number += char
        elif char in _UNITS and number:
            # `M` is months before the `T` and minutes after it; Meilisearch never says months.
            seconds += float(number) * (_UNITS[char] if in_time or char == "D" else 0.0)
            number = ""
    return seconds


def instant(value: str) -> datetime:
    """Meilisearch's RFC 3339 instants carry nanoseconds; Python keeps microseconds."""
    head, _, rest = value.rstrip("Z").partition(".")
    fraction = (rest + "000000")[:6]
    return datetime.fromisoformat(f"{head}.{fraction}+00:00")


async def fetch(http: httpx.AsyncClient, **filters: str) -> list[dict[str, Any]]:
    """Every task matching `filters` (`indexUids`, `types`, `afterEnqueuedAt`), newest first."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 1000, **filters}
    for _ in range(100):  # bounded: 100,000 tasks at most
        response = await http.get("/tasks", params=params)
        response.raise_for_status()
        page = response.json()
        found += page["results"]
        if page.get("next") is None:
            break
        params["from"] = page["next"]
    return found


def by_index_and_type(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Count, documents and engine time of the tasks, grouped by index and type."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for task in tasks:
        groups.setdefault((task.get("indexUid") or "", task["type"]), []).append(task)
    summary = []
    for (index_uid, kind), group in sorted(groups.items()):
        durations = [iso_duration_s(t.get("duration")) for t in group]
        summary.append(
            {
                "index": index_uid,
                "type": kind,
                "tasks": len(group),
                "failed": sum(t["status"] != "succeeded" for t in group),
                "documents": sum(
                    int((t.get("details") or {}).get("indexedDocuments") or 0) for t in group
                ),
                "seconds": round(sum(durations), 2),
                "max_s": round(max(durations), 3),
            }
        )
    return summary
