"""How a mutation's input reads: only the fields the client sent."""

from __future__ import annotations

import strawberry


def given(input: object) -> dict[str, object]:
    """The fields of an input that the client actually sent (UNSET ones left out)."""
    return {k: v for k, v in vars(input).items() if v is not strawberry.UNSET}
