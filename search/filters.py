"""Meilisearch filter expressions, built from typed values only.

User text never reaches a filter as syntax: every string is quoted and escaped by `quote`, so a
value like `" OR visibility = PRIVATE` stays one (useless) string.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.services.principal import Principal


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def any_of(attribute: str, values: Iterable[str]) -> str | None:
    quoted = [quote(v) for v in values]
    return f"{attribute} IN [{', '.join(quoted)}]" if quoted else None


def ints_in(attribute: str, values: Iterable[int]) -> str:
    return f"{attribute} IN [{', '.join(str(int(v)) for v in values)}]"


def visible_to(principal: Principal | None) -> str:
    """The twin of `core.services.visibility.visible_listings`; only published ones are indexed,
    and no hidden one (so its owner finds it through its own listings, not through search)."""
    rules = ['visibility = "PUBLIC"']
    if principal is not None and principal.organization_ids:
        if principal.network_ids:
            rules.append(
                f'(visibility = "NETWORK" AND {ints_in("networks", principal.network_ids)})'
            )
        rules.append(ints_in("organization_id", principal.organization_ids))
    return "(" + " OR ".join(rules) + ")"


def all_of(*conditions: str | None) -> str:
    return " AND ".join(f"({c})" for c in conditions if c)
