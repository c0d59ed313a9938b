"""Bearer JWT access tokens issued by a configured provider, for partner systems.

The token names its issuer; only a configured provider's issuer is accepted, and the token must
pass that provider's checks (signature from its JWKS, `iss`, `aud`, `exp`). Its (issuer, subject)
must be an identity that signed in here once: the API never creates a person from a bare token.
"""

from __future__ import annotations

import json
import logging

from joserfc import jws
from joserfc.errors import JoseError

from api.auth.oidc import ProviderDown, Providers, SignInRefused
from core.db import Database
from core.services.identities import person_id_for, principal_for_person
from core.services.principal import Principal

logger = logging.getLogger("entrelieux.auth")


class JwtBearer:
    def __init__(self, providers: Providers) -> None:
        self.providers = providers

    async def principal(self, database: Database, token: str) -> Principal | None:
        """The principal of a valid access token, or None; the reason is logged, not the token."""
        try:
            payload = json.loads(jws.extract_compact(token.encode()).payload)
        except (JoseError, ValueError):
            logger.warning("bearer JWT refused: not a JWS")
            return None
        issuer = payload.get("iss") if isinstance(payload, dict) else None
        for provider in self.providers:
            try:
                if await provider.issuer() != issuer:
                    continue
                audience = provider.config.access_token_audience or provider.config.client_id
                claims = await provider.verify_jwt(token, audience=audience, kind="access token")
            except SignInRefused as error:  # ProviderDown included
                if isinstance(error, ProviderDown):
                    continue
                logger.warning("bearer JWT refused: %s", error)
                return None
            subject = claims.get("sub")
            if not isinstance(subject, str):
                logger.warning("bearer JWT refused: no subject")
                return None
            async with database.session() as session:
                person_id = await person_id_for(session, str(issuer), subject)
                if person_id is None:
                    logger.warning("bearer JWT refused: %s has no account here", provider.name)
                    return None
                return await principal_for_person(session, person_id)
        logger.warning("bearer JWT refused: issuer is not a configured provider")
        return None
