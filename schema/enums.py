"""The domain's enums, registered with Strawberry with their descriptions, and re-exported."""

from __future__ import annotations

import strawberry

from core.models import (
    Direction,
    ListingKind,
    ListingOrigin,
    ListingStatus,
    NotificationKind,
    OrganizationKind,
    Role,
    Sector,
    Terms,
    Typology,
    VerificationMethod,
    Visibility,
)
from core.services.listing_details import MaterialCondition, SkillFormat, SkillLevel

strawberry.enum(
    Direction, description="OFFER: someone provides it. REQUEST: someone is looking for it."
)
strawberry.enum(
    ListingKind,
    description="What is shared: a machine or tool, premises, a skill, or reusable material.",
)
strawberry.enum(
    ListingStatus,
    description="DRAFT is seen by its organization only; PUBLISHED is live; PAUSED and WITHDRAWN "
    "are hidden; FULFILLED is done.",
)
strawberry.enum(
    ListingOrigin,
    description="OWNER: its organization published it. CARTOFRICHES: a vacant site recorded by "
    "the Cartofriches census (Cerema) with a public owner, shown under that owner's name: the "
    "owner has not published it, so it cannot be requested until the owner does "
    "(`listingPublishRecord`).",
)
strawberry.enum(
    Visibility,
    description="PUBLIC: everyone. NETWORK: members of the same network. "
    "PRIVATE: the organization only.",
)
strawberry.enum(Terms, description="On what terms it is shared.")
strawberry.enum(
    OrganizationKind,
    description="A tiers-lieu, a public authority (commune, EPCI, département, région, State "
    "service), a company, an association, or a network (e.g. a Fabrique des territoires).",
)
strawberry.enum(Sector, description="Public or private partner.")
strawberry.enum(Role, description="A person's role in an organization.")
strawberry.enum(VerificationMethod, description="How an organization's identity was verified.")
strawberry.enum(Typology, description="What kind of place a space is.")
strawberry.enum(SkillLevel, description="How advanced a skill is.")
strawberry.enum(SkillFormat, description="Where a skill is shared.")
strawberry.enum(MaterialCondition, description="The state of reusable material.")
strawberry.enum(
    NotificationKind,
    description="ALERT_MATCH: a listing was published or changed and matches one of your alerts. "
    "EXCHANGE_*: something happened in one of your organizations' exchanges (a request, an "
    "answer, a handover, a completion, a message). MEMBERSHIP_*: a request to join. "
    "LISTING_REPORTED: someone reported a listing to a network you administer; LISTING_HIDDEN "
    "or LISTING_UNHIDDEN: a network hid (or showed again) a listing of yours, its reason in "
    "`note`; NETWORK_REFUSED: the network your organization named did not validate it, its "
    "reason in `note`; LISTING_REPORT_DECIDED: the network hid or kept a listing you reported, "
    "its reason in `note`.",
)

__all__ = [
    "Direction",
    "ListingKind",
    "ListingOrigin",
    "ListingStatus",
    "MaterialCondition",
    "NotificationKind",
    "OrganizationKind",
    "Role",
    "Sector",
    "SkillFormat",
    "SkillLevel",
    "Terms",
    "Typology",
    "VerificationMethod",
    "Visibility",
]
