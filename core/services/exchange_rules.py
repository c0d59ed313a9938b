"""Who may do what to an exchange, in which state, and where it goes: the one transition table.

The guards of the transitions (`core.services.exchanges`) and `allowed_actions` (what the API
shows as `Exchange.viewerActions`) both read `TABLE`, so they cannot disagree. A refusal is the
error the transition raises; `allowed_actions` keeps the actions that would not be refused.

A check runs in this order: the state, the period not yet started, who acts, whose turn it is.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from core.error_codes import ExchangeErrorCode
from core.errors import Conflict, DomainError, NotAllowed, NotFound
from core.models import Exchange, ExchangeSide, ExchangeState, Listing
from core.models.base import utcnow
from core.services.principal import Principal

State = ExchangeState
Side = ExchangeSide


class ExchangeAction(enum.StrEnum):
    """What a party does to an exchange: the mutations' names without their `exchange` prefix
    (MESSAGE is `exchangeMessageSend`)."""

    MESSAGE = "MESSAGE"
    ACCEPT = "ACCEPT"
    PROPOSE = "PROPOSE"
    DECLINE = "DECLINE"
    CANCEL = "CANCEL"
    START = "START"
    COMPLETE = "COMPLETE"


Action = ExchangeAction


class Who(enum.Enum):
    OWNER = "any member of the listing's organization"
    DECIDER = "an ADMIN or OWNER of the listing's organization, or the listing's publisher"
    REQUESTER = "any member of the requesting organization"
    AWAITED = "who a REQUESTED exchange awaits: a decider, or the requester after a proposal"
    PROPOSER = (
        "a decider, once the owner proposed another period (a request they answer is declined)"
    )


@dataclass(frozen=True)
class Rule:
    to: State
    by: tuple[Who, ...]
    """Who may act; the first of them the viewer is says which side they act for."""
    awaiting: Side | None = None
    """Only while the exchange awaits this side's answer."""
    before_start: bool = False
    """Only before the exchange's period starts."""


TABLE: dict[tuple[State, Action], Rule] = {
    **{(state, Action.MESSAGE): Rule(state, (Who.OWNER, Who.REQUESTER)) for state in State},
    (State.REQUESTED, Action.ACCEPT): Rule(State.ACCEPTED, (Who.AWAITED,)),
    (State.REQUESTED, Action.PROPOSE): Rule(State.REQUESTED, (Who.DECIDER,), awaiting=Side.OWNER),
    (State.REQUESTED, Action.DECLINE): Rule(State.DECLINED, (Who.DECIDER,), awaiting=Side.OWNER),
    (State.REQUESTED, Action.CANCEL): Rule(State.CANCELLED, (Who.REQUESTER, Who.PROPOSER)),
    (State.ACCEPTED, Action.START): Rule(State.IN_PROGRESS, (Who.DECIDER,)),
    (State.ACCEPTED, Action.CANCEL): Rule(
        State.CANCELLED, (Who.REQUESTER, Who.DECIDER), before_start=True
    ),
    (State.IN_PROGRESS, Action.COMPLETE): Rule(State.COMPLETED, (Who.DECIDER,)),
}
"""State × action → who may act, and the state it moves to. Its order is `allowed_actions`'."""

_PAST_PARTICIPLE = {
    Action.MESSAGE: "written about",
    Action.ACCEPT: "accepted",
    Action.PROPOSE: "given another period",
    Action.DECLINE: "declined",
    Action.CANCEL: "cancelled",
    Action.START: "started",
    Action.COMPLETE: "completed",
}
_NOT_YOUR_TURN = {
    Action.PROPOSE: ExchangeErrorCode.ALREADY_PROPOSED,
    Action.DECLINE: ExchangeErrorCode.DECLINE_AFTER_PROPOSAL,
}


@dataclass(frozen=True)
class Permit:
    """An action the viewer may take now, and the side they take it for."""

    action: Action
    rule: Rule
    side: Side

    def organization_id(self, exchange: Exchange) -> int:
        if self.side == Side.OWNER:
            return exchange.owner_organization_id
        return exchange.requester_organization_id


