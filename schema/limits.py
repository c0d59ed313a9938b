"""What one request may ask for: page sizes, search radii and cursors, bounded by `Settings`.

Every list field checks its arguments here, so a limit is set once (`GRAPHQL_MAX_PAGE_SIZE`,
`GRAPHQL_MAX_RADIUS_KM`) and refused the same way everywhere: a `BAD_USER_INPUT` error that
names the argument.
"""

from __future__ import annotations

from core.services.pagination import PageRequest
from core.settings import Settings
from schema.relay import bad_argument, from_global_id


def page_size(first: int, settings: Settings) -> int:
    """`first`, from 1 to the page limit."""
    limit = settings.graphql_max_page_size
    if not 1 <= first <= limit:
        raise bad_argument("first", f"must be between 1 and {limit}")
    return first


def radius(radius_km: float | None, settings: Settings) -> float | None:
    """`radiusKm`, if given: more than 0 and at most the radius limit."""
    limit = settings.graphql_max_radius_km
    if radius_km is not None and not 0 < radius_km <= limit:
        raise bad_argument("radiusKm", f"must be more than 0 and at most {limit:g}")
    return radius_km


def page_request(first: int, after: str | None, settings: Settings) -> PageRequest:
    """A page of a database list: `first` items after the row an `after` cursor names."""
    return PageRequest(first=page_size(first, settings), after=_decode(after, "cursor"))


def offset(after: str | None) -> int:
    """Where a page of search hits starts: the offset an `after` cursor names, else 0."""
    return _decode(after, "offset") or 0


def _decode(after: str | None, kind: str) -> int | None:
    if after is None:
        return None
    decoded = from_global_id(after)
    if decoded is None or decoded[0] != kind:
        raise bad_argument("after", "not a cursor returned by this API")
    return decoded[1]
