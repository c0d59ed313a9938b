"""Networks (RESEAU, e.g. a Fabrique des territoires) vouching for the places that join them."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import OrganizationErrorCode
from core.errors import NotFound
from core.models import AuditAction, Organization, VerificationMethod
from core.services.audit import record
from core.services.principal import Principal, require_admin


async def validate_member(
    session: AsyncSession, principal: Principal | None, organization_id: int
) -> Organization:
    """An admin of an organization's network marks it verified; already verified stays as is."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    acting = require_admin(principal, organization.parent_id)
    if organization.verified:
        return organization
    organization.verified = True
    organization.verified_by = VerificationMethod.NETWORK
    session.add(organization)
    await session.flush()
    details = {"network_id": organization.parent_id}
    action = AuditAction.NETWORK_VALIDATED
    await record(session, organization_id, acting.person_id, action, details)
    return organization
