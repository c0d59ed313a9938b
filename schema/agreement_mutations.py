"""`agreementEdit` and `agreementAccept`: one service call each through `run_mutation`.

Apart from `schema/agreements.py` because their result names the exchange, whose type names the
agreement: this module imports both.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import models
from core.error_codes import AgreementErrorCode, ExchangeErrorCode
from core.errors import NotFound
from core.services import agreements as service
from schema.agreements import Agreement
from schema.context import Info
from schema.errors import ConflictError, InputError, NotAllowedError, NotFoundError, run_mutation
from schema.exchanges import Exchange, load_exchange
from schema.relay import expect_id

# --- mutations -------------------------------------------------------------------------------


@strawberry.input(description="A free clause.")
class AgreementClauseInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    text: str = strawberry.field(description="1 to 10,000 characters.")


def _term(description: str) -> str | None:
    return strawberry.field(default=None, description=description)  # type: ignore[no-any-return]


@strawberry.input(description='Changed terms: null keeps a value, "" clears it (1,000 chars).')
class AgreementTermsInput:
    provider_representative_name: str | None = _term("Who signs for the side that gives.")
    provider_representative_role: str | None = _term("Their role, e.g. « présidente ».")
    provider_address: str | None = _term("The giving side's address.")
    beneficiary_representative_name: str | None = _term("Who signs for the side that receives.")
    beneficiary_representative_role: str | None = _term("Their role.")
    beneficiary_address: str | None = _term("The receiving side's address.")
    use: str | None = _term("Premises: the activity allowed there.")
    circumstances: str | None = _term("Precarious occupation: why it can only be precarious.")
    schedule: str | None = _term("Secondment: days and hours.")
    person_name: str | None = _term("Secondment: the person lent.")
    person_role: str | None = _term("Secondment: their job.")
    insurance: str | None = _term("The insurer and policy.")
    deposit: str | None = _term("A deposit, e.g. « 1 500,00 € ».")
    object_value: str | None = _term("Loan: the thing's estimated value.")


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
    async def exchange(self, info: Info) -> Exchange:
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
        "and terms. It makes a new version, which also reads the exchange and both "
        "organizations again (a handover note, a SIRET added since); acceptances of the "
        "previous version no longer count."
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
