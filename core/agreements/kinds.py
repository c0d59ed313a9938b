"""The kinds of agreement, and which one an exchange needs.

The table is the design's (docs/design/agreements-and-trainings.md).

Premises of a public owner are assumed to be of its public domain (a school, a hall): the
convention d'occupation temporaire. Whether they really are, or belong to its private domain, is
for the parties to check: the template's header says so.
"""

from __future__ import annotations

from core.models.agreements import AgreementKind
from core.models.identities import Sector
from core.models.listings import ListingKind

__all__ = ["AgreementKind", "kind_for"]


def kind_for(listing_kind: ListingKind, owner_sector: Sector, free: bool) -> AgreementKind:
    """The agreement an exchange of this listing needs, by the design's table."""
    match listing_kind:
        case ListingKind.EQUIPMENT:
            return AgreementKind.PRET_A_USAGE
        case ListingKind.SKILL:
            return AgreementKind.MISE_A_DISPOSITION
        case ListingKind.MATERIAL:
            return AgreementKind.ATTESTATION_DON
        case ListingKind.PREMISES if owner_sector is Sector.PUBLIC:
            return AgreementKind.OCCUPATION_TEMPORAIRE
        case ListingKind.PREMISES:
            return AgreementKind.PRET_A_USAGE if free else AgreementKind.OCCUPATION_PRECAIRE
