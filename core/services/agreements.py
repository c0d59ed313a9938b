"""Agreements: drafted when an exchange is accepted, edited into new versions, accepted by each
side's representative. Nothing here commits.

Only the two parties' members know an agreement exists (others get `NotFound`, as for the
exchange). Any member edits (a new version with its author: acceptances were of the previous
one, and never count for a newer one, so the state goes back to DRAFT); only an ADMIN or OWNER
accepts, for their side, the current version, once complete, recording the SHA-256 of its PDF.
An exchange accepted before agreements existed gets its agreement drafted on its first edit or
acceptance (never on a read).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.agreements import drafting
from core.agreements.render import missing_fields, render, sha256, template_text
from core.error_codes import AgreementErrorCode, ExchangeErrorCode
from core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from core.models import (
    Agreement,
    AgreementAcceptance,
    AgreementKind,
    AgreementState,
    AgreementVersion,
    Exchange,
    ExchangeEvent,
    ExchangeEventKind,
    ExchangeState,
    Listing,
    Membership,
    NotificationKind,
    Organization,
    Person,
    Photo,
    PhotoStage,
    Space,
)
from core.models.base import utcnow
from core.services.exchange_notices import notify_other_side
from core.services.exchange_reads import get_exchange
from core.services.principal import Principal, require_admin, require_principal
from core.services.validation import parse

DRAFTED_STATES = (ExchangeState.ACCEPTED, ExchangeState.IN_PROGRESS, ExchangeState.COMPLETED)
"""An exchange in these states has an agreement (drafted late if it was accepted before)."""


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=10_000)


class TermsPatch(BaseModel):
    """Null keeps a term's value, "" clears it (refused for a term the template needs)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    provider_siret: str | None = Field(default=None, max_length=1000)
    provider_representative_name: str | None = Field(default=None, max_length=1000)
    provider_representative_role: str | None = Field(default=None, max_length=1000)
    provider_address: str | None = Field(default=None, max_length=1000)
    beneficiary_siret: str | None = Field(default=None, max_length=1000)
    beneficiary_representative_name: str | None = Field(default=None, max_length=1000)
    beneficiary_representative_role: str | None = Field(default=None, max_length=1000)
    beneficiary_address: str | None = Field(default=None, max_length=1000)
    use: str | None = Field(default=None, max_length=1000)
    circumstances: str | None = Field(default=None, max_length=1000)
    schedule: str | None = Field(default=None, max_length=1000)
    person_name: str | None = Field(default=None, max_length=1000)
    person_role: str | None = Field(default=None, max_length=1000)
    insurance: str | None = Field(default=None, max_length=1000)
    deposit: str | None = Field(default=None, max_length=1000)
    object_value: str | None = Field(default=None, max_length=1000)
    period_start: str | None = Field(default=None, max_length=1000)
    period_end: str | None = Field(default=None, max_length=1000)


class AgreementEdit(BaseModel):
    """An edit: the free clauses (all of them, replacing the current ones) and changed terms."""

    model_config = ConfigDict(extra="forbid")

    clauses: list[Clause] | None = Field(default=None, max_length=30)
    terms: TermsPatch | None = None


# --- drafting --------------------------------------------------------------------------------


async def draft_agreement(session: AsyncSession, exchange: Exchange) -> Agreement:
    """The agreement of an exchange just accepted, and its version 1 (drafted by the product)."""
    assert exchange.id is not None
    await session.flush()  # the acceptance's event names who accepted (no autoflush)
    sources = await _sources(session, exchange)
    kind = drafting.agreement_kind(sources)
    agreement = Agreement(exchange_id=exchange.id, kind=kind)
    session.add(agreement)
    await session.flush()
    _add_version(session, agreement, sources, 1, drafting.default_terms(sources), [], None, None)
    await session.flush()
    return agreement


