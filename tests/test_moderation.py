"""Networks at work: reports of listings go to the network covering them (the national
administrators where none does), the network hides a listing (its owner reads why) or dismisses
the report, and validates or refuses the organizations that named it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import StatementCounter
from core.models import (
    AreaLevel,
    AuditAction,
    AuditEvent,
    Listing,
    ListingReport,
    Notification,
    NotificationKind,
    Organization,
    OrganizationKind,
    ReportState,
    Role,
)
from core.services.network_areas import add_area
from schema.relay import to_global_id
from tests.factories import make_exchange, make_listing, make_member, make_organization, make_space
from tests.graphql import GraphQLClient

REPORT = """
mutation($input: ListingReportInput!) {
  listingReport(input: $input) {
    __typename
    ... on ListingReportSuccess { report { id state reason message network { name } } }
    ... on Error { code message }
  }
}
"""
HIDE = """
mutation($input: ListingDecisionInput!) {
  listingHide(input: $input) {
    __typename
    ... on ListingModerationSuccess { listing { title hidden { reason at by { name } } } }
    ... on Error { code message }
    ... on InputError { fields { field code } }
  }
}
"""
UNHIDE = HIDE.replace("listingHide", "listingUnhide")
DISMISS = """
mutation($input: ListingReportDismissInput!) {
  listingReportDismiss(input: $input) {
    __typename
    ... on ListingReportDismissSuccess { report { state decisionReason } }
    ... on Error { code }
  }
}
"""
REFUSE = """
mutation($input: OrganizationRefuseInput!) {
  organizationRefuse(input: $input) {
    __typename
    ... on OrganizationRefuseSuccess { organization { name parent { name } } }
    ... on Error { code }
    ... on InputError { fields { field code } }
  }
}
"""
VALIDATE = """
mutation($id: ID!) { organizationValidate(id: $id) {
  __typename ... on OrganizationValidateSuccess { organization { verified } } } }
