"""Who is acting: a person, for one organization, with the role their membership gives."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.errors import NotAllowed, NotAuthenticated
from api.models import Role


@dataclass(frozen=True)
class Principal:
    person_id: int
    organization_id: int | None = None
    role: Role | None = None
    network_ids: frozenset[int] = field(default_factory=frozenset)
    """Organizations whose NETWORK listings this principal may see: its own and its network."""

    def acts_for(self, organization_id: int | None) -> bool:
        return organization_id is not None and self.organization_id == organization_id


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


def require_member(principal: Principal | None, organization_id: int | None) -> Principal:
    """Any member of the organization: enough to publish and manage listings."""
    acting = require_principal(principal)
    if not acting.acts_for(organization_id) or acting.role is None:
        raise NotAllowed("You do not act for this organization.")
    return acting


def require_admin(principal: Principal | None, organization_id: int | None) -> Principal:
    """An owner or admin: needed to change the organization and its places."""
    acting = require_member(principal, organization_id)
    if acting.role is None or not acting.role.can_administer:
        raise NotAllowed("This needs the ADMIN or OWNER role in the organization.")
    return acting
