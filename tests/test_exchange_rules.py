"""The transition table is the one rule: the guards and `allowed_actions` agree everywhere.

For every state of the table (a REQUESTED exchange awaiting either side; a period started or
not) × every action × every kind of viewer, the service's transition runs in a savepoint that is
then rolled back: it succeeds exactly when `allowed_actions` lists the action, and a refusal is a
`Conflict` or a `NotAllowed`, never anything else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict, DomainError, NotAllowed
from core.models import Exchange, ExchangeSide, ExchangeState, Listing, Role
from core.services import exchanges as service
from core.services.exchange_commands import MessageDraft, Note, PeriodProposal
from core.services.exchange_rules import TABLE, ExchangeAction, allowed_actions, check
from core.services.principal import Principal
from tests.factories import make_exchange, make_listing, make_member, make_organization

Action = ExchangeAction
Call = Callable[[AsyncSession, Principal, int], Awaitable[object]]
LATER = datetime(2030, 6, 1, 9, tzinfo=UTC)
CALLS: dict[Action, Call] = {
    Action.MESSAGE: lambda s, p, pk: service.send_message(s, p, pk, MessageDraft(body="Bonjour")),
    Action.ACCEPT: lambda s, p, pk: service.accept_exchange(s, p, pk, Note()),
    Action.PROPOSE: lambda s, p, pk: service.propose_period(
        s, p, pk, PeriodProposal(starts_at=LATER, ends_at=LATER + timedelta(days=2))
    ),
    Action.DECLINE: lambda s, p, pk: service.decline_exchange(s, p, pk, Note()),
    Action.CANCEL: lambda s, p, pk: service.cancel_exchange(s, p, pk, Note()),
    Action.START: lambda s, p, pk: service.start_exchange(s, p, pk, Note()),
    Action.COMPLETE: lambda s, p, pk: service.complete_exchange(s, p, pk, Note()),
}
VIEWERS = ("owner_admin", "owner_member", "publisher", "requester", "in_both")


@dataclass(frozen=True)
class Situation:
    state: ExchangeState
    awaiting: ExchangeSide | None
    started: bool

    def __str__(self) -> str:
        awaiting = f"-awaiting-{self.awaiting.value}" if self.awaiting else ""
        return f"{self.state.value}{awaiting}-{'started' if self.started else 'ahead'}"


SITUATIONS = [
    Situation(state, awaiting, started)
    for state in dict.fromkeys(state for state, _ in TABLE)
    for awaiting in (tuple(ExchangeSide) if state == ExchangeState.REQUESTED else (None,))
    for started in (False, True)
]


def test_every_action_has_a_transition_to_try() -> None:
    assert set(CALLS) == set(Action) == {action for _, action in TABLE}


@pytest.mark.parametrize("situation", SITUATIONS, ids=str)
async def test_the_guards_refuse_exactly_what_allowed_actions_leaves_out(
    session: AsyncSession, situation: Situation
) -> None:
    viewers, exchange, listing = await _scene(session, situation)
    assert exchange.id is not None
    for name, viewer in viewers.items():
        allowed = allowed_actions(viewer, exchange, listing)
        for action in Action:
            outcome = await _attempt(session, CALLS[action], viewer, exchange.id)
            await session.refresh(exchange)
            await session.refresh(listing)
            case = f"{situation} {name} {action}"
            assert isinstance(outcome, Conflict | NotAllowed | None), case
            assert (outcome is None) == (action in allowed), f"{case}: {outcome}"


async def test_a_refusal_is_the_error_the_transition_raises(session: AsyncSession) -> None:
    viewers, exchange, listing = await _scene(
        session, Situation(ExchangeState.ACCEPTED, None, started=True)
    )
    with pytest.raises(Conflict, match="The period has started"):
        check(viewers["requester"], exchange, listing, Action.CANCEL)
    with pytest.raises(NotAllowed, match="needs the ADMIN or OWNER role"):
        check(viewers["owner_member"], exchange, listing, Action.START)
    with pytest.raises(Conflict, match="only a REQUESTED exchange can be accepted"):
        check(viewers["owner_admin"], exchange, listing, Action.ACCEPT)


async def test_the_owner_declines_a_request_awaiting_them_and_cancels_only_after_a_proposal(
    session: AsyncSession,
) -> None:
    viewers, exchange, listing = await _scene(
        session, Situation(ExchangeState.REQUESTED, ExchangeSide.OWNER, started=False)
    )
    admin = viewers["owner_admin"]

    assert Action.DECLINE in allowed_actions(admin, exchange, listing)
    assert Action.CANCEL not in allowed_actions(admin, exchange, listing)
    with pytest.raises(Conflict, match="decline it instead"):
        check(admin, exchange, listing, Action.CANCEL)

    exchange.awaiting = ExchangeSide.REQUESTER
    assert Action.CANCEL in allowed_actions(admin, exchange, listing)
    assert Action.DECLINE not in allowed_actions(admin, exchange, listing)


async def test_a_person_in_both_organizations_cancels_as_the_requester_and_writes_as_the_owner(
    session: AsyncSession,
) -> None:
    viewers, exchange, listing = await _scene(
        session, Situation(ExchangeState.REQUESTED, ExchangeSide.OWNER, started=False)
    )
    both = viewers["in_both"]

    cancel = check(both, exchange, listing, Action.CANCEL)
    message = check(both, exchange, listing, Action.MESSAGE)

    assert cancel.organization_id(exchange) == exchange.requester_organization_id
    assert message.organization_id(exchange) == exchange.owner_organization_id


async def _scene(
    session: AsyncSession, situation: Situation
) -> tuple[dict[str, Principal], Exchange, Listing]:
    lab = await make_organization(session, "Fablab")
    asking = await make_organization(session, "Tiers-lieu")
    members = {
        "owner_admin": await make_member(session, lab, Role.ADMIN),
        "owner_member": await make_member(session, lab, Role.MEMBER),
        "publisher": await make_member(session, lab, Role.MEMBER),
        "requester": await make_member(session, asking, Role.MEMBER),
        "in_both": await make_member(session, asking, Role.MEMBER),
    }
    assert lab.id is not None
    assert asking.id is not None
    viewers = {
        name: Principal(m.person.id or 0, m.membership.organization_id, m.membership.role)
        for name, m in members.items()
    }
    in_both = members["in_both"].person.id or 0
    viewers["in_both"] = Principal(
        in_both, memberships={asking.id: Role.MEMBER, lab.id: Role.MEMBER}
    )
    listing = await make_listing(session, lab, created_by_id=members["publisher"].person.id)
    now = datetime.now(UTC)
    starts_at = now - timedelta(days=1) if situation.started else LATER - timedelta(days=30)
    exchange = await make_exchange(
        session,
        listing,
        asking,
        situation.state,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=3),
        requested_by_id=members["requester"].person.id,
    )
    exchange.awaiting = situation.awaiting
    await session.flush()
    return viewers, exchange, listing


async def _attempt(
    session: AsyncSession, call: Call, viewer: Principal, exchange_id: int
) -> DomainError | None:
    """Run a transition and roll it back: None when it went through, else its refusal."""
    savepoint = await session.begin_nested()
    try:
        await call(session, viewer, exchange_id)
    except DomainError as error:
        return error
    finally:
        await savepoint.rollback()
    return None