def _add_version(
    session: AsyncSession,
    agreement: Agreement,
    sources: drafting.Sources,
    number: int,
    terms: dict[str, str],
    clauses: list[dict[str, str]],
    author_id: int | None,
    author_organization_id: int | None,
) -> AgreementVersion:
    assert agreement.id is not None
    created_at = utcnow().replace(microsecond=0)  # the PDF's date: whole seconds
    version = AgreementVersion(
        agreement_id=agreement.id,
        number=number,
        terms=terms,
        clauses=clauses,
        data=drafting.draft(sources, agreement.kind, terms, clauses, created_at),
        author_id=author_id,
        author_organization_id=author_organization_id,
        template_sha256=sha256(template_text(agreement.kind)),
        created_at=created_at,
    )
    session.add(version)
    return version


async def _sources(session: AsyncSession, exchange: Exchange) -> drafting.Sources:
    listing = await session.get(Listing, exchange.listing_id)
    owner = await session.get(Organization, exchange.owner_organization_id)
    requester = await session.get(Organization, exchange.requester_organization_id)
    assert listing is not None
    assert owner is not None
    assert requester is not None
    requester_place = None
    if exchange.requester_space_id is not None:
        requester_place = await session.get(Space, exchange.requester_space_id)
    listing_place = await session.get(Space, listing.space_id) if listing.space_id else None
    owner_person = await _owner_representative(session, exchange, listing)
    return drafting.Sources(
        exchange=exchange,
        listing=listing,
        owner=await _side(session, owner, None, owner_person),
        requester=await _side(session, requester, requester_place, exchange.requested_by_id),
        listing_place=listing_place,
        handover_photos=await _handover_alts(session, exchange),
    )


async def _side(
    session: AsyncSession, organization: Organization, place: Space | None, person_id: int | None
) -> drafting.Side:
    if place is None:
        statement = select(Space).where(col(Space.organization_id) == organization.id)
        place = (await session.exec(statement.order_by(col(Space.id)).limit(1))).first()
    person = await session.get(Person, person_id) if person_id is not None else None
    membership = None
    if person_id is not None:
        statement_m = select(Membership).where(
            col(Membership.person_id) == person_id,
            col(Membership.organization_id) == organization.id,
        )
        membership = (await session.exec(statement_m)).first()
    return drafting.Side(organization, place, person, membership.role if membership else None)


async def _owner_representative(
    session: AsyncSession, exchange: Exchange, listing: Listing
) -> int | None:
    """Who answered for the owner (accepted, or proposed the period), else who published."""
    statement = (
        select(ExchangeEvent.actor_person_id)
        .where(
            col(ExchangeEvent.exchange_id) == exchange.id,
            col(ExchangeEvent.actor_organization_id) == exchange.owner_organization_id,
            col(ExchangeEvent.kind).in_([ExchangeEventKind.ACCEPTED, ExchangeEventKind.PROPOSED]),
        )
        .order_by(col(ExchangeEvent.id).desc())
    )
    return (await session.exec(statement)).first() or listing.created_by_id


async def _handover_alts(session: AsyncSession, exchange: Exchange) -> list[str]:
    statement = (
        select(Photo.alt)
        .where(col(Photo.exchange_id) == exchange.id, col(Photo.stage) == PhotoStage.HANDOVER)
        .order_by(col(Photo.position), col(Photo.id))
    )
    return [alt for alt in (await session.exec(statement)).all() if alt.strip()]


# --- editing and accepting -------------------------------------------------------------------


