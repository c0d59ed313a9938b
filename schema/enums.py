"""The domain's enums, exposed to GraphQL with their descriptions."""

from __future__ import annotations

import strawberry

from api import models
from api.services import listing_details

Direction = strawberry.enum(
    models.Direction, description="OFFER: someone provides it. REQUEST: someone is looking for it."
)
ListingKind = strawberry.enum(
    models.ListingKind,
    description="What is shared: a machine or tool, premises, a skill, or reusable material.",
)
ListingStatus = strawberry.enum(
    models.ListingStatus,
    description="DRAFT is seen by its organization only; PUBLISHED is live; PAUSED and WITHDRAWN "
    "are hidden; FULFILLED is done.",
)
Visibility = strawberry.enum(
    models.Visibility,
    description="PUBLIC: everyone. NETWORK: members of the same network. PRIVATE: the organization.",
)
Terms = strawberry.enum(models.Terms, description="On what terms it is shared.")
OrganizationKind = strawberry.enum(
    models.OrganizationKind,
    description="A tiers-lieu, a public authority (commune, EPCI, département, région, State "
    "service), a company, an association, or a network (e.g. a Fabrique des territoires).",
)
Sector = strawberry.enum(models.Sector, description="Public or private partner.")
Role = strawberry.enum(models.Role, description="A person's role in an organization.")
VerificationMethod = strawberry.enum(
    models.VerificationMethod, description="How an organization's identity was verified."
)
Typology = strawberry.enum(models.Typology, description="What kind of place a space is.")
SkillLevel = strawberry.enum(listing_details.SkillLevel, description="How advanced a skill is.")
SkillFormat = strawberry.enum(listing_details.SkillFormat, description="Where a skill is shared.")
MaterialCondition = strawberry.enum(
    listing_details.MaterialCondition, description="The state of reusable material."
)
