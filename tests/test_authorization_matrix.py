"""Who may do what, on every path: a generated test over the whole GraphQL schema.

The schema is introspected; every field of `Query` and `Mutation` (and the guarded fields of
`GUARDED_FIELDS`) must have a rule in `RULES`, saying what each viewer gets. A new field without
a rule fails `test_every_root_field_has_a_rule` and its own cases, naming it.

Viewers act with bearer tokens: anonymous, a MEMBER of A, an ADMIN of A, a MEMBER of B (a third
party), and an ADMIN of N, the network (RESEAU) A belongs to. Each case builds the same small
world in its own rolled-back transaction, so a mutation by one viewer never changes another's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from graphql import GraphQLObjectType
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Alert,
    AreaLevel,
    Booking,
    CalendarFeed,
    ClaimState,
    Exchange,
    ExchangeState,
    ListingReport,
    ListingStatus,
    MembershipRequest,
    Notification,
    NotificationKind,
    Organization,
    OrganizationKind,
    PassportShare,
    Photo,
    PhotoStage,
    ReportReason,
    Role,
    SpaceClaim,
    SpaceMerge,
    SpaceSourceRecord,
    Training,
    Visibility,
)
from core.services import agreements
from core.services.memberships import InvitationDraft, invite
from core.services.network_areas import add_area
from core.services.principal import Principal
from core.services.tokens import issue_token
from core.settings import Settings
from schema.build import build_schema
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization, make_space
from tests.graphql import GraphQLClient
from tests.images import post_upload, small_jpeg

VIEWERS = ("anonymous", "member_a", "admin_a", "member_b", "network_admin")
GUARDED_FIELDS = (
    "Organization.members",
    "Organization.auditEvents",
    "Organization.pendingRequests",
    "Organization.openInvitations",
    "Organization.recognizedLabs",
    "Organization.trainings",
    "Viewer.spaceClaims",
    "Viewer.claimsToDecide",
    "NetworkDesk.members",
    "NetworkDesk.reportsToReview",
    "Listing.hidden",
    "Territory.exchanges",
    "Territory.impact",
    "Person.trainings",
    "Viewer.trainings",
    "Exchange.trainingCheck",
    "Exchange.photos",
    "Exchange.agreement",
    "Viewer.passportShares",
)
"""Object fields that are not public: they need a rule like the root fields."""

# Outcomes
OK = "OK"  # data, no top-level error; for a mutation, its success type
UNAUTHENTICATED = "UNAUTHENTICATED"  # top-level error with this code
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NotFoundError"  # a mutation's typed result, nothing written
CONFLICT = "ConflictError"
NULL = "NULL"  # a query field answers null: the object is hidden from this viewer


@dataclass(frozen=True)
class Sees:
    """A read that succeeds and shows exactly these of the world's marked objects."""

    marks: frozenset[str]

    def __init__(self, *marks: str) -> None:
        object.__setattr__(self, "marks", frozenset(marks))


Outcome = str | Sees


@dataclass(frozen=True)
class World:
    ids: dict[str, str]
    tokens: dict[str, str | None]
    extra: dict[str, str]


@dataclass(frozen=True)
class Rule:
    document: str
    variables: Callable[[World], dict[str, Any]]
    expect: dict[str, Outcome]
    why: str
    upload: bool = False
    """Sent as a multipart request with a photo in `$file`."""


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(VIEWERS, outcome)


def signed_in(outcome: Outcome, anonymous: Outcome = UNAUTHENTICATED) -> dict[str, Outcome]:
    return {**everyone(outcome), "anonymous": anonymous}


def admins_of_a(outcome: Outcome = OK) -> dict[str, Outcome]:
    return {**signed_in(FORBIDDEN), "admin_a": outcome}


def members_of_a(outcome: Outcome = OK) -> dict[str, Outcome]:
    return {**signed_in(FORBIDDEN), "member_a": outcome, "admin_a": outcome}


def no_variables(world: World) -> dict[str, Any]:
    return {}


