"""The open taxonomy of categories, with French and English labels (`data/taxonomy.csv`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.models import ListingKind
from core.settings import DEFAULT_DATA_DIR


@dataclass(frozen=True)
class Category:
    code: str
    kind: ListingKind
    label_fr: str
    label_en: str


@cache
def categories(path: Path = DEFAULT_DATA_DIR / "taxonomy.csv") -> dict[str, Category]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Category(
                row["code"], ListingKind(row["kind"]), row["label_fr"], row["label_en"]
            )
            for row in csv.DictReader(handle)
        }


def labels(code: str | None) -> list[str]:
    """The French and English labels of a category, for search; none for an unknown code."""
    category = categories().get(code or "")
    return [category.label_fr, category.label_en] if category else []
