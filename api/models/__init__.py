"""Every table, imported here so `SQLModel.metadata` is complete for Alembic and tests."""

from api.models.alerts import Alert, Notification, NotificationKind
from api.models.communes import Commune
from api.models.identities import (
    AccessToken,
    Identity,
    Membership,
    Organization,
    OrganizationKind,
    Person,
    Role,
    Sector,
    VerificationMethod,
)
from api.models.listings import Direction, Listing, ListingKind, ListingStatus, Terms, Visibility
from api.models.outbox import OutboxEvent, OutboxTopic
from api.models.spaces import Space, Typology

__all__ = [
    "AccessToken",
    "Alert",
    "Commune",
    "Direction",
    "Identity",
    "Listing",
    "ListingKind",
    "ListingStatus",
    "Membership",
    "Notification",
    "NotificationKind",
    "Organization",
    "OrganizationKind",
    "OutboxEvent",
    "OutboxTopic",
    "Person",
    "Role",
    "Sector",
    "Space",
    "Terms",
    "Typology",
    "VerificationMethod",
    "Visibility",
]
