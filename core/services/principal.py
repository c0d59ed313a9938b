"""Who is acting: a person, the organizations they are a member of, and their role in each.

A personal access token acts for its one organization; a browser session acts for every
organization of the person. `organization_id` is the one a new listing or alert is published for
when a request names none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.error_codes import AccountErrorCode, OrganizationErrorCode
from core.errors import NotAllowed, NotAuthenticated
from core.models import Role


@dataclass(frozen=True)
class Principal:
    person_id: int
    organization_id: int | None = None
    role: Role | None = None
    network_ids: frozenset[int] = field(default_factory=frozenset)
    """Organizations whose NETWORK listings this principal may see: its own and their networks."""
    memberships: Mapping[int, Role] = field(default_factory=dict)
    """Role by organization id; filled from `organization_id` and `role` when not given."""

    def __post_init__(self) -> None:
        if not self.memberships and self.organization_id is not None and self.role is not None:
            object.__setattr__(self, "memberships", {self.organization_id: self.role})

    def role_in(self, organization_id: int | None) -> Role | None:
        return None if organization_id is None else self.memberships.get(organization_id)

    def acts_for(self, organization_id: int | None) -> bool:
        return self.role_in(organization_id) is not None

    def administers(self, organization_id: int | None) -> bool:
        """An OWNER or ADMIN of that organization."""
        role = self.role_in(organization_id)
        return role is not None and role.can_administer

    @property
    def organization_ids(self) -> frozenset[int]:
        return frozenset(self.memberships)


def principal_of(
    person_id: int, memberships: Sequence[tuple[int, Role | str, int | None]]
) -> Principal:
    """The person acting for these (organization, role, its parent network) memberships: the
    first is the default organization; NETWORK listings of each and of its network are seen.
    Without memberships, a person who acts for no organization."""
    roles = {organization_id: Role(role) for organization_id, role, _ in memberships}
    parents = {parent for _, _, parent in memberships if parent is not None}
    first = memberships[0] if memberships else None
    return Principal(
        person_id=person_id,
        organization_id=first[0] if first else None,
        role=Role(first[1]) if first else None,
        network_ids=frozenset(roles) | frozenset(parents),
        memberships=roles,
    )


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise NotAuthenticated(AccountErrorCode.SIGN_IN_REQUIRED)
    return principal


def require_member(principal: Principal | None, organization_id: int | None) -> Principal:
    """Any member of the organization: enough to publish and manage listings."""
    acting = require_principal(principal)
    if not acting.acts_for(organization_id):
        raise NotAllowed(OrganizationErrorCode.NOT_A_MEMBER)
    return acting


def require_admin(principal: Principal | None, organization_id: int | None) -> Principal:
    """An owner or admin: needed to change the organization and its places."""
    acting = require_member(principal, organization_id)
    role = acting.role_in(organization_id)
    if role is None or not role.can_administer:
        raise NotAllowed(OrganizationErrorCode.ADMIN_ROLE_REQUIRED)
    return acting