def check(
    principal: Principal | None,
    exchange: Exchange,
    listing: Listing,
    action: Action,
    now: datetime | None = None,
) -> Permit:
    """The permit for `action`, or the error that refuses it (`Conflict`, `NotAllowed`)."""
    verdict = _verdict(principal, exchange, listing, action, now)
    if isinstance(verdict, DomainError):
        raise verdict
    return verdict


def allowed_actions(
    principal: Principal | None, exchange: Exchange, listing: Listing, now: datetime | None = None
) -> list[Action]:
    """What the viewer may do now, in the table's order; nothing for those who are no party."""
    if not sides_of(principal, exchange):
        return []
    return [
        action
        for state, action in TABLE
        if state == exchange.state
        and isinstance(_verdict(principal, exchange, listing, action, now), Permit)
    ]


def sides_of(principal: Principal | None, exchange: Exchange) -> list[Side]:
    """The sides the viewer acts for (both, rarely: a person in both organizations)."""
    if principal is None:
        return []
    parties = (
        (Side.OWNER, exchange.owner_organization_id),
        (Side.REQUESTER, exchange.requester_organization_id),
    )
    return [side for side, organization_id in parties if principal.acts_for(organization_id)]


def owner_decides(principal: Principal | None, exchange: Exchange, listing: Listing) -> bool:
    """Admins of the listing's organization, and the person who published the listing."""
    if principal is None:
        return False
    role = principal.role_in(exchange.owner_organization_id)
    return role is not None and (
        role.can_administer or listing.created_by_id == principal.person_id
    )


def _started(exchange: Exchange, now: datetime | None = None) -> bool:
    return exchange.starts_at is not None and exchange.starts_at <= (now or utcnow())


def _verdict(
    principal: Principal | None,
    exchange: Exchange,
    listing: Listing,
    action: Action,
    now: datetime | None,
) -> Permit | DomainError:
    rule = TABLE.get((exchange.state, action))
    if rule is None:
        names = " or ".join(state.value for state, each in TABLE if each == action)
        message = (
            f"This exchange is {exchange.state.value}: only a {names} exchange can be "
            f"{_PAST_PARTICIPLE[action]}."
        )
        return Conflict(ExchangeErrorCode.WRONG_STATE, message, value=exchange.state.value)
    if rule.before_start and _started(exchange, now):
        return Conflict(ExchangeErrorCode.ALREADY_STARTED)
    sides = (_side(who, principal, exchange, listing) for who in rule.by)
    side = next((side for side in sides if side is not None), None)
    if side is None:
        decides = owner_decides(principal, exchange, listing)
        return _refusal(rule.by[-1], principal, exchange, decides)
    if rule.awaiting is not None and exchange.awaiting != rule.awaiting:
        return Conflict(_NOT_YOUR_TURN[action])
    return Permit(action, rule, side)


def _side(
    who: Who, principal: Principal | None, exchange: Exchange, listing: Listing
) -> Side | None:
    """The side the viewer acts for as `who`, or None when they are not `who`."""
    if who == Who.AWAITED:
        who = Who.REQUESTER if exchange.awaiting == Side.REQUESTER else Who.DECIDER
    if who == Who.PROPOSER:
        if exchange.awaiting != Side.REQUESTER:
            return None
        who = Who.DECIDER
    if who == Who.DECIDER and not owner_decides(principal, exchange, listing):
        return None
    side = Side.REQUESTER if who == Who.REQUESTER else Side.OWNER
    return side if side in sides_of(principal, exchange) else None


def _refusal(
    who: Who, principal: Principal | None, exchange: Exchange, decides: bool
) -> DomainError:
    if who == Who.AWAITED and exchange.awaiting == Side.REQUESTER:
        return Conflict(ExchangeErrorCode.REQUESTER_MUST_ANSWER)
    if who == Who.PROPOSER and exchange.awaiting == Side.OWNER and decides:
        return Conflict(ExchangeErrorCode.DECLINE_INSTEAD)
    if who not in (Who.DECIDER, Who.AWAITED, Who.PROPOSER):
        return NotFound(
            ExchangeErrorCode.EXCHANGE_NOT_FOUND
        )  # not reached: those who are no party never get here
    if principal is not None and principal.acts_for(exchange.owner_organization_id):
        return NotAllowed(ExchangeErrorCode.OWNER_DECISION_ROLE)
    return NotAllowed(ExchangeErrorCode.OWNER_SIDE_ONLY)
