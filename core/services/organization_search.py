"""Finding an organization to join: by part of its name, by its SIRET (or SIREN), or by the
commune it is in (its own INSEE code, for a commune, or the commune of one of its places).

One text box answers all three, so a person looking for their fablab types what they know of it.
Names match word by word, case-insensitively (on SQLite, only ASCII letters change case; accents
must be typed as they are written: "Guéret", not "Gueret", though a commune is found either way).
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import OrganizationErrorCode
from core.errors import InvalidInput
from core.models import Organization, Space
from core.services.communes import find_commune

MIN_QUERY = 2
_SIRET_LIKE = re.compile(r"^\d{9,14}$")


async def matching(session: AsyncSession, query: str) -> ColumnElement[bool]:
    """The SQL condition an organization meets when `query` names it (refuses a blank query)."""
    text = " ".join(query.split())
    if len(text) < MIN_QUERY:
        raise InvalidInput.one(
            "filter.query", OrganizationErrorCode.SEARCH_TOO_SHORT, value=str(MIN_QUERY)
        )
    digits = re.sub(r"[\s.]", "", text)
    if _SIRET_LIKE.fullmatch(digits):
        return or_(
            col(Organization.siret).startswith(digits), col(Organization.siren) == digits[:9]
        )
    # Every word, in any order: "fablab guéret" finds "FabLab de Guéret".
    words = [word for word in re.split(r"[\s,;]+", text) if word]
    by_name = and_(*[col(Organization.name).icontains(word, autoescape=True) for word in words])
    conditions: list[ColumnElement[bool]] = [by_name]
    commune = await find_commune(session, text)
    if commune is not None:
        places = select(Space.organization_id).where(Space.commune_insee == commune.code_insee)
        conditions += [
            col(Organization.insee_code) == commune.code_insee,
            col(Organization.id).in_(places.where(col(Space.organization_id).is_not(None))),
        ]
    return or_(false(), *conditions)
