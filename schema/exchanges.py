"""Exchanges: the type, `exchanges`, and request / accept / propose / decline / cancel / start /
complete / message. Only the two organizations taking part ever see an exchange."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import strawberry

from core import models
from core.error_codes import AccountErrorCode, ExchangeErrorCode
from core.errors import InputErrorCode, InvalidInput, NotAllowed, NotAuthenticated, NotFound
from core.models import ExchangeEventKind, ExchangeSide, ExchangeState, PhotoStage
from core.services import exchange_reads as reads
from core.services import exchanges as service
from core.services.exchange_commands import ExchangeDraft, MessageDraft, Note, PeriodProposal
from core.services.exchange_rules import ExchangeAction, allowed_actions, sides_of
from core.services.validation import parse
from schema.agreements import Agreement, agreement_of_exchange
from schema.context import Info
from schema.errors import (
    ConflictError,
    Idempotent,
    InputError,
    NotAllowedError,
    NotFoundError,
    creation,
    idempotency_key_field,
    run_mutation,
    top_level,
    without_key,
)
from schema.limits import page_request
from schema.listings import Listing
from schema.organizations import Organization, load_organization
from schema.photos import Photo, exchange_photos
from schema.relay import (
    After,
    Connection,
    First,
    Node,
    bad_argument,
    expect_id,
    input_id,
    to_global_id,
)
from schema.spaces import Space, load_space
from schema.training_checks import TrainingCheck, training_check_of

Row = TypeVar("Row", models.Exchange, models.ExchangeMessage)

strawberry.enum(
    ExchangeState,
    description="REQUESTED → ACCEPTED → IN_PROGRESS (handed over) → COMPLETED; or DECLINED by "
    "the listing's organization, or CANCELLED by either side before the start.",
)
strawberry.enum(
    ExchangeSide,
    description="OWNER: the organization whose listing it is. REQUESTER: the one that asked.",
)
strawberry.enum(ExchangeEventKind, description="What changed in an exchange.")


strawberry.enum(ExchangeAction, description="What the viewer may do with an exchange now.")


@strawberry.type(description="What a completed exchange was worth; null figures are unknown.")
class ExchangeImpact:
    kg_reused: float | None = strawberry.field(
        description="Material reused: quantity × unit weight (or the quantity, in kg or t)."
    )
    distance_km: float | None = strawberry.field(
        description="As the crow flies, between the listing's place and the requester's."
    )
    skill_hours: float | None = strawberry.field(description="Hours of skills shared.")
    equipment_days: float | None = strawberry.field(description="Days a machine was lent.")
    premises_days: float | None = strawberry.field(description="Days premises were occupied.")


@strawberry.type(description="One change of an exchange: who did what, when.")
class ExchangeEvent:
    kind: ExchangeEventKind = strawberry.field(description="What happened.")
    from_state: ExchangeState | None = strawberry.field(description="The state before.")
    to_state: ExchangeState = strawberry.field(description="The state after.")
    note: str = strawberry.field(description="The reason or condition note given, if any.")
    created_at: datetime.datetime = strawberry.field(description="When.")
    proposed_starts_at: datetime.datetime | None = strawberry.field(
        description="PROPOSED events: the start of the period proposed."
    )
    proposed_ends_at: datetime.datetime | None = strawberry.field(
        description="PROPOSED events: the end of the period proposed."
    )
    actor_pk: strawberry.Private[int | None]
    organization_pk: strawberry.Private[int | None]
    accepted_without_training: bool = strawberry.field(
        default=False,
        description="ACCEPTED events: the host accepted though the requester did not hold the "
        "trainings the listing requires (its `trainingCheck` was not satisfied).",
    )

    @classmethod
    def from_row(cls, row: models.ExchangeEvent) -> ExchangeEvent:
        proposed = row.data.get("to") or [None, None]
        return cls(
            kind=row.kind,
            from_state=row.from_state,
            to_state=row.to_state,
            note=row.note,
            created_at=row.created_at,
            proposed_starts_at=_moment(proposed[0]),
            proposed_ends_at=_moment(proposed[1]),
            actor_pk=row.actor_person_id,
            organization_pk=row.actor_organization_id,
            accepted_without_training="training_check" in row.data,
        )

    @strawberry.field(description="The name of the person who did it (never their e-mail).")
    async def actor_name(self, info: Info) -> str | None:
        return await _person_name(info, self.actor_pk)

    @strawberry.field(description="The organization they acted for.")
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.organization_pk)


@strawberry.type(description="A message of an exchange's thread between the two organizations.")
class ExchangeMessage:
    pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The message's global id.")
    author_pk: strawberry.Private[int | None]
    organization_pk: strawberry.Private[int]
    body: str = strawberry.field(description="The text, up to 5,000 characters.")
    created_at: datetime.datetime = strawberry.field(description="When it was sent.")

    @classmethod
    def from_row(cls, row: models.ExchangeMessage) -> ExchangeMessage:
        assert row.id is not None
        return cls(
            id=to_global_id("ExchangeMessage", row.id),
            pk=row.id,
            author_pk=row.author_person_id,
            organization_pk=row.author_organization_id,
            body=row.body,
            created_at=row.created_at,
        )

    @strawberry.field(description="The author's name (their e-mail is never shown).")
    async def author_name(self, info: Info) -> str | None:
        return await _person_name(info, self.author_pk)

    @strawberry.field(description="The organization the author wrote for.")
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.organization_pk)

    @strawberry.field(description="The viewer wrote it.")
    def mine(self, info: Info) -> bool:
        principal = info.context.principal
        return principal is not None and principal.person_id == self.author_pk


@strawberry.type(description="An exchange's thread, oldest first.")
class ExchangeMessageConnection(Connection[ExchangeMessage]):
    pass


@strawberry.type(
    description="A loan, booking, occupation, donation or skill session between the listing's "
    "organization (OWNER) and the one that asked (REQUESTER). Only they can see it."
)
class Exchange(Node):
    row: strawberry.Private[models.Exchange]
    state: ExchangeState = strawberry.field(description="Where it stands.")
    awaiting: ExchangeSide | None = strawberry.field(
        description="REQUESTED: who must answer (the requester after the owner proposed another "
        "period); null otherwise."
    )
    starts_at: datetime.datetime | None = strawberry.field(description="Start of the period.")
    ends_at: datetime.datetime | None = strawberry.field(
        description="End of the period (excluded: back-to-back periods do not overlap)."
    )
    quantity: float | None = strawberry.field(description="Materials: how much.")
    hours: float | None = strawberry.field(description="Skills: how many hours.")
    in_return: str = strawberry.field(description="What the requester offers in return.")
    unit: int | None = strawberry.field(
        description="Which unit of the listing is booked (1 when it has one), once accepted."
    )
    reason: str = strawberry.field(description="Why it was declined or cancelled.")
    start_note: str = strawberry.field(description="The condition noted at handover.")
    end_note: str = strawberry.field(description="The condition noted at return or completion.")
    created_at: datetime.datetime = strawberry.field(description="When it was requested.")
    updated_at: datetime.datetime = strawberry.field(description="When it last changed.")
    completed_at: datetime.datetime | None = strawberry.field(description="When it completed.")

    @classmethod
    def from_row(cls, row: models.Exchange) -> Exchange:
        assert row.id is not None
        return cls(
            id=to_global_id("Exchange", row.id),
            row=row,
            state=row.state,
            awaiting=row.awaiting,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            quantity=_float(row.quantity),
            hours=_float(row.hours),
            in_return=row.in_return,
            unit=row.unit,
            reason=row.reason,
            start_note=row.start_note,
            end_note=row.end_note,
            created_at=row.created_at,
            updated_at=row.updated_at,
            completed_at=row.completed_at,
        )

    @strawberry.field(description="The listing, as it is now (the parties always see it).")
    async def listing(self, info: Info) -> Listing | None:
        row = await info.context.loaders.exchange_listing_by_id.load(self.row.listing_id)
        return Listing.from_row(row) if row else None

    @strawberry.field(description="The organization whose listing it is.")
    async def owner(self, info: Info) -> Organization | None:
        return await load_organization(info, self.row.owner_organization_id)

    @strawberry.field(description="The organization that asked.")
    async def requester(self, info: Info) -> Organization | None:
        return await load_organization(info, self.row.requester_organization_id)

    @strawberry.field(description="The requester's place the exchange is for, if given.")
    async def requester_space(self, info: Info) -> Space | None:
        return await load_space(info, self.row.requester_space_id)

    @strawberry.field(description="The sides the viewer acts for (both only if in both).")
    def viewer_sides(self, info: Info) -> list[ExchangeSide]:
        return sides_of(info.context.principal, self.row)

    @strawberry.field(description="What the viewer may do now, e.g. ACCEPT or CANCEL.")
    async def viewer_actions(self, info: Info) -> list[ExchangeAction]:
        listing = await info.context.loaders.exchange_listing_by_id.load(self.row.listing_id)
        if listing is None:
            return []
        return allowed_actions(info.context.principal, self.row, listing)

    @strawberry.field(description="Every change, oldest first.")
    async def events(self, info: Info) -> list[ExchangeEvent]:
        rows = await info.context.loaders.exchange_events.load(self.row.id or 0)
        return [ExchangeEvent.from_row(row) for row in rows]

    @strawberry.field(description="The thread between the two organizations, oldest first.")
    async def messages(
        self, info: Info, first: First = 50, after: After = None
    ) -> Connection[ExchangeMessage]:
        request = page_request(first, after, info.context.settings)
        page = await reads.browse_messages(info.context.session, self.row.id or 0, request)
        nodes = [ExchangeMessage.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda m: m.pk, after)

    @strawberry.field(description="What it was worth, once COMPLETED; null before.")
    def impact(self) -> ExchangeImpact | None:
        if self.row.state != ExchangeState.COMPLETED:
            return None
        return ExchangeImpact(
            kg_reused=self.row.kg_reused,
            distance_km=self.row.distance_km,
            skill_hours=self.row.skill_hours,
            equipment_days=self.row.equipment_days,
            premises_days=self.row.premises_days,
        )

    @strawberry.field(
        description="For the listing's organization, when its equipment requires trainings: "
        "whether the person who asked, or a member of their organization who shares their "
        "passport with the host, holds them under its rule. Null for anyone else."
    )
    async def training_check(self, info: Info) -> TrainingCheck | None:
        return await training_check_of(info, self.row)

    @strawberry.field(
        description="Photos of the object's condition, by stage (HANDOVER first) then in order: "
        "at most 8 a stage. Only the two parties see them."
    )
    async def photos(
        self,
        info: Info,
        stage: Annotated[
            PhotoStage | None, strawberry.argument(description="Only this stage's photos.")
        ] = None,
    ) -> list[Photo]:
        return await exchange_photos(info, self.row.id or 0, stage)

    @strawberry.field(
        description="The agreement drafted when the exchange was accepted; null before (and for "
        "an exchange accepted before agreements existed, until a side edits or accepts it)."
    )
    async def agreement(self, info: Info) -> Agreement | None:
        return await agreement_of_exchange(info, self.row)


async def load_exchange(info: Info, pk: int) -> Exchange | None:
    row = await info.context.loaders.exchange_by_id.load(pk)
    return Exchange.from_row(row) if row else None


async def _person_name(info: Info, pk: int | None) -> str | None:
    if pk is None:
        return None
    person = await info.context.loaders.person_by_id.load(pk)
    return person.display_name if person else None


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _moment(value: Any) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else None


# --- inputs and results ----------------------------------------------------------------------


@strawberry.input(description="Which of the viewer's exchanges; all given filters must match.")
class ExchangeFilter:
    states: list[ExchangeState] | None = strawberry.field(
        default=None, description="In any of these states."
    )
    side: ExchangeSide | None = strawberry.field(
        default=None, description="OWNER: asked of the viewer's organizations. REQUESTER: asked by."
    )
    listing_id: strawberry.ID | None = strawberry.field(
        default=None, description="About this listing."
    )
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Of this organization of the viewer's, on either side."
    )


@strawberry.input(
    description="A request: a period for equipment and premises, a quantity for materials, "
    "hours or a period for skills."
)
class ExchangeRequestInput:
    listing_id: strawberry.ID = strawberry.field(description="The listing asked for.")
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="The organization you ask for; your current one by default."
    )
    space_id: strawberry.ID | None = strawberry.field(
        default=None, description="Your place it is for (for the distance)."
    )
    starts_at: datetime.datetime | None = strawberry.field(
        default=None, description="Start of the period, with a time zone offset."
    )
    ends_at: datetime.datetime | None = strawberry.field(
        default=None, description="End of the period (excluded), after the start."
    )
    quantity: float | None = strawberry.field(
        default=None, description="Materials: how much, more than 0 and at most what is left."
    )
    hours: float | None = strawberry.field(default=None, description="Skills: how many hours.")
    message: str = strawberry.field(
        default="", description="The first message of the thread, up to 5,000 characters."
    )
    in_return: str = strawberry.field(
        default="", description="What you offer in return, e.g. '10 h of facilitation'."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Another period for a request, proposed by the listing's owner.")
class ExchangeProposeInput:
    id: strawberry.ID = strawberry.field(description="The exchange.")
    starts_at: datetime.datetime = strawberry.field(description="Start, with a time zone offset.")
    ends_at: datetime.datetime = strawberry.field(description="End (excluded).")
    note: str = strawberry.field(default="", description="Why, up to 2,000 characters.")


@strawberry.input(description="A message in an exchange's thread.")
class ExchangeMessageSendInput:
    exchange_id: strawberry.ID = strawberry.field(description="The exchange.")
    body: str = strawberry.field(description="1 to 5,000 characters.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The exchange, as it is after the change.")
class ExchangeChangeSuccess:
    exchange: Exchange = strawberry.field(description="The exchange.")


@strawberry.type(description="The message was sent (or had been, with the same key).")
class ExchangeMessageSendSuccess:
    exchange_message: ExchangeMessage = strawberry.field(description="The message.")


ExchangeRequestResult = Annotated[
    ExchangeChangeSuccess | InputError | ConflictError | NotAllowedError,
    strawberry.union(
        "ExchangeRequestResult", description="The exchange requested, or why not (nothing written)."
    ),
]
ExchangeAcceptResult = Annotated[
    ExchangeChangeSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union(
        "ExchangeAcceptResult", description="The exchange accepted, or why not (nothing written)."
    ),
]
ExchangeProposeResult = Annotated[
    ExchangeChangeSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union(
        "ExchangeProposeResult",
        description="The exchange with the period proposed, or why not (nothing written).",
    ),
]
ExchangeDeclineResult = Annotated[
    ExchangeChangeSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union(
        "ExchangeDeclineResult", description="The exchange declined, or why not (nothing written)."
    ),
]
ExchangeCancelResult = Annotated[
    ExchangeChangeSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union(
        "ExchangeCancelResult", description="The exchange cancelled, or why not (nothing written)."
    ),
]
ExchangeStartResult = Annotated[
    ExchangeChangeSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union(
        "ExchangeStartResult", description="The exchange handed over, or why not (nothing written)."
    ),
]
ExchangeCompleteResult = Annotated[
    ExchangeChangeSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union(
        "ExchangeCompleteResult",
        description="The exchange completed, or why not (nothing written).",
    ),
]
ExchangeMessageSendResult = Annotated[
    ExchangeMessageSendSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("ExchangeMessageSendResult", description="The message, or why not."),
]

ExchangeId = Annotated[strawberry.ID, strawberry.argument(description="The exchange.")]
NoteArgument = Annotated[
    str, strawberry.argument(description="An optional note, up to 2,000 characters.")
]
ReasonArgument = Annotated[
    str, strawberry.argument(description="Why, up to 1,000 characters; the other side reads it.")
]


def _exchange_pk(id: str) -> int:
    pk = expect_id(id, "Exchange")
    if pk is None:
        message = f"No exchange with id {id}."
        raise NotFound(ExchangeErrorCode.EXCHANGE_NOT_FOUND, message, value=id)
    return pk


async def _own_row(info: Info, model: type[Row], pk: int) -> Row | None:
    """What the viewer's first call created (the idempotency key is the viewer's own)."""
    return await info.context.session.get(model, pk)


def _changed(row: models.Exchange) -> ExchangeChangeSuccess:
    return ExchangeChangeSuccess(exchange=Exchange.from_row(row))


Transition = Callable[..., Awaitable[models.Exchange]]
TransitionResult = (
    ExchangeChangeSuccess | InputError | NotFoundError | ConflictError | NotAllowedError
)


async def _transition(
    info: Info, act: Transition, id: str, note: str, field: str
) -> TransitionResult:
    """One state change: the note is a `reason` (1,000 characters) or a `note` (2,000)."""
    limit = 1000 if field == "reason" else 2000

    async def change() -> models.Exchange:
        if len(note) > limit:
            message = f"at most {limit:,} characters"
            raise InvalidInput.one(field, InputErrorCode.TOO_LONG, message, value=str(limit))
        command = Note(note=note.strip())
        return await act(info.context.session, info.context.principal, _exchange_pk(id), command)

    return await run_mutation(info, change, _changed)


@strawberry.type
class ExchangeQuery:
    @strawberry.field(description="The exchanges of the viewer's organizations, newest first.")
    async def exchanges(
        self,
        info: Info,
        filter: Annotated[
            ExchangeFilter | None, strawberry.argument(description="Which ones.")
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[Exchange]:
        principal = info.context.principal
        if principal is None:
            raise top_level(NotAuthenticated(AccountErrorCode.SIGN_IN_REQUIRED))
        request = page_request(first, after, info.context.settings)
        criteria = _filter(filter)
        try:
            page = await reads.browse_exchanges(info.context.session, principal, criteria, request)
        except NotAllowed as error:
            raise top_level(error) from None
        nodes = [Exchange.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda e: int(e.row.id or 0), after)


def _filter(given: ExchangeFilter | None) -> reads.ExchangeFilter:
    if given is None:
        return reads.ExchangeFilter()
    listing_id = organization_id = None
    if (
        given.listing_id is not None
        and (listing_id := expect_id(given.listing_id, "Listing")) is None
    ):
        raise bad_argument("filter.listingId", "not the id of a Listing")
    if (
        given.organization_id is not None
        and (organization_id := expect_id(given.organization_id, "Organization")) is None
    ):
        raise bad_argument("filter.organizationId", "not the id of an Organization")
    return reads.ExchangeFilter(
        states=tuple(given.states or ()),
        side=given.side,
        listing_id=listing_id,
        organization_id=organization_id,
    )


@strawberry.type
class ExchangeMutation:
    @strawberry.mutation(
        description="Ask for an exchange on a listing of another organization. Its members are "
        "notified; no e-mail address is shown to either side."
    )
    async def exchange_request(
        self,
        info: Info,
        input: Annotated[ExchangeRequestInput, strawberry.argument(description="The request.")],
    ) -> ExchangeRequestResult:
        async def request() -> models.Exchange:
            data = {k: v for k, v in without_key(input).items() if v is not None}
            data["listing_id"] = input_id(input.listing_id, "Listing", "listing_id")
            data["organization_id"] = input_id(
                input.organization_id, "Organization", "organization_id"
            )
            data["space_id"] = input_id(input.space_id, "Space", "space_id")
            for name in ("quantity", "hours"):
                if name in data:
                    data[name] = Decimal(str(data[name]))
            draft = parse(ExchangeDraft, data)
            return await service.request_exchange(
                info.context.session, info.context.principal, draft
            )

        return await run_mutation(
            info,
            request,
            _changed,
            idempotent=creation(info, "exchangeRequest", input, models.Exchange),
        )

    @strawberry.mutation(
        description="Say yes: the listing's organization accepts a request (or the requester "
        "accepts the period proposed). The period is booked at once; it never overlaps another."
    )
    async def exchange_accept(
        self, info: Info, id: ExchangeId, note: NoteArgument = ""
    ) -> ExchangeAcceptResult:
        return await _transition(info, service.accept_exchange, id, note, "note")

    @strawberry.mutation(description="The listing's organization proposes another period.")
    async def exchange_propose(
        self,
        info: Info,
        input: Annotated[ExchangeProposeInput, strawberry.argument(description="The proposal.")],
    ) -> ExchangeProposeResult:
        async def propose() -> models.Exchange:
            proposal = parse(
                PeriodProposal,
                {"starts_at": input.starts_at, "ends_at": input.ends_at, "note": input.note},
            )
            return await service.propose_period(
                info.context.session, info.context.principal, _exchange_pk(input.id), proposal
            )

        return await run_mutation(info, propose, _changed)

    @strawberry.mutation(description="The listing's organization declines a request.")
    async def exchange_decline(
        self, info: Info, id: ExchangeId, reason: ReasonArgument = ""
    ) -> ExchangeDeclineResult:
        return await _transition(info, service.decline_exchange, id, reason, "reason")

    @strawberry.mutation(
        description="Either side calls it off before the period starts; the booking is freed."
    )
    async def exchange_cancel(
        self, info: Info, id: ExchangeId, reason: ReasonArgument = ""
    ) -> ExchangeCancelResult:
        return await _transition(info, service.cancel_exchange, id, reason, "reason")

    @strawberry.mutation(description="Record the handover (IN_PROGRESS), with its condition.")
    async def exchange_start(
        self, info: Info, id: ExchangeId, note: NoteArgument = ""
    ) -> ExchangeStartResult:
        return await _transition(info, service.start_exchange, id, note, "note")

    @strawberry.mutation(
        description="Record the return or the end (COMPLETED), with its condition; the impact "
        "is measured."
    )
    async def exchange_complete(
        self, info: Info, id: ExchangeId, note: NoteArgument = ""
    ) -> ExchangeCompleteResult:
        return await _transition(info, service.complete_exchange, id, note, "note")

    @strawberry.mutation(description="Write in an exchange's thread; the other side is notified.")
    async def exchange_message_send(
        self,
        info: Info,
        input: Annotated[ExchangeMessageSendInput, strawberry.argument(description="The message.")],
    ) -> ExchangeMessageSendResult:
        async def send() -> models.ExchangeMessage:
            draft = parse(MessageDraft, {"body": input.body})
            pk = _exchange_pk(input.exchange_id)
            return await service.send_message(
                info.context.session, info.context.principal, pk, draft
            )

        return await run_mutation(
            info,
            send,
            lambda row: ExchangeMessageSendSuccess(exchange_message=ExchangeMessage.from_row(row)),
            idempotent=Idempotent(
                input.idempotency_key,
                "exchangeMessageSend",
                {"exchange": input.exchange_id, "body": input.body},
                lambda pk: _own_row(info, models.ExchangeMessage, pk),
                lambda row: row.id,
            ),
        )