async def edit_agreement(
    session: AsyncSession,
    principal: Principal | None,
    exchange_id: int,
    clauses: list[dict[str, Any]] | None,
    terms: dict[str, Any] | None,
) -> Agreement:
    """A member of either side writes version n+1: the given clauses (else the current ones)
    and the current terms with the given changes. Acceptances stay with version n."""
    acting = require_principal(principal)
    exchange = await _party_exchange(session, acting, exchange_id)
    edit = parse(AgreementEdit, {"clauses": clauses, "terms": terms})
    agreement = await _agreement_of(session, exchange)
    current = await current_version(session, agreement)
    new_terms = dict(current.terms)
    changes = edit.terms.model_dump(exclude_none=True) if edit.terms else {}
    required = drafting.required_terms(agreement.kind)
    cleared = [name for name, value in changes.items() if value == "" and name in required]
    if cleared:
        raise InvalidInput(
            [FieldProblem(f"terms.{name}", AgreementErrorCode.TERM_REQUIRED) for name in cleared]
        )
    new_terms |= changes
    new_clauses = (
        [clause.model_dump() for clause in edit.clauses]
        if edit.clauses is not None
        else list(current.clauses)
    )
    side = _acting_side(acting, exchange)
    sources = await _sources(session, exchange)
    number, author = current.number + 1, acting.person_id
    _add_version(session, agreement, sources, number, new_terms, new_clauses, author, side)
    agreement.state = AgreementState.DRAFT
    agreement.updated_at = utcnow()
    session.add(agreement)
    body = f"Version {number} de la convention : relisez-la, puis donnez votre accord."
    await notify_other_side(
        session,
        exchange,
        sources.listing,
        NotificationKind.AGREEMENT_EDITED,
        acting_organization_id=side,
        body=body,
    )
    await session.flush()
    return agreement


async def accept_agreement(
    session: AsyncSession, principal: Principal | None, exchange_id: int, version_id: int
) -> Agreement:
    """A side's ADMIN or OWNER says « bon pour accord » to the version they read."""
    acting = require_principal(principal)
    exchange = await _party_exchange(session, acting, exchange_id)
    agreement = await _agreement_of(session, exchange)
    version = await session.get(AgreementVersion, version_id)
    if version is None or version.agreement_id != agreement.id:
        raise NotFound(AgreementErrorCode.VERSION_NOT_FOUND, value=str(version_id))
    sides = [o for o in _sides(exchange) if acting.administers(o)]
    if not sides:
        require_admin(acting, _acting_side(acting, exchange))  # raises: a plain member
    current = await current_version(session, agreement)
    if current.id != version.id:
        raise Conflict(AgreementErrorCode.VERSION_NOT_CURRENT, value=str(version.number))
    missing = missing_fields(agreement.kind, version.data)
    if missing:
        code = AgreementErrorCode.AGREEMENT_FIELD_MISSING
        raise InvalidInput([FieldProblem(path, code) for path in missing])
    accepted = {a.organization_id for a in await acceptances_of(session, [version.id or 0])}
    side = next((o for o in sides if o not in accepted), None)
    if side is None:
        raise Conflict(AgreementErrorCode.AGREEMENT_ALREADY_ACCEPTED)
    if version.pdf is None:  # the first acceptance keeps the exact PDF both sides sign
        version.pdf = await asyncio.to_thread(
            render, agreement.kind, version.data, version.created_at
        )
        session.add(version)
    digest = sha256(version.pdf)
    session.add(
        AgreementAcceptance(
            version_id=version.id or 0,
            organization_id=side,
            person_id=acting.person_id,
            pdf_sha256=digest,
        )
    )
    both = len(accepted | {side}) >= 2
    agreement.state = AgreementState.ACCEPTED if both else AgreementState.PARTLY_ACCEPTED
    agreement.updated_at = utcnow()
    session.add(agreement)
    listing = await session.get(Listing, exchange.listing_id)
    assert listing is not None
    body = (
        f"Les deux parties ont accepté la version {version.number} de la convention."
        if both
        else f"Bon pour accord sur la version {version.number} de la convention : à votre tour."
    )
    await notify_other_side(
        session,
        exchange,
        listing,
        NotificationKind.AGREEMENT_ACCEPTED,
        acting_organization_id=side,
        body=body,
    )
    await session.flush()
    return agreement


def _sides(exchange: Exchange) -> tuple[int, int]:
    return exchange.owner_organization_id, exchange.requester_organization_id


def _acting_side(acting: Principal, exchange: Exchange) -> int:
    """The side the viewer acts for (the owner's if both)."""
    return next(o for o in _sides(exchange) if acting.acts_for(o))


async def _party_exchange(session: AsyncSession, acting: Principal, exchange_id: int) -> Exchange:
    exchange = await get_exchange(session, acting, exchange_id)
    if exchange is None:
        raise NotFound(ExchangeErrorCode.EXCHANGE_NOT_FOUND, value=str(exchange_id))
    return exchange


