"""Every table, imported here so `SQLModel.metadata` is complete for Alembic and tests."""

from core.models.agreements import (
    Agreement,
    AgreementAcceptance,
    AgreementKind,
    AgreementState,
    AgreementVersion,
)
from core.models.alerts import Alert, Notification, NotificationKind
from core.models.audit import AuditAction, AuditEvent
from core.models.communes import Commune, Epci
from core.models.data_version import DataVersion
from core.models.exchanges import (
    Booking,
    CalendarFeed,
    Exchange,
    ExchangeEvent,
    ExchangeEventKind,
    ExchangeMessage,
    ExchangeSide,
    ExchangeState,
)
from core.models.idempotency import IdempotencyKey
from core.models.identities import (
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
from core.models.listing_counts import ListingCount
from core.models.listing_reports import ListingReport, ReportReason, ReportState
from core.models.listings import (
    Direction,
    Listing,
    ListingKind,
    ListingOrigin,
    ListingStatus,
    Terms,
    Visibility,
)
from core.models.memberships import Invitation, MembershipRequest, MembershipRequestState
from core.models.network_areas import AreaLevel, NetworkArea
from core.models.outbox import OutboxEvent, OutboxTopic
from core.models.photos import Photo, PhotoStage
from core.models.rate_limits import RateLimitCount
from core.models.space_claims import ClaimEvidence, ClaimState, SpaceClaim
from core.models.space_sources import SpaceMerge, SpaceSourceRecord
from core.models.spaces import Space, Typology
from core.models.trainings import LabRecognition, PassportShare, Training
from core.models.web_sessions import PendingLogin, PendingPurpose, WebSession

__all__ = [
    "AccessToken",
    "Agreement",
    "AgreementAcceptance",
    "AgreementKind",
    "AgreementState",
    "AgreementVersion",
    "Alert",
    "AreaLevel",
    "AuditAction",
    "AuditEvent",
    "Booking",
    "CalendarFeed",
    "ClaimEvidence",
    "ClaimState",
    "Commune",
    "DataVersion",
    "Direction",
    "Epci",
    "Exchange",
    "ExchangeEvent",
    "ExchangeEventKind",
    "ExchangeMessage",
    "ExchangeSide",
    "ExchangeState",
    "IdempotencyKey",
    "Identity",
    "Invitation",
    "LabRecognition",
    "Listing",
    "ListingCount",
    "ListingKind",
    "ListingOrigin",
    "ListingReport",
    "ListingStatus",
    "Membership",
    "MembershipRequest",
    "MembershipRequestState",
    "NetworkArea",
    "Notification",
    "NotificationKind",
    "Organization",
    "OrganizationKind",
    "OutboxEvent",
    "OutboxTopic",
    "PassportShare",
    "PendingLogin",
    "PendingPurpose",
    "Person",
    "Photo",
    "PhotoStage",
    "RateLimitCount",
    "ReportReason",
    "ReportState",
    "Role",
    "Sector",
    "Space",
    "SpaceClaim",
    "SpaceMerge",
    "SpaceSourceRecord",
    "Terms",
    "Training",
    "Typology",
    "VerificationMethod",
    "Visibility",
    "WebSession",
]
