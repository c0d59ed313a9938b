"""Every table, imported here so `SQLModel.metadata` is complete for Alembic and tests."""

from api.models.alerts import Alert, Notification, NotificationKind
from api.models.audit import AuditAction, AuditEvent
from api.models.communes import Commune
from api.models.exchanges import (
    Booking,
    CalendarFeed,
    Exchange,
    ExchangeEvent,
    ExchangeEventKind,
    ExchangeMessage,
    ExchangeSide,
    ExchangeState,
)
from api.models.idempotency import IdempotencyKey
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
from api.models.memberships import Invitation, MembershipRequest, MembershipRequestState
from api.models.outbox import OutboxEvent, OutboxTopic
from api.models.spaces import Space, Typology
from api.models.web_sessions import PendingLogin, PendingPurpose, WebSession

__all__ = [
    "AccessToken",
    "Alert",
    "AuditAction",
    "AuditEvent",
    "Booking",
    "CalendarFeed",
    "Commune",
    "Direction",
    "Exchange",
    "ExchangeEvent",
    "ExchangeEventKind",
    "ExchangeMessage",
    "ExchangeSide",
    "ExchangeState",
    "IdempotencyKey",
    "Identity",
    "Invitation",
    "Listing",
    "ListingKind",
    "ListingStatus",
    "Membership",
    "MembershipRequest",
    "MembershipRequestState",
    "Notification",
    "NotificationKind",
    "Organization",
    "OrganizationKind",
    "OutboxEvent",
    "OutboxTopic",
    "PendingLogin",
    "PendingPurpose",
    "Person",
    "Role",
    "Sector",
    "Space",
    "Terms",
    "Typology",
    "VerificationMethod",
    "Visibility",
    "WebSession",
]
