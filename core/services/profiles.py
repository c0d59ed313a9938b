"""The signed-in person's own name: asked once when their provider gave none.

The name is what the people they deal with read (a member list, a request to join) and what an
independent person's organization goes by.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import AccountErrorCode
from core.errors import InvalidInput, NotFound
from core.models import Person
from core.services.principal import Principal, require_principal


async def rename_person(
    session: AsyncSession, principal: Principal | None, display_name: str
) -> Person:
    """Set the name the person goes by; it is then confirmed and never asked again."""
    acting = require_principal(principal)
    name = " ".join(display_name.split())
    if not 2 <= len(name) <= 200:
        raise InvalidInput.one("display_name", AccountErrorCode.DISPLAY_NAME_REQUIRED)
    person = await session.get(Person, acting.person_id)
    if person is None:
        raise NotFound(AccountErrorCode.SIGN_IN_REQUIRED)
    person.display_name, person.name_confirmed = name, True
    session.add(person)
    await session.flush()
    return person
