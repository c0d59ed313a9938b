"""Who is signed in: `Query.me`, and the personal access tokens they manage (`tokenCreate`,
`tokenRevoke`). A token's secret is shown once, when it is created; its hash never leaves."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core import models
from core.error_codes import TokenErrorCode
from core.errors import NotFound
from core.services import memberships, personal_tokens
from core.services.territories import territory_of_organizations
from core.services.tokens import IssuedToken
from core.services.validation import parse
from schema.context import Info
from schema.errors import InputError, NotFoundError, run_mutation
from schema.organizations import Membership, MembershipRequest, Organization, organization_of
from schema.people import Training
from schema.relay import NodeId, expect_id, input_id, to_global_id
from schema.space_claims import SpaceClaim, claims_to_decide, viewer_claims
from schema.territories import Territory, territory_of


@strawberry.type(description="A personal access token: a person acting for one organization.")
class AccessToken:
    organization_pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The token's global id, for `tokenRevoke`.")
    name: str = strawberry.field(description="Its owner's name for it.")
    prefix: str = strawberry.field(description="Its first characters, to recognise it.")
    created_at: datetime.datetime = strawberry.field(description="When it was created.")
    expires_at: datetime.datetime | None = strawberry.field(description="When it stops working.")
    last_used_at: datetime.datetime | None = strawberry.field(
        description="When it was last used, to within a few minutes."
    )
    revoked_at: datetime.datetime | None = strawberry.field(description="When it was revoked.")

    @classmethod
    def from_row(cls, row: models.AccessToken) -> AccessToken:
        assert row.id is not None
        return cls(
            organization_pk=row.organization_id,
            id=to_global_id("AccessToken", row.id),
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )

    @strawberry.field(description="The organization it acts for.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)


@strawberry.type(description="The signed-in person, their organizations and their tokens.")
class Viewer:
    pk: strawberry.Private[int]
    acting_pk: strawberry.Private[int | None]
    id: strawberry.ID = strawberry.field(description="The person's global id.")
    display_name: str = strawberry.field(description="The name they go by.")
    email: str | None = strawberry.field(description="Their e-mail address, if known.")
    needs_display_name: bool = strawberry.field(
        default=False,
        description="Their provider gave no name: `displayName` is a guess until they tell it "
        "(`profileUpdate`).",
    )

    @strawberry.field(description="Every organization they belong to, with their role in it.")
    async def memberships(self, info: Info) -> list[Membership]:
        rows = await memberships.memberships_of(info.context.session, self.pk)
        return [Membership.from_row(row) for row in rows]

    @strawberry.field(
        description="Their training passport: every training a lab recorded for them, valid, "
        "expired or revoked, newest first (the same as `Person.trainings` for themself)."
    )
    async def trainings(self, info: Info) -> list[Training]:
        rows = await info.context.loaders.trainings_by_person_id.load(self.pk)
        return [Training.from_row(row) for row in rows]

    @strawberry.field(
        description="The organizations they share their training passport with "
        "(`passportShare`), first shared first."
    )
    async def passport_shares(self, info: Info) -> list[Organization]:
        ids = await info.context.loaders.passport_shares_by_person_id.load(self.pk)
        return [await organization_of(info, pk) for pk in ids]

    @strawberry.field(
        description="The organization this request acts for: a token's, or the default one."
    )
    async def acting_for(self, info: Info) -> Organization | None:
        return None if self.acting_pk is None else await organization_of(info, self.acting_pk)

    @strawberry.field(
        description="Their requests to join an organization still waiting for an admin, oldest "
        "first."
    )
    async def membership_requests(self, info: Info) -> list[MembershipRequest]:
        rows = await memberships.my_pending_requests(info.context.session, info.context.principal)
        return [MembershipRequest.from_row(row) for row in rows]

    @strawberry.field(
        description="The claims on places made by their organizations, newest first: its state "
        "and the network's reason."
    )
    async def space_claims(
        self,
        info: Info,
        space_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only on this place.")
        ] = None,
    ) -> list[SpaceClaim]:
        return await viewer_claims(info, space_id)

    @strawberry.field(
        description="The claims on places waiting for a network they administer (ADMIN or "
        "OWNER), oldest first."
    )
    async def claims_to_decide(
        self,
        info: Info,
        network_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this network's.")
        ] = None,
    ) -> list[SpaceClaim]:
        return await claims_to_decide(info, network_id)

    @strawberry.field(
        description="The commune or EPCI they act for as its public organization (a "
        "COLLECTIVITE with the commune's INSEE code or the EPCI's SIREN): where "
        "'Mon territoire' leads. Null for everyone else."
    )
    async def territory(self, info: Info) -> Territory | None:
        principal = info.context.principal
        organizations = principal.organization_ids if principal else frozenset()
        area = await territory_of_organizations(info.context.session, organizations)
        return None if area is None else await territory_of(info, area)

    @strawberry.field(description="The personal access tokens they own, newest first.")
    async def tokens(self, info: Info) -> list[AccessToken]:
        rows = await personal_tokens.tokens_of(info.context.session, self.pk)
        return [AccessToken.from_row(row) for row in rows]


@strawberry.input(description="A new personal access token for one of your organizations.")
class TokenCreateInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization it acts for.")
    name: str = strawberry.field(default="", description="Your name for it, up to 100 characters.")
    expires_at: datetime.datetime | None = strawberry.field(
        default=None, description="When it stops working; never when null."
    )


@strawberry.type(description="The token was created. Copy its secret now: it is never shown again.")
class TokenCreateSuccess:
    token: AccessToken = strawberry.field(description="The new token.")
    secret: str = strawberry.field(description="The bearer secret, shown this once.")


@strawberry.type(description="The token was revoked; it no longer works.")
class TokenRevokeSuccess:
    token: AccessToken = strawberry.field(description="The revoked token.")


TokenCreateResult = Annotated[
    TokenCreateSuccess | InputError | NotFoundError,
    strawberry.union("TokenCreateResult", description="The new token, or why it was not created."),
]
TokenRevokeResult = Annotated[
    TokenRevokeSuccess | NotFoundError,
    strawberry.union("TokenRevokeResult", description="The revoked token, or why not."),
]


@strawberry.type
class MeQuery:
    @strawberry.field(description="The signed-in person; null when anonymous.")
    async def me(self, info: Info) -> Viewer | None:
        principal = info.context.principal
        if principal is None:
            return None
        row = await info.context.loaders.person_by_id.load(principal.person_id)
        if row is None:
            return None
        return Viewer(
            pk=principal.person_id,
            acting_pk=principal.organization_id,
            id=to_global_id("Person", principal.person_id),
            display_name=row.display_name,
            email=row.email,
            needs_display_name=not row.name_confirmed,
        )


@strawberry.type
class TokenMutation:
    @strawberry.mutation(
        description="Create a personal access token acting for one of your organizations."
    )
    async def token_create(
        self,
        info: Info,
        input: Annotated[TokenCreateInput, strawberry.argument(description="The token.")],
    ) -> TokenCreateResult:
        async def create() -> IssuedToken:
            organization_id = input_id(input.organization_id, "Organization", "organization_id")
            assert organization_id is not None
            data = {"name": input.name, "expires_at": input.expires_at}
            draft = parse(personal_tokens.TokenDraft, data)
            return await personal_tokens.create_token(
                info.context.session, info.context.principal, organization_id, draft
            )

        return await run_mutation(
            info,
            create,
            lambda issued: TokenCreateSuccess(
                token=AccessToken.from_row(issued.token), secret=issued.secret
            ),
        )

    @strawberry.mutation(
        description="Revoke one of your tokens, or, as an admin, any token of your organization."
    )
    async def token_revoke(self, info: Info, id: NodeId) -> TokenRevokeResult:
        async def revoke() -> models.AccessToken:
            pk = expect_id(id, "AccessToken")
            if pk is None:
                raise NotFound(TokenErrorCode.TOKEN_NOT_FOUND, value=id)
            return await personal_tokens.revoke(info.context.session, info.context.principal, pk)

        return await run_mutation(
            info, revoke, lambda row: TokenRevokeSuccess(token=AccessToken.from_row(row))
        )