async def _agreement_of(session: AsyncSession, exchange: Exchange) -> Agreement:
    """The exchange's agreement, locked (PostgreSQL) so edits and acceptances queue; drafted
    now for an exchange accepted before agreements existed."""
    statement = (
        select(Agreement)
        .where(col(Agreement.exchange_id) == exchange.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    agreement = (await session.exec(statement)).first()
    if agreement is not None:
        return agreement
    if exchange.state not in DRAFTED_STATES:
        raise NotFound(AgreementErrorCode.AGREEMENT_NOT_FOUND)
    return await draft_agreement(session, exchange)


# --- reading ---------------------------------------------------------------------------------


async def current_version(session: AsyncSession, agreement: Agreement) -> AgreementVersion:
    statement = (
        select(AgreementVersion)
        .where(col(AgreementVersion.agreement_id) == agreement.id)
        .order_by(col(AgreementVersion.number).desc())
    )
    return (await session.exec(statement)).first() or _no_version(agreement)


def _no_version(agreement: Agreement) -> AgreementVersion:
    raise AssertionError(f"agreement {agreement.id} has no version")


async def agreements_of_exchanges(
    session: AsyncSession, exchange_ids: Sequence[int]
) -> list[Agreement]:
    """The agreements of exchanges the caller already checked the viewer takes part in."""
    statement = select(Agreement).where(col(Agreement.exchange_id).in_(exchange_ids))
    return list((await session.exec(statement)).all())


async def agreements_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Agreement]:
    """Agreements by id, whoever asks: the caller shows one only through its visible exchange."""
    statement = select(Agreement).where(col(Agreement.id).in_(ids))
    return list((await session.exec(statement)).all())


async def versions_of(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[AgreementVersion]:
    """Every version of these agreements, newest first."""
    statement = (
        select(AgreementVersion)
        .where(col(AgreementVersion.agreement_id).in_(agreement_ids))
        .order_by(col(AgreementVersion.number).desc())
    )
    return list((await session.exec(statement)).all())


async def acceptances_of(
    session: AsyncSession, version_ids: Sequence[int]
) -> list[AgreementAcceptance]:
    statement = (
        select(AgreementAcceptance)
        .where(col(AgreementAcceptance.version_id).in_(version_ids))
        .order_by(col(AgreementAcceptance.id))
    )
    return list((await session.exec(statement)).all())


# --- the PDF ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionPdf:
    filename: str
    pdf: bytes


async def version_pdf(
    session: AsyncSession, principal: Principal | None, version_id: int
) -> VersionPdf | None:
    """A version's PDF for a member of either party; None for anyone else, and while the
    version is incomplete (nothing to download)."""
    version = await session.get(AgreementVersion, version_id)
    if version is None or principal is None:
        return None
    agreement = await session.get(Agreement, version.agreement_id)
    assert agreement is not None
    if await get_exchange(session, principal, agreement.exchange_id) is None:
        return None
    if missing_fields(agreement.kind, version.data):
        return None
    pdf = version.pdf  # the PDF accepted, or a draft's rendered now
    if pdf is None:
        pdf = await asyncio.to_thread(render, agreement.kind, version.data, version.created_at)
    filename = f"{version.data.get('reference', 'convention')}-v{version.number}.pdf"
    return VersionPdf(filename, pdf)


async def pdf_sha256(kind: AgreementKind, version: AgreementVersion) -> str | None:
    """The SHA-256 of a version's PDF; None while it is incomplete. Rendering takes a quarter
    of a second, off the event loop; the same data always gives the same bytes, so it is kept.
    Once accepted, it is the kept PDF's."""
    if version.pdf is not None:
        return sha256(version.pdf)
    if missing_fields(kind, version.data):
        return None
    key = json.dumps(version.data, ensure_ascii=False, sort_keys=True)
    return await asyncio.to_thread(_digest, kind, key, version.created_at)


@functools.lru_cache(maxsize=256)
def _digest(kind: AgreementKind, data: str, created_at: datetime) -> str:
    return sha256(render(kind, json.loads(data), created_at))
