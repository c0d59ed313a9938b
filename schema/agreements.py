"""Agreements: `Exchange.agreement`, `agreementEdit` and `agreementAccept`.

Thin over `core.services.agreements`: an agreement is reached only through its exchange, which
only the two parties see; versions and acceptances come through per-request loaders.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from core import models
from core.agreements.drafting import TERMS
from core.agreements.render import missing_fields
from core.error_codes import AgreementErrorCode, ExchangeErrorCode
from core.errors import NotFound
from core.models import AgreementKind, AgreementState
from core.services import agreements as service
from schema.context import Info
from schema.errors import ConflictError, InputError, NotAllowedError, NotFoundError, run_mutation
from schema.organizations import Organization, load_organization, organization_of
from schema.relay import Node, expect_id, to_global_id

if TYPE_CHECKING:
    from schema.exchanges import Exchange

strawberry.enum(
    AgreementKind,
    description="The kind of agreement, by the exchange's listing and its owner: a loan of use "
    "(prêt à usage), a public body's temporary occupation, a precarious occupation, a person's "
    "secondment (mise à disposition), a donation certificate.",
)
strawberry.enum(
    AgreementState,
    description="DRAFT: no side accepted the current version; PARTLY_ACCEPTED: one did; "
    "ACCEPTED: both did.",
)


def pdf_url(version: models.AgreementVersion) -> str:
    return f"/agreements/{version.id}.pdf"


@strawberry.type(description="A free clause both sides may edit.")
class AgreementClause:
    title: str = strawberry.field(description="Its heading (200 characters).")
    text: str = strawberry.field(description="Its text (10,000 characters).")


@strawberry.type(description="A side's representative accepted a version (« bon pour accord »).")
class AgreementAcceptance:
    row: strawberry.Private[models.AgreementAcceptance]
    accepted_at: datetime.datetime = strawberry.field(description="When.")
    pdf_sha256: str = strawberry.field(description="The SHA-256 of the exact PDF accepted.")

    @strawberry.field(description="The side that accepted.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.row.organization_id)

    @strawberry.field(description="Who accepted for it (their name, never their e-mail).")
    async def person_name(self, info: Info) -> str | None:
        return await _person_name(info, self.row.person_id)


@strawberry.type(description="The editable values of a version; empty ones are for you to fill.")
class AgreementTerms:
    provider_representative_name: str | None = strawberry.field(
        description="Who signs for the side that gives (the listing's owner for an offer)."
    )
    provider_representative_role: str | None = strawberry.field(
        description="Their role, e.g. « présidente », « maire »."
    )
    provider_address: str | None = strawberry.field(description="The giving side's address.")
    beneficiary_representative_name: str | None = strawberry.field(
        description="Who signs for the side that receives."
    )
    beneficiary_representative_role: str | None = strawberry.field(description="Their role.")
    beneficiary_address: str | None = strawberry.field(description="The receiving side's address.")
    use: str | None = strawberry.field(description="Premises: the activity allowed there.")
    circumstances: str | None = strawberry.field(
        description="Precarious occupation: why it can only be precarious."
    )
    schedule: str | None = strawberry.field(description="Secondment: days and hours.")
    person_name: str | None = strawberry.field(description="Secondment: the person lent.")
    person_role: str | None = strawberry.field(description="Secondment: their job.")
    insurance: str | None = strawberry.field(description="The insurer and policy, if said.")
    deposit: str | None = strawberry.field(description="A deposit, e.g. « 1 500,00 € ».")
    object_value: str | None = strawberry.field(description="Loan: the thing's estimated value.")


@strawberry.type(description="One version of an agreement: each edit makes a new one.")
class AgreementVersion(Node):
    row: strawberry.Private[models.AgreementVersion]
    kind: strawberry.Private[AgreementKind]
    number: int = strawberry.field(description="1 for the product's draft, then each edit.")
    created_at: datetime.datetime = strawberry.field(description="When; also the PDF's date.")

    @classmethod
    def of(cls, row: models.AgreementVersion, kind: AgreementKind) -> AgreementVersion:
        assert row.id is not None
        return cls(
            id=to_global_id("AgreementVersion", row.id),
            row=row,
            kind=kind,
            number=row.number,
            created_at=row.created_at,
        )

    @strawberry.field(description="Who wrote it; null for version 1, drafted by the product.")
    async def author_name(self, info: Info) -> str | None:
        return await _person_name(info, self.row.author_id)

    @strawberry.field(description="The side its author wrote for.")
    async def author_organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.row.author_organization_id)

    @strawberry.field(description="Its free clauses, in order.")
    def clauses(self) -> list[AgreementClause]:
        return [AgreementClause(title=c["title"], text=c["text"]) for c in self.row.clauses]

    @strawberry.field(description="Where to download its PDF; null while it is incomplete.")
    def pdf_url(self) -> str | None:
        return None if missing_fields(self.kind, self.row.data) else pdf_url(self.row)

    @strawberry.field(description="The SHA-256 of its PDF; null while it is incomplete.")
    async def pdf_sha256(self) -> str | None:
        return await service.pdf_sha256(self.kind, self.row)

    @strawberry.field(description="The sides that accepted this version.")
    async def acceptances(self, info: Info) -> list[AgreementAcceptance]:
        rows = await info.context.loaders.agreement_acceptances.load(self.row.id or 0)
        return [
            AgreementAcceptance(row=r, accepted_at=r.accepted_at, pdf_sha256=r.pdf_sha256)
            for r in rows
        ]


@strawberry.type(
    description="The agreement of an accepted exchange, drafted by the product from the "
    "exchange, the listing and both organizations; a model to help, not legal advice."
)
class Agreement(Node):
    row: strawberry.Private[models.Agreement]
    exchange: strawberry.Private[models.Exchange]
    kind: AgreementKind = strawberry.field(description="Which template it follows.")
    state: AgreementState = strawberry.field(description="Who accepted the current version.")

    @classmethod
    def of(cls, row: models.Agreement, exchange: models.Exchange) -> Agreement:
        assert row.id is not None
        return cls(
            id=to_global_id("Agreement", row.id),
            row=row,
            exchange=exchange,
            kind=row.kind,
            state=row.state,
        )

    async def _versions(self, info: Info) -> list[models.AgreementVersion]:
        return await info.context.loaders.agreement_versions.load(self.row.id or 0)

    @strawberry.field(description="The current version: the one to read and accept.")
    async def current(self, info: Info) -> AgreementVersion:
        return AgreementVersion.of((await self._versions(info))[0], self.kind)

    @strawberry.field(description="Every version, newest first.")
    async def versions(self, info: Info) -> list[AgreementVersion]:
        return [AgreementVersion.of(row, self.kind) for row in await self._versions(info)]

    @strawberry.field(description="The current version's PDF; null while fields are missing.")
    async def pdf_url(self, info: Info) -> str | None:
        current = (await self._versions(info))[0]
        return None if missing_fields(self.kind, current.data) else pdf_url(current)

    @strawberry.field(
        description="What the current version still lacks, as dotted paths of the template's "
        "data (e.g. `provider.representative.role`, `insurance`): fill them through the terms."
    )
    async def missing_fields(self, info: Info) -> list[str]:
        return missing_fields(self.kind, (await self._versions(info))[0].data)

    @strawberry.field(description="The current version's editable values.")
    async def terms(self, info: Info) -> AgreementTerms:
        values: dict[str, Any] = (await self._versions(info))[0].terms
        return AgreementTerms(**{name: values.get(name) or None for name in TERMS})

    @strawberry.field(
        description="The viewer administers a side that has not accepted the current version."
    )
    async def viewer_can_accept(self, info: Info) -> bool:
        principal = info.context.principal
        current = (await self._versions(info))[0]
        accepted = await info.context.loaders.agreement_acceptances.load(current.id or 0)
        done = {a.organization_id for a in accepted}
        sides = (self.exchange.owner_organization_id, self.exchange.requester_organization_id)
        return any(
            principal is not None and principal.administers(side) and side not in done
            for side in sides
        )


async def agreement_of_exchange(info: Info, exchange: models.Exchange) -> Agreement | None:
    """`Exchange.agreement`: the caller reached the exchange, so the viewer is a party."""
    row = await info.context.loaders.agreement_by_exchange_id.load(exchange.id or 0)
    return Agreement.of(row, exchange) if row else None


async def _person_name(info: Info, pk: int | None) -> str | None:
    if pk is None:
        return None
    person = await info.context.loaders.person_by_id.load(pk)
    return person.display_name if person else None


# --- mutations -------------------------------------------------------------------------------


@strawberry.input(description="A free clause.")
class AgreementClauseInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    text: str = strawberry.field(description="1 to 10,000 characters.")


@strawberry.input(description='Changed terms: null keeps a value, "" clears it (1,000 chars).')
class AgreementTermsInput:
    provider_representative_name: str | None = None
    provider_representative_role: str | None = None
    provider_address: str | None = None
    beneficiary_representative_name: str | None = None
    beneficiary_representative_role: str | None = None
    beneficiary_address: str | None = None
    use: str | None = None
    circumstances: str | None = None
    schedule: str | None = None
    person_name: str | None = None
    person_role: str | None = None
    insurance: str | None = None
    deposit: str | None = None
    object_value: str | None = None


@strawberry.input(description="An edit of an exchange's agreement: a new version.")
class AgreementEditInput:
    exchange_id: strawberry.ID = strawberry.field(description="The exchange.")
    clauses: list[AgreementClauseInput] | None = strawberry.field(
        default=None, description="All the free clauses (at most 30); null keeps them."
    )
    terms: AgreementTermsInput | None = strawberry.field(
        default=None, description="The terms to change; null changes none."
    )


@strawberry.input(description="Accept, for your side, the version you read.")
class AgreementAcceptInput:
    exchange_id: strawberry.ID = strawberry.field(description="The exchange.")
    version_id: strawberry.ID = strawberry.field(
        description="The version you read: refused if another one became current since."
    )


@strawberry.type(description="The agreement after the change, and its exchange.")
class AgreementSuccess:
    row: strawberry.Private[models.Agreement]

    @strawberry.field(description="The agreement.")
    async def agreement(self, info: Info) -> Agreement:
        exchange = await info.context.loaders.exchange_by_id.load(self.row.exchange_id)
        assert exchange is not None
        return Agreement.of(self.row, exchange)

    @strawberry.field(description="Its exchange.")
    async def exchange(
        self, info: Info
    ) -> Annotated[Exchange, strawberry.lazy("schema.exchanges")]:
        from schema.exchanges import load_exchange

        exchange = await load_exchange(info, self.row.exchange_id)
        assert exchange is not None
        return exchange


AgreementEditResult = Annotated[
    AgreementSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("AgreementEditResult", description="The new version, or why not."),
]
AgreementAcceptResult = Annotated[
    AgreementSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union("AgreementAcceptResult", description="The acceptance, or why not."),
]


def _pk(global_id: str, type_name: str, code: AgreementErrorCode | ExchangeErrorCode) -> int:
    pk = expect_id(global_id, type_name)
    if pk is None:
        raise NotFound(code, value=global_id)
    return pk


@strawberry.type
class AgreementMutation:
    @strawberry.mutation(
        description="As a member of either side, edit an exchange's agreement: its free clauses "
        "and terms. It makes a new version; acceptances of the previous one no longer count."
    )
    async def agreement_edit(
        self,
        info: Info,
        input: Annotated[AgreementEditInput, strawberry.argument(description="The edit.")],
    ) -> AgreementEditResult:
        async def edit() -> models.Agreement:
            exchange_pk = _pk(input.exchange_id, "Exchange", ExchangeErrorCode.EXCHANGE_NOT_FOUND)
            clauses = None if input.clauses is None else [vars(c) for c in input.clauses]
            terms = None if input.terms is None else dict(vars(input.terms))
            return await service.edit_agreement(
                info.context.session, info.context.principal, exchange_pk, clauses, terms
            )

        return await run_mutation(info, edit, lambda row: AgreementSuccess(row=row))

    @strawberry.mutation(
        description="As an ADMIN or OWNER of a side, accept the current version of an "
        "exchange's agreement; its PDF's SHA-256 is recorded. Both sides: ACCEPTED."
    )
    async def agreement_accept(
        self,
        info: Info,
        input: Annotated[AgreementAcceptInput, strawberry.argument(description="Which version.")],
    ) -> AgreementAcceptResult:
        async def accept() -> models.Agreement:
            exchange_pk = _pk(input.exchange_id, "Exchange", ExchangeErrorCode.EXCHANGE_NOT_FOUND)
            version_pk = _pk(
                input.version_id, "AgreementVersion", AgreementErrorCode.VERSION_NOT_FOUND
            )
            return await service.accept_agreement(
                info.context.session, info.context.principal, exchange_pk, version_pk
            )

        return await run_mutation(info, accept, lambda row: AgreementSuccess(row=row))
