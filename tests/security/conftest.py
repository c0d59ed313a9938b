"""The real OIDC providers of tests/auth, for the sign-in attacks of this folder."""

from tests.auth.conftest import generic_op, proconnect_op, provider_files, signing_key

__all__ = ["generic_op", "proconnect_op", "provider_files", "signing_key"]
