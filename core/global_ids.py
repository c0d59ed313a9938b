"""Global ids as the GraphQL API spells them, for links built outside the schema (e-mails).

The same encoding as `schema.relay.to_global_id`: URL-safe base64 of "Type:pk".
"""

from __future__ import annotations

import base64


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode()
