"""Creating mutations, counted per organization: one list, one check.

Each call of a mutation below spends one unit of its organization's `creations` budget (the
principal's default organization; a person without one is counted alone), whatever its outcome.
Past the budget the call is refused with a top-level error, `extensions.code = RATE_LIMITED` and
`extensions.retryAfter` (seconds): like not signed in, it is no fault of the input a client could
fix, so it is not a member of the mutations' result unions, and it reads the same as the 429 of
an exhausted request budget.
"""

from __future__ import annotations

from graphql import GraphQLError

from core.services.rate_limits import Budgets
from schema.context import Info

CREATING_MUTATIONS = frozenset(
    {
        "organizationCreate",
        "spaceCreate",
        "listingPublish",
        "listingPublishRecord",
        "listingBlock",
        "listingPhotoAdd",
        "exchangePhotoAdd",
        "alertCreate",
        "organizationInvite",
        "membershipRequest",
        "tokenCreate",
        "calendarFeedCreate",
        "exchangeRequest",
        "exchangeMessageSend",
        "spaceClaim",
        "listingReport",
    }
)
"""Mutations that create something another person sees or is told of, or that costs storage."""


async def count_creation(info: Info) -> None:
    """Spend one unit of the caller's organization's budget, or raise `RATE_LIMITED`."""
    limiter, principal = info.context.rate_limiter, info.context.principal
    if limiter is None or principal is None or info.field_name not in CREATING_MUTATIONS:
        return
    budget = Budgets.from_settings(info.context.settings).creations
    if principal.organization_id is not None:
        caller = f"organization:{principal.organization_id}"
    else:
        caller = f"person:{principal.person_id}"
    verdict = await limiter.check(budget, caller)
    if not verdict.allowed:
        message = (
            f"Your organization created too much in a short time: {info.field_name} is "
            f"refused for {verdict.retry_after} seconds."
        )
        extensions = {"code": "RATE_LIMITED", "retryAfter": verdict.retry_after}
        raise GraphQLError(message, extensions=extensions)