def with_ids(**names: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {variable: world.ids[key] for variable, key in names.items()}


LISTING_MARKS = "title"
SEES_LISTINGS = {
    "anonymous": Sees("public"),
    "member_a": Sees("public", "network", "private", "draft", "moderated"),
    "admin_a": Sees("public", "network", "private", "draft", "moderated"),
    "member_b": Sees("public"),
    "network_admin": Sees("public", "network", "moderated"),
}
SEES_PRIVATE = {
    **everyone(NULL),
    "member_a": Sees("private"),
    "admin_a": Sees("private"),
}

RULES: dict[str, Rule] = {
    # Queries
    "Query.organizations": Rule(
        "{ organizations(first: 50) { edges { node { name } } } }",
        no_variables,
        everyone(OK),
        "organizations are public",
    ),
    "Query.organization": Rule(
        "query($id: ID!) { organization(id: $id) { name } }",
        with_ids(id="A"),
        everyone(OK),
        "organizations are public",
    ),
    "Query.spaces": Rule(
        "{ spaces { edges { node { name } } } }", no_variables, everyone(OK), "places are public"
    ),
    "Query.space": Rule(
        "query($id: ID!) { space(id: $id) { name } }",
        with_ids(id="space_a"),
        everyone(OK),
        "places are public",
    ),
    "Query.listings": Rule(
        "{ listings(first: 100) { edges { node { title } } } }",
        no_variables,
        SEES_LISTINGS,
        "visibility: PUBLIC for all, NETWORK for the network, the rest for A's members; a listing "
        "hidden by N for A's members and N's admins",
    ),
    "Query.listing": Rule(
        "query($id: ID!) { listing(id: $id) { title } }",
        with_ids(id="listing_private"),
        SEES_PRIVATE,
        "a PRIVATE listing is A's members' only",
    ),
    "Query.node": Rule(
        "query($id: ID!) { node(id: $id) { ... on Listing { title } } }",
        with_ids(id="listing_private"),
        SEES_PRIVATE,
        "node(id:) applies the same visibility as listing(id:)",
    ),
    "Query.search": Rule(
        "",
        no_variables,
        {},
        "needs Meilisearch: its leak matrix over search, facets, matches and node is "
        "tests/search/test_matching.py::test_no_search_path_reveals_what_a_viewer_may_not_see",
    ),
    "Query.communes": Rule(
        "",
        no_variables,
        {},
        "public reference data answered by Meilisearch: tests/search/test_places_search.py",
    ),
    "Query.epci": Rule(
        '{ epci(siren: "200034825") { name } }', no_variables, everyone(OK), "reference data"
    ),
    "Query.categories": Rule(
        "{ categories { code } }", no_variables, everyone(OK), "reference data"
    ),
    "Query.searchStatus": Rule(
        "{ searchStatus { indexing pending } }",
        no_variables,
        everyone(OK),
        "public: whether the index has caught up, a count and no more",
    ),
    "Query.alerts": Rule(
        "{ alerts { edges { node { name } } } }",
        no_variables,
        {**signed_in(Sees()), "member_a": Sees("alert")},
        "one's own alerts only",
    ),
    "Query.notifications": Rule(
        "{ notifications { edges { node { title } } } }",
        no_variables,
        {**signed_in(Sees()), "member_a": Sees("notification")},
        "one's own notifications only",
    ),
    "Query.impact": Rule(
        "query($id: ID!) { impact(filter: { organization: $id }) { exchangesCompleted } }",
        with_ids(id="A"),
        {**signed_in(FORBIDDEN), "member_a": OK, "admin_a": OK, "network_admin": OK},
        "A's figures are for A's members and its network; open totals (no organization) are "
        "public: tests/test_impact.py",
    ),
    "Query.calendarFeeds": Rule(
        "query($id: ID!) { calendarFeeds(organizationId: $id) { name } }",
        with_ids(id="A"),
        members_of_a(),
        "A's members see A's calendar feeds (never their secrets)",
    ),
    "Query.exchanges": Rule(
        "{ exchanges { edges { node { listing { title } } } } }",
        no_variables,
        {**signed_in(Sees()), "member_a": Sees("public"), "admin_a": Sees("public")},
        "the two organizations of an exchange, nobody else",
    ),
    "Query.me": Rule(
        "{ me { email } }",
        no_variables,
        {**everyone(OK), "anonymous": NULL},
        "the signed-in person; null when anonymous",
    ),
    "Query.networkDesk": Rule(
        "query($id: ID!) { networkDesk(id: $id) { areas { code } membersToValidate { name } } }",
        with_ids(id="N"),
        {**signed_in(FORBIDDEN), "network_admin": OK},
        "a network's areas are public; its queue is for its owners and admins",
    ),
    "NetworkDesk.members": Rule(
        "query($id: ID!) { networkDesk(id: $id) { members { listingsPublished } } }",
        with_ids(id="N"),
        {**signed_in(FORBIDDEN), "network_admin": OK},
        "a network's owners and admins see its members' activity",
    ),
    "NetworkDesk.reportsToReview": Rule(
        "query($id: ID!) { networkDesk(id: $id) { reportsToReview { reason } } }",
        with_ids(id="N"),
        {**signed_in(FORBIDDEN), "network_admin": OK},
        "reports go to the network's owners and admins only",
    ),
    "Listing.hidden": Rule(
        "query($id: ID!) { listing(id: $id) { hidden { reason } } }",
        with_ids(id="listing_moderated"),
        {
            **everyone(Sees()),
            "member_a": Sees("moderated"),
            "admin_a": Sees("moderated"),
            "network_admin": Sees("moderated"),
        },
        "a hidden listing and its reason: for its organization and the network that hid it",
    ),
    "Query.territory": Rule(
        '{ territory(code: "dep-23") { name places { totalCount } listings { offered } } }',
        no_variables,
        everyone(OK),
        "a territory's open figures count what each viewer may see: tests/test_territories.py",
    ),
    "Territory.exchanges": Rule(
        '{ territory(code: "dep-23") { exchanges { __typename } } }',
        no_variables,
        {**everyone(Sees()), "network_admin": Sees("TerritoryExchanges")},
        "exchange totals are for the territory's own public organization and the networks "
        "covering it (N covers department 23): tests/test_territories.py",
    ),
    "Territory.impact": Rule(
        '{ territory(code: "dep-23") { impact { __typename } } }',
        no_variables,
        {**everyone(Sees()), "network_admin": Sees("Impact")},
        "impact totals: the same readers as Territory.exchanges",
    ),
    "Organization.members": Rule(
        "query($id: ID!) { organization(id: $id) { members { totalCount } } }",
        with_ids(id="A"),
        members_of_a(),
        "A's members see who else is",
    ),
    "Organization.auditEvents": Rule(
        "query($id: ID!) { organization(id: $id) { auditEvents { totalCount } } }",
        with_ids(id="A"),
        admins_of_a(),
        "A's owners and admins read its audit trail",
    ),
    "Organization.pendingRequests": Rule(
        "query($id: ID!) { organization(id: $id) { pendingRequests { message } } }",
        with_ids(id="A"),
        admins_of_a(),
        "A's owners and admins decide who joins",
    ),
    "Viewer.spaceClaims": Rule(
        "{ me { spaceClaims { message } } }",
        no_variables,
        {**everyone(Sees()), "member_a": Sees("claim"), "admin_a": Sees("claim")},
        "an organization's members follow its claims on places",
    ),
    "Viewer.claimsToDecide": Rule(
        "{ me { claimsToDecide { message } } }",
        no_variables,
        {**everyone(Sees()), "network_admin": Sees("claim")},
        "the admins of the network a claim waits for decide it",
    ),
    "Person.trainings": Rule(
        "query($id: ID!) { organization(id: $id) { members { edges { node { person { "
        "trainings { note } } } } } } }",
        with_ids(id="A"),
        {**members_of_a(), "member_a": Sees(), "admin_a": Sees("training")},
        "a person's passport: theirs, and a lab's admins see what it recorded (another member "
        "of A sees nothing; the person themself: tests/test_trainings.py)",
    ),
    "Viewer.passportShares": Rule(
        "{ me { passportShares { name } } }",
        no_variables,
        {**everyone(Sees()), "member_a": Sees("passport_shared")},
        "whom a person shares their passport with is theirs to see (member_a shares theirs)",
    ),
    "Viewer.trainings": Rule(
        "{ me { trainings { note } } }",
        no_variables,
        everyone(Sees()),
        "a passport is its person's alone: none of these viewers is the trained person (that "
        "person reads theirs: tests/test_trainings.py)",
    ),
    "Exchange.trainingCheck": Rule(
        "query($id: ID!) { node(id: $id) { ... on Exchange { trainingCheck { rule } } } }",
        with_ids(id="exchange_requested"),
        {**everyone(Sees()), "member_a": Sees("SAME_NETWORK"), "admin_a": Sees("SAME_NETWORK")},
        "the host's members see whether the requester is trained for its laser; the requester "
        "side gets null (tests/test_training_checks.py), others no exchange at all",
    ),
    "Exchange.agreement": Rule(
        "query($id: ID!) { node(id: $id) { ... on Exchange { agreement { kind } } } }",
        with_ids(id="exchange_accepted"),
        {**everyone(Sees()), "member_a": Sees("PRET_A_USAGE"), "admin_a": Sees("PRET_A_USAGE")},
        "an exchange's agreement: only the two parties' members (here A's) read it",
    ),
    "Organization.openInvitations": Rule(
        "query($id: ID!) { organization(id: $id) { openInvitations { email } } }",
        with_ids(id="A"),
        admins_of_a(),
        "A's owners and admins see whom they invited",
    ),
    "Organization.trainings": Rule(
        "query($id: ID!) { organization(id: $id) { trainings { note person { id } } } }",
        with_ids(id="A"),
        admins_of_a(),
        "the trainings a lab recorded are for its owners and admins (tests/test_trainings.py)",
    ),
    "Organization.recognizedLabs": Rule(
        "query($id: ID!) { organization(id: $id) { recognizedLabs { name } } }",
        with_ids(id="A"),
        admins_of_a(),
        "whom a lab trusts is for its owners and admins (tests/test_trainings.py reads it)",
    ),
    "Exchange.photos": Rule(
        "{ exchanges { edges { node { photos { alt } } } } }",
        no_variables,
        {**signed_in(Sees()), "member_a": Sees("condition"), "admin_a": Sees("condition")},
        "an exchange's condition photos: its two parties' members only",
    ),
}


def _mutation(field: str, arguments: str, variables: str) -> str:
    return (
        f"mutation({variables}) {{ {field}({arguments}) {{ __typename "
        "... on Error { message } } }"
    )


MUTATION_RULES: dict[
    str, tuple[str, str, Callable[[World], dict[str, Any]], dict[str, Outcome], str]
] = {
    "organizationCreate": (
        "input: $input",
        "$input: OrganizationCreateInput!",
        lambda w: {"input": {"name": "Nouveau lieu", "kind": "TIERS_LIEU"}},
        signed_in(OK),
        "anyone signed in creates an organization and owns it",
    ),
    "organizationRename": (
        "input: $input",
        "$input: OrganizationRenameInput!",
        lambda w: {"input": {"organizationId": w.ids["A"], "name": "Lieu renommé"}},
        admins_of_a(),
        "A's admins name A",
    ),
    "profileUpdate": (
        "input: $input",
        "$input: ProfileUpdateInput!",
        lambda w: {"input": {"displayName": "Dominique Morel"}},
        signed_in(OK),
        "anyone signed in names themselves",
    ),
    "spaceCreate": (
        "input: $input",
        "$input: SpaceCreateInput!",
        lambda w: {"input": {"organizationId": w.ids["A"], "name": "Atelier bois"}},
        admins_of_a(),
        "A's admins add its places",
    ),
    "spaceUpdate": (
        "id: $id, input: $input",
        "$id: ID!, $input: SpaceUpdateInput!",
        lambda w: {"id": w.ids["space_a"], "input": {"name": "Atelier métal"}},
        admins_of_a(),
        "A's admins change its places",
    ),
    "listingPublish": (
        "input: $input",
        "$input: ListingPublishInput!",
        lambda w: {
            "input": {
                "direction": "OFFER",
                "kind": "EQUIPMENT",
                "title": "Perceuse à colonne",
                "spaceId": w.ids["space_a"],
            }
        },
        {**members_of_a(), "member_b": "InputError", "network_admin": "InputError"},
        "a member publishes for their organization, only at its own places",
    ),
    "listingUpdate": (
        "id: $id, input: $input",
        "$id: ID!, $input: ListingUpdateInput!",
        lambda w: {"id": w.ids["listing_private"], "input": {"title": "Nouveau titre"}},
        {**members_of_a(), "member_b": NOT_FOUND, "network_admin": NOT_FOUND},
        "A's members change its listings; others may not know a PRIVATE one exists",
    ),
    "listingWithdraw": (
        "id: $id",
        "$id: ID!",
        with_ids(id="listing_private"),
        {**members_of_a(), "member_b": NOT_FOUND, "network_admin": NOT_FOUND},
        "A's members withdraw its listings",
    ),
    "listingPublishRecord": (
        "id: $id",
        "$id: ID!",
        with_ids(id="listing_private"),
        {**members_of_a("ConflictError"), "member_b": NOT_FOUND, "network_admin": NOT_FOUND},
        "A's members publish the census records shown under A's name (this one is already A's "
        "own offer: a conflict); others may not know a PRIVATE one exists",
    ),
    "alertCreate": (
        "input: $input",
        "$input: AlertCreateInput!",
        lambda w: {"input": {"name": "Laser", "search": {"text": "laser"}}},
        signed_in(OK),
        "anyone signed in saves a search",
    ),
    "alertDelete": (
        "id: $id",
        "$id: ID!",
        with_ids(id="alert"),
        {**signed_in(NOT_FOUND), "member_a": OK},
        "one's own alerts only",
    ),
    "notificationMarkRead": (
        "id: $id",
        "$id: ID!",
        with_ids(id="notification"),
        {**signed_in(NOT_FOUND), "member_a": OK},
        "one's own notifications only",
    ),
    "organizationInvite": (
        "input: $input",
        "$input: OrganizationInviteInput!",
        lambda w: {"input": {"organizationId": w.ids["A"], "email": "new@example.org"}},
        admins_of_a(),
        "A's admins invite",
    ),
    "membershipRequest": (
        "input: $input",
        "$input: MembershipRequestInput!",
        lambda w: {"input": {"organizationId": w.ids["A"]}},
        {**signed_in(OK), "member_a": CONFLICT, "admin_a": CONFLICT},
        "anyone signed in asks to join; members already are",
    ),
    "membershipAccept": (
        "input: $input",
        "$input: MembershipAcceptInput!",
        lambda w: {"input": {"requestId": w.ids["request"]}},
        admins_of_a(),
        "A's admins accept requests to join A (invitation tokens: tests/test_memberships.py)",
    ),
    "membershipRefuse": (
        "id: $id",
        "$id: ID!",
        with_ids(id="request"),
        admins_of_a(),
        "A's admins refuse requests to join A",
    ),
    "membershipRoleChange": (
        "input: $input",
        "$input: MembershipRoleChangeInput!",
        lambda w: {"input": {"membershipId": w.ids["target_membership"], "role": "ADMIN"}},
        admins_of_a(),
        "A's admins change roles in A",
    ),
    "membershipRevoke": (
        "id: $id",
        "$id: ID!",
        with_ids(id="target_membership"),
        admins_of_a(),
        "A's admins remove members of A (a member leaving: tests/test_memberships.py)",
    ),
    "tokenCreate": (
        "input: $input",
        "$input: TokenCreateInput!",
        lambda w: {"input": {"organizationId": w.ids["A"]}},
        members_of_a(),
        "a token acts for one of its owner's organizations",
    ),
    "tokenRevoke": (
        "id: $id",
        "$id: ID!",
        with_ids(id="member_a_token"),
        {**members_of_a(), "member_b": FORBIDDEN, "network_admin": FORBIDDEN},
        "one's own tokens, or, for A's admins, any token acting for A",
    ),
    "calendarFeedCreate": (
        "input: $input",
        "$input: CalendarFeedCreateInput!",
        lambda w: {"input": {"organizationId": w.ids["A"]}},
        members_of_a(),
        "any member of A creates a calendar feed of A's exchanges",
    ),
    "calendarFeedRevoke": (
        "id: $id",
        "$id: ID!",
        with_ids(id="calendar_feed"),
        members_of_a(),
        "its creator (member_a) or A's admins revoke a feed of A",
    ),
    "exchangeRequest": (
        "input: $input",
        "$input: ExchangeRequestInput!",
        lambda w: {
            "input": {
                "listingId": w.ids["listing_public"],
                "startsAt": "2030-01-01T09:00:00+00:00",
                "endsAt": "2030-01-02T09:00:00+00:00",
            }
        },
        {**signed_in(OK), "member_a": "InputError", "admin_a": "InputError"},
        "anyone signed in asks for another organization's listing; not for one's own",
    ),
    **{
        name: (
            "id: $id",
            "$id: ID!",
            with_ids(id=exchange),
            {
                **signed_in(NOT_FOUND),
                "member_a": "NotAllowedError",
                "admin_a": OK,
            },
            "the owner's admins (or the listing's publisher) decide; others don't know it exists",
        )
        for name, exchange in {
            "exchangeAccept": "exchange_requested",
            "exchangeDecline": "exchange_requested",
            "exchangeStart": "exchange_accepted",
            "exchangeComplete": "exchange_in_progress",
        }.items()
    },
    "exchangeCancel": (
        "id: $id",
        "$id: ID!",
        with_ids(id="exchange_requested"),
        {**signed_in(NOT_FOUND), "member_a": "NotAllowedError", "admin_a": CONFLICT},
        "a request awaiting the owner is declined by its admins, not cancelled (they cancel "
        "only after proposing another period); others don't know it exists",
    ),
    "exchangePropose": (
        "input: $input",
        "$input: ExchangeProposeInput!",
        lambda w: {
            "input": {
                "id": w.ids["exchange_requested"],
                "startsAt": "2030-02-01T09:00:00+00:00",
                "endsAt": "2030-02-02T09:00:00+00:00",
            }
        },
        {**signed_in(NOT_FOUND), "member_a": "NotAllowedError", "admin_a": OK},
        "the owner's admins propose another period",
    ),
    "exchangeMessageSend": (
        "input: $input",
        "$input: ExchangeMessageSendInput!",
        lambda w: {"input": {"exchangeId": w.ids["exchange_requested"], "body": "Bonjour"}},
        {**signed_in(NOT_FOUND), "member_a": OK, "admin_a": OK},
        "any member of either side writes in the thread",
    ),
    "listingBlock": (
        "input: $input",
        "$input: ListingBlockInput!",
        lambda w: {
            "input": {
                "listingId": w.ids["listing_private"],
                "startsAt": "2030-03-01T09:00:00+00:00",
                "endsAt": "2030-03-02T09:00:00+00:00",
            }
        },
        {**signed_in("InputError"), "member_a": OK, "admin_a": OK},
        "A's members block A's listings; to others the listing is unknown",
    ),
    "listingUnblock": (
        "id: $id",
        "$id: ID!",
        with_ids(id="block"),
        {**signed_in(NOT_FOUND), "member_a": OK, "admin_a": OK},
        "A's members unblock A's listings",
    ),
    "organizationValidate": (
        "id: $id",
        "$id: ID!",
        with_ids(id="A"),
        {**signed_in(FORBIDDEN), "network_admin": OK},
        "the admins of A's network validate A",
    ),
    "organizationRefuse": (
        "input: $input",
        "$input: OrganizationRefuseInput!",
        lambda w: {"input": {"organizationId": w.ids["A"], "reason": "Pas un tiers-lieu"}},
        {**signed_in(FORBIDDEN), "network_admin": OK},
        "the admins of A's network refuse A, with a reason",
    ),
    "listingReport": (
        "input: $input",
        "$input: ListingReportInput!",
        lambda w: {"input": {"listingId": w.ids["listing_public"], "reason": "SPAM"}},
        {**signed_in(OK), "member_a": CONFLICT, "admin_a": CONFLICT},
        "anyone signed in reports a listing they see, except its own organization",
    ),
    "listingHide": (
        "input: $input",
        "$input: ListingDecisionInput!",
        lambda w: {"input": {"listingId": w.ids["listing_public"], "reason": "Spam"}},
        {**signed_in("NotAllowedError"), "network_admin": OK},
        "the admins of a network covering the listing (N covers the country) hide it",
    ),
    "listingUnhide": (
        "input: $input",
        "$input: ListingDecisionInput!",
        lambda w: {"input": {"listingId": w.ids["listing_moderated"], "reason": "Vérifiée"}},
        {
            **signed_in(NOT_FOUND),
            "member_a": "NotAllowedError",
            "admin_a": "NotAllowedError",
            "network_admin": OK,
        },
        "the admins of a covering network show it again; to others but A it is unknown",
    ),
    "listingReportDismiss": (
        "input: $input",
        "$input: ListingReportDismissInput!",
        lambda w: {"input": {"reportId": w.ids["report"], "reason": "Conforme"}},
        {**signed_in(NOT_FOUND), "network_admin": OK},
        "the admins of a covering network dismiss a report; to others it is unknown",
    ),
}
PHOTO_OF_A_PRIVATE_LISTING = {**members_of_a(), "member_b": NOT_FOUND, "network_admin": NOT_FOUND}
UPLOADS = {"listingPhotoAdd", "spacePhotoSet", "organizationPhotoSet"}
MUTATION_RULES |= {
    "listingPhotoAdd": (
        'listingId: $id, file: $file, alt: "Vue"',
        "$id: ID!, $file: Upload!",
        with_ids(id="listing_private"),
        PHOTO_OF_A_PRIVATE_LISTING,
        "A's members add photos to A's listings; to others a PRIVATE one is unknown",
    ),
    "listingPhotoUpdate": (
        'id: $id, alt: "Vue de face"',
        "$id: ID!",
        with_ids(id="listing_photo"),
        PHOTO_OF_A_PRIVATE_LISTING,
        "A's members describe the photos of A's listings",
    ),
    "listingPhotoMove": (
        "id: $id, position: 0",
        "$id: ID!",
        with_ids(id="listing_photo"),
        PHOTO_OF_A_PRIVATE_LISTING,
        "A's members order the photos of A's listings",
    ),
    "listingPhotoDelete": (
        "id: $id",
        "$id: ID!",
        with_ids(id="listing_photo"),
        PHOTO_OF_A_PRIVATE_LISTING,
        "A's members delete the photos of A's listings",
    ),
    "spacePhotoSet": (
        'spaceId: $id, file: $file, alt: "La façade"',
        "$id: ID!, $file: Upload!",
        with_ids(id="space_a"),
        admins_of_a(),
        "A's admins change its places, their photo included",
    ),
    "spacePhotoUpdate": (
        'spaceId: $id, alt: "La façade"',
        "$id: ID!",
        with_ids(id="space_a"),
        admins_of_a(),
        "A's admins describe its places' photos",
    ),
    "spacePhotoDelete": (
        "spaceId: $id",
        "$id: ID!",
        with_ids(id="space_a"),
        admins_of_a(),
        "A's admins delete its places' photos",
    ),
    "organizationPhotoSet": (
        'organizationId: $id, file: $file, alt: "Le logo"',
        "$id: ID!, $file: Upload!",
        with_ids(id="A"),
        admins_of_a(),
        "A's admins change A, its photo included",
    ),
    "organizationPhotoUpdate": (
        'organizationId: $id, alt: "Le logo"',
        "$id: ID!",
        with_ids(id="A"),
        admins_of_a(),
        "A's admins describe A's photo",
    ),
    "organizationPhotoDelete": (
        "organizationId: $id",
        "$id: ID!",
        with_ids(id="A"),
        admins_of_a(),
        "A's admins delete A's photo",
    ),
    "spaceClaim": (
        "input: $input",
        "$input: SpaceClaimInput!",
        lambda w: {"input": {"spaceId": w.ids["space_free"], "organizationId": w.ids["A"]}},
        admins_of_a(),
        "A's admins claim places for A",
    ),
    "spaceClaimDecide": (
        "input: $input",
        "$input: SpaceClaimDecideInput!",
        lambda w: {"input": {"claimId": w.ids["claim"], "decision": "ACCEPT"}},
        {**signed_in(FORBIDDEN), "network_admin": OK},
        "the admins of the network a claim waits for decide it",
    ),
    "spaceConfirm": (
        "id: $id",
        "$id: ID!",
        with_ids(id="space_a"),
        admins_of_a(),
        "A's admins re-confirm A's verified places",
    ),
    "spaceMergeUndo": (
        "id: $id",
        "$id: ID!",
        with_ids(id="space_merge"),
        {**signed_in(FORBIDDEN), "network_admin": OK},
        "the national administrators (N covers the country here) undo a merge of two sources",
    ),
    "trainingRecord": (
        "input: $input",
        "$input: TrainingRecordInput!",
        lambda w: {
            "input": {
                "organizationId": w.ids["A"],
                "personId": w.ids["target_person"],
                "machineClass": "laser",
                "trainedOn": "2026-12-01",
            }
        },
        admins_of_a(),
        "A's admins record the trainings A gave",
    ),
    "trainingRevoke": (
        "id: $id",
        "$id: ID!",
        with_ids(id="training"),
        admins_of_a(),
        "A's admins revoke the trainings A recorded",
    ),
    "labRecognitionSet": (
        "input: $input",
        "$input: LabRecognitionSetInput!",
        lambda w: {
            "input": {
                "organizationId": w.ids["A"],
                "recognizedOrganizationId": w.ids["B"],
                "recognized": True,
            }
        },
        admins_of_a(),
        "A's admins choose whose trainings A recognizes",
    ),
    "passportShare": (
        "input: $input",
        "$input: PassportShareInput!",
        lambda w: {"input": {"organizationId": w.ids["A"], "shared": True}},
        signed_in(OK),
        "anyone signed in shares their own passport (and theirs only) with an organization",
    ),
    "agreementEdit": (
        "input: $input",
        "$input: AgreementEditInput!",
        lambda w: {"input": {"exchangeId": w.ids["exchange_accepted"], "terms": {"use": "x"}}},
        {**signed_in(NOT_FOUND), "member_a": OK, "admin_a": OK},
        "any member of either side edits the agreement; others don't know it exists",
    ),
    "agreementAccept": (
        "input: $input",
        "$input: AgreementAcceptInput!",
        lambda w: {
            "input": {
                "exchangeId": w.ids["exchange_accepted"],
                "versionId": w.ids["agreement_version"],
            }
        },
        {**signed_in(NOT_FOUND), "member_a": "NotAllowedError", "admin_a": OK},
        "a side's ADMINs and OWNERs accept the agreement; a MEMBER may not; others don't know it",
    ),
}
UPLOADS |= {"exchangePhotoAdd"}
MUTATION_RULES |= {
    "exchangePhotoAdd": (
        'exchangeId: $id, stage: HANDOVER, file: $file, alt: "Vue"',
        "$id: ID!, $file: Upload!",
        with_ids(id="exchange_accepted"),
        {**signed_in(NOT_FOUND), "member_a": OK, "admin_a": OK},
        "any member of either side adds condition photos; others don't know the exchange exists",
    ),
    "exchangePhotoUpdate": (
        'id: $id, alt: "Vue de face"',
        "$id: ID!",
        with_ids(id="exchange_photo"),
        {**signed_in(NOT_FOUND), "member_a": OK, "admin_a": "NotAllowedError"},
        "only the person who added a condition photo (member_a) describes it",
    ),
    "exchangePhotoDelete": (
        "id: $id",
        "$id: ID!",
        with_ids(id="exchange_photo"),
        {**signed_in(NOT_FOUND), "member_a": OK, "admin_a": "NotAllowedError"},
        "only the person who added a condition photo deletes it: one side never removes the "
        "other's record",
    ),
}
for _name, (_arguments, _variables, _make, _expect, _why) in MUTATION_RULES.items():
    RULES[f"Mutation.{_name}"] = Rule(
        _mutation(_name, _arguments, _variables), _make, _expect, _why, _name in UPLOADS
    )


def schema_fields() -> list[str]:
    schema = build_schema(Settings())._schema
    names = []
    for root in (schema.query_type, schema.mutation_type):
        assert isinstance(root, GraphQLObjectType)
        names += [f"{root.name}.{field}" for field in root.fields]
    return names + list(GUARDED_FIELDS)


FIELDS = schema_fields()
CASES = [(field, viewer) for field in FIELDS for viewer in VIEWERS]


def test_every_root_field_has_a_rule() -> None:
    missing = [field for field in FIELDS if field not in RULES]
    stale = [field for field in RULES if field not in FIELDS]

    assert missing == [], f"Fields without an authorization rule: {missing}"
    assert stale == [], f"Rules for fields the schema no longer has: {stale}"


async def build_world(session: AsyncSession) -> World:
    network = await make_organization(session, "Fabrique N", OrganizationKind.RESEAU)
    await add_area(session, network.name, AreaLevel.DEPARTMENT, "23")
    a = await make_organization(session, "Lieu A", parent_id=network.id)
    b = await make_organization(session, "Lieu B")
    owner_a = await make_member(session, a, Role.OWNER)
    viewers = {
        "member_a": await make_member(session, a, Role.MEMBER),
        "admin_a": await make_member(session, a, Role.ADMIN),
        "member_b": await make_member(session, b, Role.MEMBER),
        "network_admin": await make_member(session, network, Role.ADMIN),
    }
    target = await make_member(session, a, Role.MEMBER)
    asker = await make_member(session, await make_organization(session, "Lieu C"))
    space = await make_space(session, a)
    listings = {
        mark: await make_listing(session, a, title=mark, **fields)
        for mark, fields in {
            "public": {"details": {"quantity": 1, "required_trainings": ["laser"]}},
            "network": {"visibility": Visibility.NETWORK},
            "private": {"visibility": Visibility.PRIVATE},
            "draft": {"status": ListingStatus.DRAFT},
        }.items()
    }
    member_a = viewers["member_a"]
    alert = Alert(person_id=member_a.person.id, name="alert", search={"text": "laser"})
    request = MembershipRequest(person_id=asker.person.id, organization_id=a.id)
    session.add_all([alert, request])
    claimed = await make_space(session)
    free = await make_space(session)
    await add_area(session, network.name, AreaLevel.COUNTRY, "FR")
    session.add_all(
        [
            SpaceClaim(
                space_id=space.id or 0,
                organization_id=a.id or 0,
                state=ClaimState.VERIFIED,
                verified_at=datetime.now(UTC),
            ),
        ]
    )
    pending_claim = SpaceClaim(
        space_id=claimed.id or 0,
        organization_id=a.id or 0,
        state=ClaimState.PENDING,
        message="claim",
        network_id=network.id,
    )
    session.add(pending_claim)
    moderated = await make_listing(
        session,
        a,
        title="moderated",
        hidden_at=datetime(2030, 1, 1, tzinfo=UTC),
        hidden_reason="moderated",
        hidden_by_network_id=network.id,
    )
    report = ListingReport(
        listing_id=listings["public"].id or 0,
        person_id=asker.person.id or 0,
        network_id=network.id or 0,
        reason=ReportReason.SPAM,
    )
    session.add(report)
    await session.flush()
    notification = Notification(
        person_id=member_a.person.id,
        alert_id=alert.id,
        listing_id=listings["public"].id,
        kind=NotificationKind.ALERT_MATCH,
        title="notification",
    )
    session.add(notification)
    second_token = await issue_token(session, member_a.person, a, name="second")
    feed = CalendarFeed(
        organization_id=a.id,
        prefix="elcal_x",
        token_hash="0" * 64,
        created_by_id=member_a.person.id,
    )
    session.add(feed)
    exchanges = {
        state: Exchange(
            listing_id=listings["public"].id or 0,
            owner_organization_id=a.id or 0,
            requester_organization_id=asker.membership.organization_id,
            state=state,
            requested_by_id=asker.person.id,
            starts_at=datetime(2030, 1, 1, 9, tzinfo=UTC),
            ends_at=datetime(2030, 1, 3, 9, tzinfo=UTC),
        )
        for state in (ExchangeState.REQUESTED, ExchangeState.ACCEPTED, ExchangeState.IN_PROGRESS)
    }
    session.add_all(exchanges.values())
    block = Booking(
        listing_id=listings["private"].id or 0,
        starts_at=datetime(2030, 5, 1, tzinfo=UTC),
        ends_at=datetime(2030, 5, 2, tzinfo=UTC),
    )
    session.add(block)
    photos = [
        Photo(
            alt="Vue",
            key=f"photos/{i:032x}",
            width=320,
            height=240,
            widths=[320],
            source_format="JPEG",
            **subject,
        )
        for i, subject in enumerate(
            [
                {"listing_id": listings["private"].id},
                {"space_id": space.id},
                {"organization_id": a.id},
            ]
        )
    ]
    session.add_all(photos)
    await session.flush()  # the exchanges' ids
    condition_photo = Photo(
        alt="condition",
        key=f"photos/{99:032x}",
        width=320,
        height=240,
        widths=[320],
        source_format="JPEG",
        exchange_id=exchanges[ExchangeState.ACCEPTED].id,
        stage=PhotoStage.HANDOVER,
        created_by_id=member_a.person.id,
    )
    session.add(condition_photo)
    merge = await _a_merged_census_place(session)
    training = Training(
        person_id=target.person.id or 0,
        machine_class="laser",
        lab_organization_id=a.id or 0,
        trained_on=date(2026, 11, 2),
        note="training",
    )
    session.add(training)
    shared_with = await make_organization(session, "passport_shared")
    session.add(
        PassportShare(person_id=member_a.person.id or 0, organization_id=shared_with.id or 0)
    )
    await session.flush()
    admin = Principal(person_id=owner_a.person.id, organization_id=a.id, role=Role.OWNER)
    await invite(session, admin, a.id or 0, InvitationDraft(email="pending@example.org"))
    await session.flush()
    agreement_version = await _a_complete_agreement(
        session, admin, exchanges[ExchangeState.ACCEPTED]
    )
    ids = {
        "A": to_global_id("Organization", a.id or 0),
        "N": to_global_id("Organization", network.id or 0),
        "listing_moderated": to_global_id("Listing", moderated.id or 0),
        "report": to_global_id("ListingReport", report.id or 0),
        "B": to_global_id("Organization", b.id or 0),
        "space_a": to_global_id("Space", space.id or 0),
        "space_free": to_global_id("Space", free.id or 0),
        "claim": to_global_id("SpaceClaim", pending_claim.id or 0),
        "listing_private": to_global_id("Listing", listings["private"].id or 0),
        "listing_public": to_global_id("Listing", listings["public"].id or 0),
        "block": to_global_id("Booking", block.id or 0),
        **{
            f"exchange_{state.value.lower()}": to_global_id("Exchange", row.id or 0)
            for state, row in exchanges.items()
        },
        "alert": to_global_id("Alert", alert.id or 0),
        "notification": to_global_id("Notification", notification.id or 0),
        "request": to_global_id("MembershipRequest", request.id or 0),
        "target_membership": to_global_id("Membership", target.membership.id or 0),
        "member_a_token": to_global_id("AccessToken", second_token.token.id or 0),
        "calendar_feed": to_global_id("CalendarFeed", feed.id or 0),
        "listing_photo": to_global_id("Photo", photos[0].id or 0),
        "space_merge": to_global_id("SpaceMerge", merge.id or 0),
        "target_person": to_global_id("Person", target.person.id or 0),
        "training": to_global_id("Training", training.id or 0),
        "exchange_photo": to_global_id("Photo", condition_photo.id or 0),
        "agreement_version": to_global_id("AgreementVersion", agreement_version),
    }
    tokens: dict[str, str | None] = {"anonymous": None}
    tokens |= {name: member.token for name, member in viewers.items()}
    return World(ids=ids, tokens=tokens, extra={})


MARKS = (
    "public",
    "network",
    "private",
    "draft",
    "alert",
    "notification",
    "claim",
    "moderated",
    "TerritoryExchanges",
    "Impact",
    "training",
    "SAME_NETWORK",
    "condition",
    "PRET_A_USAGE",
    "passport_shared",
)


async def _a_complete_agreement(session: AsyncSession, owner: Principal, exchange: Exchange) -> int:
    """The accepted exchange's agreement, drafted, then completed by A's owner: its version."""
    for pk, siret in (
        (exchange.owner_organization_id, "12345678900012"),
        (exchange.requester_organization_id, "98765432100018"),
    ):
        organization = await session.get(Organization, pk)
        assert organization is not None
        organization.siret = siret
        session.add(organization)
    agreement = await agreements.draft_agreement(session, exchange)
    terms = {
        f"{side}_{term}": "x"
        for side in ("provider", "beneficiary")
        for term in ("representative_name", "representative_role", "address")
    }
    await agreements.edit_agreement(session, owner, exchange.id or 0, None, terms)
    return (await agreements.current_version(session, agreement)).id or 0


async def _a_merged_census_place(session: AsyncSession) -> SpaceMerge:
    """An unclaimed place two open sources list, merged (N's area is the whole country)."""
    place = await make_space(session, None, name="Lieu recensé")
    said = {
        "name": "Lieu recensé",
        "typologies": ["FABLAB"],
        "commune_insee": "23096",
        "commune_name": "Guéret",
        "department_code": "23",
        "region_code": "75",
        "latitude": 46.17,
        "longitude": 1.87,
    }
    records = [
        SpaceSourceRecord(
            space_id=place.id or 0, source=source, key=key, said=said, said_at=datetime.now(UTC)
        )
        for source, key in (("mission_coworking", "9001"), ("fablabs_io", "lieu-recense"))
    ]
    session.add_all(records)
    await session.flush()
    merge = SpaceMerge(
        record_id=records[1].id or 0, space_id=place.id or 0, rule="NAME", reason="même nom"
    )
    session.add(merge)
    await session.flush()
    return merge


def _marks(data: Any) -> set[str]:
    text = repr(data)
    return {mark for mark in MARKS if f"'{mark}'" in text}


def check(outcome: Outcome, body: dict[str, Any], field: str) -> None:
    errors = body.get("errors") or []
    codes = [e.get("extensions", {}).get("code") for e in errors]
    if outcome in (UNAUTHENTICATED, FORBIDDEN):
        assert codes == [outcome], body
        return
    assert not errors, body
    value = body["data"][field.split(".")[1]] if field.startswith(("Query", "Mutation")) else None
    if outcome == NULL:
        assert value is None, body
    elif isinstance(outcome, Sees):
        assert _marks(body["data"]) == set(outcome.marks), body
    elif field.startswith("Mutation."):
        typename = value["__typename"]
        if outcome == OK:
            assert typename.endswith("Success"), body
        else:
            assert typename == outcome, body


@pytest.mark.parametrize(("field", "viewer"), CASES, ids=[f"{f}-{v}" for f, v in CASES])
async def test_authorization(
    field: str, viewer: str, client: GraphQLClient, session: AsyncSession
) -> None:
    rule = RULES.get(field)
    if rule is None:
        pytest.fail(f"{field} has no rule in tests/test_authorization_matrix.py: say who may.")
    if not rule.document:
        pytest.skip(rule.why)
    assert viewer in rule.expect, f"{field}: no expected outcome for {viewer}"
    world = await build_world(session)
    await session.commit()

    if rule.upload:
        token = world.tokens[viewer]
        response = await post_upload(
            client.http,
            rule.document,
            rule.variables(world),
            ("photo.jpg", small_jpeg(), "image/jpeg"),
            token,
        )
    else:
        response = await client.post(rule.document, rule.variables(world), world.tokens[viewer])

    check(rule.expect[viewer], response.json(), field)
