"""Telling people about claims on places: in the app, and by e-mail (`email_pending`).

Written in the same transaction as the claim or the decision, as for requests to join.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Notification, NotificationKind, Space, SpaceClaim
from core.services.membership_notices import admins_of


async def tell(
    session: AsyncSession,
    people: Iterable[int | None],
    organization_id: int | None,
    kind: NotificationKind,
    title: str,
    body: str,
    note: str = "",
) -> int:
    """One notification to each person, once; returns how many."""
    rows = [
        Notification(
            person_id=person_id,
            organization_id=organization_id,
            kind=kind,
            title=title[:300],
            body=body[:2000],
            note=note.strip()[:2000],
            email_pending=True,
        )
        for person_id in dict.fromkeys(p for p in people if p is not None)
    ]
    session.add_all(rows)
    return len(rows)


async def to_decide(
    session: AsyncSession, claim: SpaceClaim, space: Space, claimant: str, holder: str | None
) -> None:
    """The deciding network's admins: a claim waits for them (a dispute names both parties)."""
    where = space.commune_name or "commune inconnue"
    body = f"{claimant} revendique « {space.name} » ({where})."
    if holder:
        body += f" {holder} le détient déjà : il lui reste tant que votre réseau n'a pas décidé."
    if claim.message.strip():
        body += f"\n\n« {claim.message.strip()} »"
    people = await admins_of(session, claim.network_id)
    title = f"Revendication à examiner : {space.name}"
    await tell(
        session,
        people,
        claim.network_id,
        NotificationKind.CLAIM_TO_DECIDE,
        title,
        body,
        claim.message,
    )


async def disputed(session: AsyncSession, claim: SpaceClaim, space: Space, claimant: str) -> None:
    """The current holder's admins: someone else claims their place; the network decides."""
    body = (
        f"{claimant} revendique « {space.name} ». Le lieu reste le vôtre tant que le réseau qui "
        "le couvre n'a pas décidé."
    )
    people = await admins_of(session, claim.holder_id)
    title = f"Votre lieu est revendiqué : {space.name}"
    await tell(session, people, claim.holder_id, NotificationKind.CLAIM_DISPUTED, title, body)


async def verified(session: AsyncSession, claim: SpaceClaim, space: Space) -> None:
    """The claimant's side: the place is now theirs."""
    people = [claim.person_id, *await admins_of(session, claim.organization_id)]
    title = f"Lieu vérifié : {space.name}"
    body = f"« {space.name} » est désormais vérifié comme le lieu de votre organisation."
    await tell(session, people, claim.organization_id, NotificationKind.CLAIM_VERIFIED, title, body)


async def refused(session: AsyncSession, claim: SpaceClaim, space: Space) -> None:
    """The claimant's side: refused, with the network's reason."""
    people = [claim.person_id, *await admins_of(session, claim.organization_id)]
    title = f"Revendication refusée : {space.name}"
    body = f"Le réseau a refusé votre revendication de « {space.name} ».\n\nMotif : {claim.reason}"
    await tell(
        session,
        people,
        claim.organization_id,
        NotificationKind.CLAIM_REFUSED,
        title,
        body,
        claim.reason,
    )


async def replaced(session: AsyncSession, holder_id: int, space: Space) -> None:
    """The previous holder's side: the network gave the place to the other organization."""
    people = await admins_of(session, holder_id)
    title = f"Lieu attribué à une autre organisation : {space.name}"
    body = f"Le réseau a accepté la revendication d'une autre organisation sur « {space.name} »."
    await tell(session, people, holder_id, NotificationKind.PLACE_REPLACED, title, body)


async def recheck(session: AsyncSession, claim: SpaceClaim, space: Space) -> int:
    """A year since the last verification: the holder's admins are asked to re-confirm."""
    people = await admins_of(session, claim.organization_id)
    title = f"Confirmez les informations de {space.name}"
    body = (
        f"Cela fait un an que « {space.name} » a été vérifié. Confirmez que ses informations sont "
        "à jour ; sans confirmation d'ici un mois, le lieu sera affiché « à vérifier »."
    )
    return await tell(
        session, people, claim.organization_id, NotificationKind.PLACE_RECHECK, title, body
    )
