"""Agreements as read: `Exchange.agreement`, its versions and acceptances.

Thin over `core.services.agreements`: an agreement is reached only through its exchange, which
only the two parties see; versions and acceptances come through per-request loaders. The
mutations are in `schema/agreement_mutations.py` (their result names the exchange too).
"""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from core import models
from core.agreements.drafting import TERMS
from core.agreements.render import missing_fields
from core.models import AgreementKind, AgreementState
from core.services import agreements as service
from schema.context import Info
from schema.organizations import Organization, load_organization, organization_of
from schema.relay import Node, to_global_id

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


async def load_agreement(info: Info, pk: int) -> Agreement | None:
    """`node(id:)`: an agreement, for the members of its exchange's parties only."""
    row = await info.context.loaders.agreement_by_id.load(pk)
    exchange = await info.context.loaders.exchange_by_id.load(row.exchange_id) if row else None
    return Agreement.of(row, exchange) if row and exchange else None


async def agreement_of_exchange(info: Info, exchange: models.Exchange) -> Agreement | None:
    """`Exchange.agreement`: the caller reached the exchange, so the viewer is a party."""
    row = await info.context.loaders.agreement_by_exchange_id.load(exchange.id or 0)
    return Agreement.of(row, exchange) if row else None


async def _person_name(info: Info, pk: int | None) -> str | None:
    if pk is None:
        return None
    person = await info.context.loaders.person_by_id.load(pk)
    return person.display_name if person else None
