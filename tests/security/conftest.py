"""What the attacks of this folder share: the real OIDC providers of tests/auth, and a token of
a member of an organization (`token`)."""

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.auth.conftest import generic_op, proconnect_op, provider_files, signing_key
from tests.factories import make_organization, make_token

__all__ = ["generic_op", "proconnect_op", "provider_files", "signing_key"]


@pytest.fixture
async def token(session: AsyncSession) -> str:
    organization = await make_organization(session, "Lab")
    secret = await make_token(session, organization)
    await session.commit()
    return secret