"""
LISTING = "query($id: ID!) { listing(id: $id) { title hidden { reason by { name } } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
DESK = """
query($id: ID!) {
  networkDesk(id: $id) {
    viewerIsAdmin
    areas { level code name territoryPath }
    reportsToReview { reason message state listing { title } reporter { displayName } }
    membersToValidate { name }
  }
}
"""
MEMBERS = """
query($id: ID!) {
  networkDesk(id: $id) {
    members { organization { name } listingsPublished exchangesCompleted places { name } }
  }
}
"""


@dataclass
class Territory:
    creuse: Organization
    creuse_admin: str
    creuse_member: str
    national: Organization
    national_admin: str
    limousin_87: Organization
    limousin_87_admin: str
    lab: Organization
    lab_member: str
    listing: Listing
    reporter: str


async def a_network(
    session: AsyncSession, name: str, level: AreaLevel, code: str
) -> tuple[Organization, str]:
    network = await make_organization(session, name, OrganizationKind.RESEAU)
    assert network.id is not None
    await add_area(session, network.name, level, code)
    return network, (await make_member(session, network, Role.ADMIN)).token


async def territory(session: AsyncSession) -> Territory:
    """A network for the Creuse, one for the Haute-Vienne, the national administrators, a lab in
    Guéret (Creuse) with a public listing, and someone of another organization who sees it."""
    creuse, creuse_admin = await a_network(session, "Réseau Creuse", AreaLevel.DEPARTMENT, "23")
    creuse_member = (await make_member(session, creuse, Role.MEMBER)).token
    national, national_admin = await a_network(
        session, "France Tiers-Lieux", AreaLevel.COUNTRY, "FR"
    )
    limousin, limousin_admin = await a_network(
        session, "Réseau Haute-Vienne", AreaLevel.DEPARTMENT, "87"
    )
    lab = await make_organization(session, "Fablab de Guéret")
    lab_member = await make_member(session, lab, Role.MEMBER)
    listing = await make_listing(
        session,
        lab,
        title="Découpeuse laser Trotec",
        commune_insee="23096",
        created_by_id=lab_member.person.id,
    )
    reporter = (await make_member(session, await make_organization(session, "Voisins"))).token
    await session.commit()
    return Territory(
        creuse,
        creuse_admin,
        creuse_member,
        national,
        national_admin,
        limousin,
        limousin_admin,
        lab,
        lab_member.token,
        listing,
        reporter,
    )


def gid(row: Listing | Organization) -> str:
    assert row.id is not None
    return to_global_id(type(row).__name__, row.id)


async def report(
    client: GraphQLClient, token: str, listing: Listing, **fields: Any
) -> dict[str, Any]:
    variables = {"input": {"listingId": gid(listing), "reason": "SPAM"} | fields}
    return (await client.execute(REPORT, variables, token))["listingReport"]


async def decide(
    client: GraphQLClient, query: str, token: str, listing: Listing, reason: str
) -> dict[str, Any]:
    variables = {"input": {"listingId": gid(listing), "reason": reason}}
    data = await client.execute(query, variables, token)
    return next(iter(data.values()))  # type: ignore[no-any-return]


async def notifications(session: AsyncSession, kind: NotificationKind) -> list[Notification]:
    statement = select(Notification).where(Notification.kind == kind)
    return list((await session.exec(statement.order_by(col(Notification.id)))).all())


async def test_a_report_goes_to_the_network_covering_the_listing_and_its_admins_are_told(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)

    sent = await report(client, t.reporter, t.listing, reason="NOT_REAL", message="Déjà vendue")

    assert sent["__typename"] == "ListingReportSuccess", sent
    assert sent["report"]["network"]["name"] == "Réseau Creuse"
    assert (sent["report"]["state"], sent["report"]["reason"]) == ("OPEN", "NOT_REAL")
    told = await notifications(session, NotificationKind.LISTING_REPORTED)
    assert [n.organization_id for n in told] == [t.creuse.id]
    assert told[0].note == "Déjà vendue"
    assert "Découpeuse laser Trotec" in told[0].title
    desk = (await client.execute(DESK, {"id": gid(t.creuse)}, t.creuse_admin))["networkDesk"]
    assert desk["viewerIsAdmin"] is True
    assert desk["areas"] == [
        {"level": "DEPARTMENT", "code": "23", "name": "Creuse", "territoryPath": None}
    ]
    assert [
        (r["reason"], r["message"], r["listing"]["title"]) for r in desk["reportsToReview"]
    ] == [("NOT_REAL", "Déjà vendue", "Découpeuse laser Trotec")]
    audit = (
        await session.exec(select(AuditEvent).where(AuditEvent.organization_id == t.creuse.id))
    ).all()
    assert [e.action for e in audit] == [AuditAction.LISTING_REPORTED]


async def test_one_open_report_per_person_and_none_of_one_s_own_listing(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    await report(client, t.reporter, t.listing)

    again = await report(client, t.reporter, t.listing, reason="OFFENSIVE")
    own = await report(client, t.lab_member, t.listing)
    anonymous = await client.errors(
        REPORT, {"input": {"listingId": gid(t.listing), "reason": "SPAM"}}
    )
    too_long = await report(client, t.creuse_admin, t.listing, message="x" * 2001)

    assert (again["__typename"], again["code"]) == ("ConflictError", "ALREADY_REPORTED")
    assert (own["__typename"], own["code"]) == ("ConflictError", "OWN_LISTING_REPORTED")
    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert too_long["__typename"] == "InputError"
    count = (await session.exec(select(ListingReport))).all()
    assert len(count) == 1


async def test_where_no_regional_network_covers_the_national_administrators_get_the_report(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    in_paris = await make_listing(session, t.lab, title="Salle à Paris", commune_insee="75056")
    await session.commit()

    sent = await report(client, t.reporter, in_paris)

    assert sent["report"]["network"]["name"] == "France Tiers-Lieux"
    told = await notifications(session, NotificationKind.LISTING_REPORTED)
    assert [n.organization_id for n in told] == [t.national.id]
    desk = (await client.execute(DESK, {"id": gid(t.national)}, t.national_admin))["networkDesk"]
    assert [r["listing"]["title"] for r in desk["reportsToReview"]] == ["Salle à Paris"]


async def test_a_hidden_listing_is_gone_for_others_and_its_owner_reads_why(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    await report(client, t.reporter, t.listing)

    hidden = await decide(client, HIDE, t.creuse_admin, t.listing, "  Annonce publicitaire  ")

    assert hidden["__typename"] == "ListingModerationSuccess", hidden
    assert hidden["listing"]["hidden"]["reason"] == "Annonce publicitaire"
    assert hidden["listing"]["hidden"]["by"]["name"] == "Réseau Creuse"
    for viewer in (None, t.reporter, t.limousin_87_admin, t.creuse_member):
        assert (await client.execute(LISTING, {"id": gid(t.listing)}, viewer))["listing"] is None
        assert (await client.execute(NODE, {"id": gid(t.listing)}, viewer))["node"] is None
    others = await client.execute(
        "{ listings(first: 50) { edges { node { title } } } }", token=t.reporter
    )
    titles = [e["node"]["title"] for e in others["listings"]["edges"]]
    assert "Découpeuse laser Trotec" not in titles
    owner = (await client.execute(LISTING, {"id": gid(t.listing)}, t.lab_member))["listing"]
    assert owner == {
        "title": "Découpeuse laser Trotec",
        "hidden": {"reason": "Annonce publicitaire", "by": {"name": "Réseau Creuse"}},
    }
    told = await notifications(session, NotificationKind.LISTING_HIDDEN)
    assert [n.note for n in told] == ["Annonce publicitaire"]  # the lab's member who wrote it
    assert {n.organization_id for n in told} == {t.lab.id}
    decided = await notifications(session, NotificationKind.LISTING_REPORT_DECIDED)
    assert [(n.note, "masqué" in n.body) for n in decided] == [("Annonce publicitaire", True)]
    upheld = (await session.exec(select(ListingReport))).one()
    assert (upheld.state, upheld.decision_reason) == (ReportState.UPHELD, "Annonce publicitaire")
    actions = (
        await session.exec(select(AuditEvent.action).where(AuditEvent.organization_id == t.lab.id))
    ).all()
    assert actions == [AuditAction.LISTING_HIDDEN]
    again = await decide(client, HIDE, t.creuse_admin, t.listing, "encore")
    assert again["code"] == "ALREADY_HIDDEN"
    gone = await report(client, t.reporter, t.listing)
    assert gone["code"] == "LISTING_NOT_FOUND"


async def test_only_an_admin_of_a_covering_network_hides_and_a_reason_is_required(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)

    other_network = await decide(client, HIDE, t.limousin_87_admin, t.listing, "Hors sujet")
    plain_member = await decide(client, HIDE, t.creuse_member, t.listing, "Hors sujet")
    owner = await decide(client, HIDE, t.lab_member, t.listing, "Hors sujet")
    no_reason = await decide(client, HIDE, t.creuse_admin, t.listing, "   ")
    national = await decide(client, HIDE, t.national_admin, t.listing, "Contenu choquant")

    for refused in (other_network, plain_member, owner):
        assert (refused["__typename"], refused["code"]) == (
            "NotAllowedError",
            "NOT_A_COVERING_NETWORK",
        )
    assert no_reason["__typename"] == "InputError"
    assert no_reason["fields"] == [{"field": "reason", "code": "DECISION_REASON_REQUIRED"}]
    assert national["listing"]["hidden"]["by"]["name"] == "France Tiers-Lieux"


async def test_a_private_listing_is_not_found_by_who_may_neither_see_nor_moderate_it(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    t.listing.visibility = "PRIVATE"  # type: ignore[assignment]
    session.add(t.listing)
    await session.commit()

    answer = await decide(client, HIDE, t.limousin_87_admin, t.listing, "Hors sujet")

    assert (answer["__typename"], answer["code"]) == ("NotFoundError", "LISTING_NOT_FOUND")


async def test_a_report_dismissed_with_a_reason_leaves_the_listing_visible(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    sent = await report(client, t.reporter, t.listing)
    variables = {"input": {"reportId": sent["report"]["id"], "reason": "Annonce conforme"}}

    not_theirs = await client.execute(DISMISS, variables, t.limousin_87_admin)
    dismissed = await client.execute(DISMISS, variables, t.creuse_admin)
    twice = await client.execute(DISMISS, variables, t.creuse_admin)

    assert not_theirs["listingReportDismiss"]["code"] == "REPORT_NOT_FOUND"
    assert dismissed["listingReportDismiss"]["report"] == {
        "state": "DISMISSED",
        "decisionReason": "Annonce conforme",
    }
    assert twice["listingReportDismiss"]["code"] == "REPORT_DECIDED"
    decided = await notifications(session, NotificationKind.LISTING_REPORT_DECIDED)
    assert [(n.note, "gardé" in n.body) for n in decided] == [("Annonce conforme", True)]
    seen = await client.execute(LISTING, {"id": gid(t.listing)}, t.reporter)
    assert seen["listing"]["title"] == "Découpeuse laser Trotec"
    desk = (await client.execute(DESK, {"id": gid(t.creuse)}, t.creuse_admin))["networkDesk"]
    assert desk["reportsToReview"] == []
    again = await report(client, t.reporter, t.listing)
    assert again["__typename"] == "ListingReportSuccess"


async def test_unhiding_shows_the_listing_again_with_a_reason_its_owner_reads(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    await decide(client, HIDE, t.creuse_admin, t.listing, "Doublon")

    shown = await decide(client, UNHIDE, t.creuse_admin, t.listing, "Doublon supprimé")
    twice = await decide(client, UNHIDE, t.creuse_admin, t.listing, "encore")

    assert shown["listing"]["hidden"] is None
    assert twice["code"] == "NOT_HIDDEN"
    seen = await client.execute(LISTING, {"id": gid(t.listing)})
    assert seen["listing"]["title"] == "Découpeuse laser Trotec"
    told = await notifications(session, NotificationKind.LISTING_UNHIDDEN)
    assert [n.note for n in told] == ["Doublon supprimé"]


async def test_the_network_validates_or_refuses_with_a_reason_the_organizations_that_named_it(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    asking = await make_organization(session, "Coworking d'Aubusson", parent_id=t.creuse.id)
    asking_admin = await make_member(session, asking, Role.OWNER)
    dubious = await make_organization(session, "Lieu douteux", parent_id=t.creuse.id)
    await make_member(session, dubious, Role.OWNER)
    await session.commit()
    desk = (await client.execute(DESK, {"id": gid(t.creuse)}, t.creuse_admin))["networkDesk"]
    assert [o["name"] for o in desk["membersToValidate"]] == [
        "Coworking d'Aubusson",
        "Lieu douteux",
    ]

    refuse = {"input": {"organizationId": gid(dubious), "reason": ""}}
    no_reason = (await client.execute(REFUSE, refuse, t.creuse_admin))["organizationRefuse"]
    refuse["input"]["reason"] = "Aucune activité de tiers-lieu"
    by_member = await client.errors(REFUSE, refuse, t.creuse_member)
    refused = (await client.execute(REFUSE, refuse, t.creuse_admin))["organizationRefuse"]
    validated = await client.execute(VALIDATE, {"id": gid(asking)}, t.creuse_admin)

    assert no_reason["fields"] == [{"field": "reason", "code": "DECISION_REASON_REQUIRED"}]
    assert by_member[0]["extensions"]["code"] == "FORBIDDEN"
    assert refused == {
        "__typename": "OrganizationRefuseSuccess",
        "organization": {"name": "Lieu douteux", "parent": None},
    }
    assert validated["organizationValidate"]["organization"]["verified"] is True
    told = await notifications(session, NotificationKind.NETWORK_REFUSED)
    assert [(n.organization_id, n.note) for n in told] == [
        (dubious.id, "Aucune activité de tiers-lieu")
    ]
    assert asking_admin.person.id not in [n.person_id for n in told]
    desk = (await client.execute(DESK, {"id": gid(t.creuse)}, t.creuse_admin))["networkDesk"]
    assert desk["membersToValidate"] == []
    members = (await client.execute(MEMBERS, {"id": gid(t.creuse)}, t.creuse_admin))["networkDesk"]
    assert [m["organization"]["name"] for m in members["members"]] == ["Coworking d'Aubusson"]
    again = (await client.execute(REFUSE, refuse, t.creuse_admin))["organizationRefuse"]
    assert (again["__typename"], again["code"]) == ("ConflictError", "NOT_AWAITING_VALIDATION")


async def test_the_desk_is_for_the_network_s_admins_but_its_areas_are_public(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    query = "query($id: ID!) { networkDesk(id: $id) { areas { code } membersToValidate { name } } }"

    for viewer in (None, t.creuse_member, t.limousin_87_admin):
        errors = await client.errors(query, {"id": gid(t.creuse)}, viewer)
        assert {e["path"][-1] for e in errors} == {"membersToValidate"}
    public = await client.execute(
        "query($id: ID!) { networkDesk(id: $id) { areas { code } viewerIsAdmin } }",
        {"id": gid(t.creuse)},
    )
    not_a_network = await client.execute(
        "query($id: ID!) { networkDesk(id: $id) { areas { code } } }", {"id": gid(t.lab)}
    )

    assert public["networkDesk"] == {"areas": [{"code": "23"}], "viewerIsAdmin": False}
    assert not_a_network["networkDesk"] is None


async def test_the_members_and_their_activity_cost_a_fixed_number_of_statements(
    client: GraphQLClient, session: AsyncSession, statements: StatementCounter
) -> None:
    t = await territory(session)

    async def add_members(count: int) -> None:
        for _ in range(count):
            member = await make_organization(session, parent_id=t.creuse.id, verified=True)
            await make_space(session, member)
            await make_space(session, member)
            listing = await make_listing(session, member)
            await make_listing(session, member)
            await make_exchange(session, listing, t.lab)
        await session.commit()

    async def cost() -> tuple[int, list[dict[str, Any]]]:
        before = statements.total
        data = await client.execute(MEMBERS, {"id": gid(t.creuse)}, t.creuse_admin)
        return statements.total - before, data["networkDesk"]["members"]

    await add_members(2)
    await cost()  # the token's first use of the minute writes its last use: not the page's cost
    few, members = await cost()
    await add_members(8)
    many, members = await cost()

    assert len(members) == 10
    assert all(m["listingsPublished"] == 2 for m in members)
    assert all(m["exchangesCompleted"] == 1 for m in members)
    assert all(len(m["places"]) == 2 for m in members)
    assert few == many, (few, many)
    assert many <= 6, many  # the token, the network, its members, two counts, their places


async def test_ids_beyond_any_table_get_a_typed_answer_not_an_internal_error(
    client: GraphQLClient, session: AsyncSession
) -> None:
    t = await territory(session)
    huge = 2**40

    hide = await client.execute(
        HIDE, {"input": {"listingId": to_global_id("Listing", huge), "reason": "x"}}, t.creuse_admin
    )
    dismiss = await client.execute(
        DISMISS,
        {"input": {"reportId": to_global_id("ListingReport", huge), "reason": "x"}},
        t.creuse_admin,
    )
    desk = await client.execute(DESK, {"id": to_global_id("Organization", huge)}, t.creuse_admin)

    assert hide["listingHide"]["__typename"] == "InputError"
    assert dismiss["listingReportDismiss"]["code"] == "REPORT_NOT_FOUND"
    assert desk["networkDesk"] is None
