"""The signed-in person's own profile: `profileUpdate` (the name they go by)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import models
from core.services import profiles as service
from schema.context import Info
from schema.errors import InputError, run_mutation
from schema.me import Viewer
from schema.relay import to_global_id


@strawberry.input(description="What the signed-in person changes about themselves.")
class ProfileUpdateInput:
    display_name: str = strawberry.field(
        description="The name they go by, 2 to 200 characters: shown to the organizations they "
        "deal with, and the name of their INDEPENDANT organization."
    )


@strawberry.type(description="The profile was changed.")
class ProfileUpdateSuccess:
    me: Viewer = strawberry.field(description="The signed-in person, as they are now.")


ProfileUpdateResult = Annotated[
    ProfileUpdateSuccess | InputError,
    strawberry.union("ProfileUpdateResult", description="The changed profile, or why not."),
]


@strawberry.type
class ProfileMutation:
    @strawberry.mutation(description="Tell the name you go by (asked once when unknown).")
    async def profile_update(
        self,
        info: Info,
        input: Annotated[ProfileUpdateInput, strawberry.argument(description="The change.")],
    ) -> ProfileUpdateResult:
        async def update() -> models.Person:
            return await service.rename_person(
                info.context.session, info.context.principal, input.display_name
            )

        def success(row: models.Person) -> ProfileUpdateSuccess:
            assert row.id is not None
            principal = info.context.principal
            viewer = Viewer(
                pk=row.id,
                acting_pk=principal.organization_id if principal else None,
                id=to_global_id("Person", row.id),
                display_name=row.display_name,
                email=row.email,
                needs_display_name=not row.name_confirmed,
            )
            return ProfileUpdateSuccess(me=viewer)

        return await run_mutation(info, update, success)
