"""Page sizes, radii and cursors are bounded by the settings, and refused naming the argument."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from core.services.pagination import PageRequest
from core.settings import Settings
from schema import limits
from schema.relay import to_global_id

SMALL = Settings(graphql_max_page_size=5, graphql_max_radius_km=20)


def _refusal(error: pytest.ExceptionInfo[GraphQLError]) -> tuple[str, str]:
    return (error.value.extensions or {})["field"], error.value.message


def test_the_page_size_is_bounded_by_the_settings() -> None:
    assert limits.page_size(5, SMALL) == 5
    with pytest.raises(GraphQLError) as error:
        limits.page_size(6, SMALL)
    assert _refusal(error) == ("first", "first: must be between 1 and 5")


def test_the_radius_is_bounded_by_the_settings() -> None:
    assert limits.radius(None, SMALL) is None
    assert limits.radius(20, SMALL) == 20
    with pytest.raises(GraphQLError) as error:
        limits.radius(20.5, SMALL)
    assert _refusal(error) == ("radiusKm", "radiusKm: must be more than 0 and at most 20")


def test_a_cursor_of_another_kind_is_refused() -> None:
    assert limits.page_request(3, to_global_id("cursor", 12), SMALL) == PageRequest(3, 12)
    assert limits.offset(to_global_id("offset", 40)) == 40
    assert limits.offset(None) == 0
    with pytest.raises(GraphQLError) as error:
        limits.offset(to_global_id("cursor", 40))
    assert _refusal(error) == ("after", "after: not a cursor returned by this API")
