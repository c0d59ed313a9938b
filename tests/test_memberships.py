"""Memberships through the API: invitations, requests to join, roles, revocations, tokens,
validation by a network, and the audit trail each of them leaves."""

import logging
from datetime import timedelta

import pytest
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    AccessToken,
    AuditAction,
    AuditEvent,
    Invitation,
    Membership,
    MembershipRequest,
    Organization,
    OrganizationKind,
    Role,
    VerificationMethod,
)
from core.models.base import utcnow
from core.services.audit import REDACTED, record
from schema.relay import to_global_id
from tests.factories import Member, make_member, make_organization
from tests.graphql import GraphQLClient

INVITE = """
mutation($input: OrganizationInviteInput!) {
  organizationInvite(input: $input) {
    __typename
    ... on OrganizationInviteSuccess { token invitation { email role organization { name } } }
    ... on Error { message }
    ... on InputError { fields { field message } }
  }
}
"""
ACCEPT = """
mutation($input: MembershipAcceptInput!) {
  membershipAccept(input: $input) {
    __typename
    ... on MembershipSuccess { membership { role organization { name } person { email } } }
    ... on Error { message }
    ... on InputError { fields { field message } }
  }
}
"""
REQUEST = """
mutation($input: MembershipRequestInput!) {
  membershipRequest(input: $input) {
    __typename
    ... on MembershipRequestSuccess { request { id state message person { email } } }
    ... on Error { message }
  }
}
"""
REFUSE = """
mutation($id: ID!) { membershipRefuse(id: $id) {
  __typename ... on MembershipRefuseSuccess { request { state } } ... on Error { message } } }
"""
ROLE_CHANGE = """
mutation($input: MembershipRoleChangeInput!) {
  membershipRoleChange(input: $input) {
    __typename
    ... on MembershipSuccess { membership { role } }
    ... on Error { message }
  }
}
"""
REVOKE = """
mutation($id: ID!) { membershipRevoke(id: $id) {
  __typename ... on MembershipRevokeSuccess { revokedId } ... on Error { message } } }
"""
TOKEN_CREATE = """
mutation($input: TokenCreateInput!) {
  tokenCreate(input: $input) {
    __typename
    ... on TokenCreateSuccess { secret token { id prefix name revokedAt organization { name } } }
    ... on Error { message }
    ... on InputError { fields { field message } }
  }
}
"""
TOKEN_REVOKE = """
mutation($id: ID!) { tokenRevoke(id: $id) {
  __typename ... on TokenRevokeSuccess { token { revokedAt } } ... on Error { message } } }
"""
VALIDATE = """
mutation($id: ID!) { organizationValidate(id: $id) {
  __typename ... on OrganizationValidateSuccess { organization { verified verifiedBy } }
  ... on Error { message } } }
"""
ME = """
{ me { email memberships { role organization { name } }
       tokens { prefix name createdAt lastUsedAt revokedAt } actingFor { name } } }
"""
AUDIT = """
query($id: ID!) { organization(id: $id) {
  auditEvents(first: 50) { totalCount edges { node { action details actor { email } } } } } }
"""
MEMBERS = """
query($id: ID!) { organization(id: $id) {
  members { totalCount edges { node { role person { email } } } } } }
"""


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return to_global_id(type_name, pk)


async def count(session: AsyncSession, table: type) -> int:
    return (await session.exec(select(func.count()).select_from(table))).one()


async def actions(session: AsyncSession, organization: Organization) -> list[AuditAction]:
    statement = select(AuditEvent.action).where(AuditEvent.organization_id == organization.id)
    return list((await session.exec(statement.order_by(AuditEvent.id))).all())


async def _lab_with_owner_and_admin(
    session: AsyncSession,
) -> tuple[Organization, Member, Member]:
    lab = await make_organization(session, "FabLab de Guéret")
    owner = await make_member(session, lab, Role.OWNER)
    admin = await make_member(session, lab, Role.ADMIN)
    return lab, owner, admin


async def _invite(client: GraphQLClient, lab: Organization, token: str, **input: str) -> dict:
    variables = {"input": {"organizationId": gid("Organization", lab.id), **input}}
    return (await client.execute(INVITE, variables, token))["organizationInvite"]


# Invitations


async def test_an_admin_invites_by_email_and_the_invited_person_joins_with_the_token(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    invitee = await make_member(session, await make_organization(session, "Mairie de Guéret"))
    await session.commit()

    invited = await _invite(client, lab, admin.token, email=invitee.person.email, role="ADMIN")
    joined = await client.execute(
        ACCEPT, {"input": {"invitationToken": invited["token"]}}, invitee.token
    )

    assert invited["__typename"] == "OrganizationInviteSuccess", invited
    assert invited["token"].startswith("elxi_")
    assert joined["membershipAccept"]["membership"] == {
        "role": "ADMIN",
        "organization": {"name": "FabLab de Guéret"},
        "person": {"email": invitee.person.email},
    }
    me = (await client.execute(ME, token=invitee.token))["me"]
    assert sorted(m["organization"]["name"] for m in me["memberships"]) == [
        "FabLab de Guéret",
        "Mairie de Guéret",
    ]
    assert await actions(session, lab) == [AuditAction.MEMBER_INVITED, AuditAction.MEMBER_ACCEPTED]
    stored = (await session.exec(select(AuditEvent.details))).all()
    assert invited["token"] not in repr(stored)


async def test_an_invitation_token_is_single_use(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    first = await make_member(session, await make_organization(session))
    second = await make_member(session, await make_organization(session))
    await session.commit()
    email = first.person.email or ""
    token = (await _invite(client, lab, admin.token, email=email))["token"]
    await client.execute(ACCEPT, {"input": {"invitationToken": token}}, first.token)
    members_before = await count(session, Membership)

    reused = await client.execute(ACCEPT, {"input": {"invitationToken": token}}, second.token)

    assert reused["membershipAccept"]["__typename"] == "ConflictError"
    assert "already used" in reused["membershipAccept"]["message"]
    assert await count(session, Membership) == members_before


async def test_an_invitation_is_accepted_only_by_its_address(
    client: GraphQLClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    """b@example.org holding invitee@example.org's token does not join; invitee does, whatever
    the case of the address the admin typed."""
    lab, _, admin = await _lab_with_owner_and_admin(session)
    invitee = await make_member(session, await make_organization(session))
    other = await make_member(session, await make_organization(session))
    assert invitee.person.email is not None
    invitee.person.email = "Invitee@Example.org"
    other.person.email = "b@example.net"
    await session.commit()
    token = (await _invite(client, lab, admin.token, email="INVITEE@example.ORG"))["token"]
    members_before = await count(session, Membership)

    with caplog.at_level(logging.WARNING, logger="entrelieux.memberships"):
        refused = await client.execute(ACCEPT, {"input": {"invitationToken": token}}, other.token)

    message = (
        "This invitation was sent to another e-mail address: "
        "sign in with that address to accept it."
    )
    assert refused["membershipAccept"]["__typename"] == "InputError", refused
    fields = refused["membershipAccept"]["fields"]
    assert fields == [{"field": "invitationToken", "message": message}]
    assert await count(session, Membership) == members_before
    invitation = (await session.exec(select(Invitation))).one()
    assert invitation.accepted_at is None
    [record] = [r for r in caplog.records if r.name == "entrelieux.memberships"]
    assert record.levelno == logging.WARNING
    assert f"invitation {invitation.id} refused" in record.getMessage()
    assert "example.org" in record.getMessage()
    assert "example.net" in record.getMessage()
    assert "invitee@" not in record.getMessage().lower()
    assert "b@" not in record.getMessage()

    joined = await client.execute(ACCEPT, {"input": {"invitationToken": token}}, invitee.token)

    assert joined["membershipAccept"]["__typename"] == "MembershipSuccess", joined
    assert joined["membershipAccept"]["membership"]["organization"] == {"name": "FabLab de Guéret"}


async def test_an_expired_invitation_is_refused_and_stays_unused(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    invitee = await make_member(session, await make_organization(session))
    await session.commit()
    token = (await _invite(client, lab, admin.token, email="late@example.org"))["token"]
    invitation = (await session.exec(select(Invitation))).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    await session.commit()

    result = await client.execute(ACCEPT, {"input": {"invitationToken": token}}, invitee.token)

    assert result["membershipAccept"]["__typename"] == "ConflictError"
    assert "expired" in result["membershipAccept"]["message"]
    await session.refresh(invitation)
    assert invitation.accepted_at is None
    assert await actions(session, lab) == [AuditAction.MEMBER_INVITED]


async def test_an_unknown_token_or_a_bad_input_is_a_typed_error(
    client: GraphQLClient, session: AsyncSession
) -> None:
    someone = await make_member(session, await make_organization(session))
    await session.commit()

    unknown = await client.execute(
        ACCEPT, {"input": {"invitationToken": "elxi_nope"}}, someone.token
    )
    neither = await client.execute(ACCEPT, {"input": {}}, someone.token)

    assert unknown["membershipAccept"]["__typename"] == "NotFoundError"
    assert neither["membershipAccept"]["__typename"] == "InputError"


async def test_a_member_without_the_role_or_a_third_party_cannot_invite(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, _ = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    outsider = await make_member(session, await make_organization(session), Role.OWNER)
    await session.commit()
    variables = {"input": {"organizationId": gid("Organization", lab.id), "email": "x@ex.org"}}

    for token in (member.token, outsider.token):
        errors = await client.errors(INVITE, variables, token)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await client.errors(INVITE, variables)

    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await count(session, Invitation) == 0
    assert await count(session, AuditEvent) == 0


async def test_only_an_owner_invites_an_owner_and_a_bad_address_is_an_input_error(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, owner, admin = await _lab_with_owner_and_admin(session)
    await session.commit()
    variables = {
        "input": {"organizationId": gid("Organization", lab.id), "email": "boss@example.org"}
    }
    variables["input"]["role"] = "OWNER"

    by_admin = await client.errors(INVITE, variables, admin.token)
    by_owner = await _invite(client, lab, owner.token, email="boss@example.org", role="OWNER")
    bad = await _invite(client, lab, owner.token, email="not an address")

    assert by_admin[0]["extensions"]["code"] == "FORBIDDEN"
    assert by_owner["invitation"]["role"] == "OWNER"
    assert bad["__typename"] == "InputError"
    assert bad["fields"][0]["field"] == "email"
    assert await count(session, Invitation) == 1


# Requests to join


async def test_a_person_asks_to_join_and_an_admin_accepts(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    asker = await make_member(session, await make_organization(session))
    await session.commit()
    variables = {"input": {"organizationId": gid("Organization", lab.id), "message": "Bonjour"}}

    asked = (await client.execute(REQUEST, variables, asker.token))["membershipRequest"]
    again = (await client.execute(REQUEST, variables, asker.token))["membershipRequest"]
    accepted = await client.execute(
        ACCEPT, {"input": {"requestId": asked["request"]["id"]}}, admin.token
    )
    twice = await client.execute(
        ACCEPT, {"input": {"requestId": asked["request"]["id"]}}, admin.token
    )
    member_again = (await client.execute(REQUEST, variables, asker.token))["membershipRequest"]

    assert asked["request"]["state"] == "PENDING"
    assert again["__typename"] == "ConflictError"
    assert accepted["membershipAccept"]["membership"]["role"] == "MEMBER"
    assert accepted["membershipAccept"]["membership"]["person"]["email"] == asker.person.email
    assert twice["membershipAccept"]["__typename"] == "ConflictError"
    assert member_again["__typename"] == "ConflictError"
    assert await actions(session, lab) == [
        AuditAction.MEMBERSHIP_REQUESTED,
        AuditAction.MEMBER_ACCEPTED,
    ]


async def test_only_the_organizations_admins_decide_a_request(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    outsider = await make_member(session, await make_organization(session), Role.ADMIN)
    asker = await make_member(session, await make_organization(session))
    await session.commit()
    variables = {"input": {"organizationId": gid("Organization", lab.id)}}
    request_id = (await client.execute(REQUEST, variables, asker.token))["membershipRequest"][
        "request"
    ]["id"]

    for token in (member.token, outsider.token, asker.token):
        errors = await client.errors(ACCEPT, {"input": {"requestId": request_id}}, token)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    refused = await client.execute(REFUSE, {"id": request_id}, admin.token)

    assert refused["membershipRefuse"]["request"]["state"] == "REFUSED"
    assert (await session.exec(select(MembershipRequest.state))).one() == "REFUSED"
    assert await actions(session, lab) == [
        AuditAction.MEMBERSHIP_REQUESTED,
        AuditAction.MEMBER_REFUSED,
    ]


# Roles


async def test_an_admin_promotes_a_member_and_the_change_is_audited(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    await session.commit()
    variables = {
        "input": {"membershipId": gid("Membership", member.membership.id), "role": "ADMIN"}
    }

    changed = await client.execute(ROLE_CHANGE, variables, admin.token)
    audit = await client.execute(AUDIT, {"id": gid("Organization", lab.id)}, admin.token)

    assert changed["membershipRoleChange"]["membership"]["role"] == "ADMIN"
    event = audit["organization"]["auditEvents"]["edges"][0]["node"]
    assert event["action"] == "ROLE_CHANGED"
    assert event["details"]["from"] == "MEMBER"
    assert event["details"]["to"] == "ADMIN"
    assert event["actor"]["email"] == admin.person.email


async def test_only_an_owner_makes_or_unmakes_owners(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, owner, admin = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    await session.commit()

    def variables(target: Member, role: str) -> dict:
        return {"input": {"membershipId": gid("Membership", target.membership.id), "role": role}}

    promote_by_admin = await client.errors(ROLE_CHANGE, variables(member, "OWNER"), admin.token)
    demote_by_admin = await client.errors(ROLE_CHANGE, variables(owner, "MEMBER"), admin.token)
    by_member = await client.errors(ROLE_CHANGE, variables(admin, "MEMBER"), member.token)
    promoted = await client.execute(ROLE_CHANGE, variables(member, "OWNER"), owner.token)

    assert promote_by_admin[0]["extensions"]["code"] == "FORBIDDEN"
    assert demote_by_admin[0]["extensions"]["code"] == "FORBIDDEN"
    assert by_member[0]["extensions"]["code"] == "FORBIDDEN"
    assert promoted["membershipRoleChange"]["membership"]["role"] == "OWNER"
    assert await actions(session, lab) == [AuditAction.ROLE_CHANGED]


async def test_the_last_owner_cannot_be_demoted_or_removed(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, owner, _ = await _lab_with_owner_and_admin(session)
    await session.commit()
    variables = {"input": {"membershipId": gid("Membership", owner.membership.id), "role": "ADMIN"}}

    demoted = await client.execute(ROLE_CHANGE, variables, owner.token)
    left = await client.execute(REVOKE, {"id": gid("Membership", owner.membership.id)}, owner.token)

    assert demoted["membershipRoleChange"]["__typename"] == "ConflictError"
    assert left["membershipRevoke"]["__typename"] == "ConflictError"
    await session.refresh(owner.membership)
    assert owner.membership.role == Role.OWNER
    assert await actions(session, lab) == []


async def test_a_second_owner_lets_the_first_step_down(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, owner, _ = await _lab_with_owner_and_admin(session)
    await make_member(session, lab, Role.OWNER)
    await session.commit()
    variables = {"input": {"membershipId": gid("Membership", owner.membership.id), "role": "ADMIN"}}

    demoted = await client.execute(ROLE_CHANGE, variables, owner.token)

    assert demoted["membershipRoleChange"]["membership"]["role"] == "ADMIN"


# Revocations


async def test_an_admin_revokes_a_member_whose_tokens_stop_working(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    await session.commit()

    revoked = await client.execute(
        REVOKE, {"id": gid("Membership", member.membership.id)}, admin.token
    )
    after = await client.post(ME, token=member.token)

    assert revoked["membershipRevoke"]["revokedId"] == gid("Membership", member.membership.id)
    assert after.status_code == 401
    token = (
        await session.exec(select(AccessToken).where(AccessToken.person_id == member.person.id))
    ).one()
    assert token.revoked_at is not None
    assert await actions(session, lab) == [AuditAction.MEMBER_REVOKED]


async def test_a_member_leaves_but_cannot_remove_another(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, admin = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    outsider = await make_member(session, await make_organization(session), Role.OWNER)
    await session.commit()

    removing_admin = await client.errors(
        REVOKE, {"id": gid("Membership", admin.membership.id)}, member.token
    )
    by_outsider = await client.errors(
        REVOKE, {"id": gid("Membership", member.membership.id)}, outsider.token
    )
    left = await client.execute(
        REVOKE, {"id": gid("Membership", member.membership.id)}, member.token
    )

    assert removing_admin[0]["extensions"]["code"] == "FORBIDDEN"
    assert by_outsider[0]["extensions"]["code"] == "FORBIDDEN"
    assert left["membershipRevoke"]["__typename"] == "MembershipRevokeSuccess"
    event = (await session.exec(select(AuditEvent))).one()
    assert event.details["left"] is True


# Tokens


async def test_a_member_creates_a_token_shown_once_and_revokes_it(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, _ = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    await session.commit()
    variables = {"input": {"organizationId": gid("Organization", lab.id), "name": "import nightly"}}

    created = (await client.execute(TOKEN_CREATE, variables, member.token))["tokenCreate"]
    me = (await client.execute(ME, token=created["secret"]))["me"]
    revoked = await client.execute(TOKEN_REVOKE, {"id": created["token"]["id"]}, member.token)
    replayed = await client.post(ME, token=created["secret"])

    assert created["secret"].startswith(created["token"]["prefix"])
    assert created["token"]["organization"] == {"name": "FabLab de Guéret"}
    assert me["actingFor"] == {"name": "FabLab de Guéret"}
    assert [t["name"] for t in me["tokens"]] == ["import nightly", ""]
    assert "hash" not in repr(me["tokens"][0]).lower()
    assert revoked["tokenRevoke"]["token"]["revokedAt"] is not None
    assert replayed.status_code == 401
    assert await actions(session, lab) == [AuditAction.TOKEN_CREATED, AuditAction.TOKEN_REVOKED]
    assert created["secret"] not in repr((await session.exec(select(AuditEvent.details))).all())


async def test_tokens_only_for_ones_own_organizations_and_only_ones_own_revoked(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, _, _ = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    colleague = await make_member(session, lab, Role.MEMBER)
    outsider = await make_member(session, await make_organization(session), Role.OWNER)
    await session.commit()
    for_lab = {"input": {"organizationId": gid("Organization", lab.id)}}
    colleague_token = (
        await session.exec(
            select(AccessToken.id).where(AccessToken.person_id == colleague.person.id)
        )
    ).one()

    foreign = await client.errors(TOKEN_CREATE, for_lab, outsider.token)
    not_mine = await client.execute(
        TOKEN_REVOKE, {"id": gid("AccessToken", colleague_token)}, member.token
    )
    past = await client.execute(
        TOKEN_CREATE,
        {"input": {**for_lab["input"], "expiresAt": "2020-01-01T00:00:00+00:00"}},
        member.token,
    )

    assert foreign[0]["extensions"]["code"] == "FORBIDDEN"
    assert not_mine["tokenRevoke"]["__typename"] == "NotFoundError"
    assert past["tokenCreate"]["__typename"] == "InputError"
    assert past["tokenCreate"]["fields"][0]["field"] == "expiresAt"
    assert await count(session, AuditEvent) == 0


# Networks


async def test_a_network_admin_validates_a_member_place_but_no_other(
    client: GraphQLClient, session: AsyncSession
) -> None:
    network = await make_organization(session, "Fabrique du Limousin", OrganizationKind.RESEAU)
    place = await make_organization(session, "Tiers-lieu de Bourganeuf", parent_id=network.id)
    elsewhere = await make_organization(session, "Coworking de Brest")
    network_admin = await make_member(session, network, Role.ADMIN)
    place_admin = await make_member(session, place, Role.OWNER)
    await session.commit()

    by_place = await client.errors(
        VALIDATE, {"id": gid("Organization", place.id)}, place_admin.token
    )
    other = await client.errors(
        VALIDATE, {"id": gid("Organization", elsewhere.id)}, network_admin.token
    )
    validated = await client.execute(
        VALIDATE, {"id": gid("Organization", place.id)}, network_admin.token
    )

    assert by_place[0]["extensions"]["code"] == "FORBIDDEN"
    assert other[0]["extensions"]["code"] == "FORBIDDEN"
    assert validated["organizationValidate"]["organization"] == {
        "verified": True,
        "verifiedBy": "NETWORK",
    }
    await session.refresh(place)
    assert place.verified_by == VerificationMethod.NETWORK
    assert await actions(session, place) == [AuditAction.NETWORK_VALIDATED]


# Reading members and the audit trail


async def test_members_for_members_and_the_audit_trail_for_admins_only(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, owner, admin = await _lab_with_owner_and_admin(session)
    member = await make_member(session, lab, Role.MEMBER)
    outsider = await make_member(session, await make_organization(session), Role.OWNER)
    await session.commit()
    lab_id = {"id": gid("Organization", lab.id)}

    members = await client.execute(MEMBERS, lab_id, member.token)
    audit_by_member = await client.errors(AUDIT, lab_id, member.token)
    members_by_outsider = await client.errors(MEMBERS, lab_id, outsider.token)
    anonymous = await client.errors(MEMBERS, lab_id)
    audit = await client.execute(AUDIT, lab_id, owner.token)

    assert members["organization"]["members"]["totalCount"] == 3
    assert audit_by_member[0]["extensions"]["code"] == "FORBIDDEN"
    assert members_by_outsider[0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert audit["organization"]["auditEvents"]["totalCount"] == 0
    assert admin.person.email in repr(members)


async def test_me_is_null_when_anonymous(client: GraphQLClient) -> None:
    assert (await client.execute("{ me { id } }"))["me"] is None


async def test_the_audit_trail_never_stores_a_secret(session: AsyncSession) -> None:
    lab = await make_organization(session)

    event = await record(
        session,
        lab.id,
        None,
        AuditAction.SIGN_IN,
        {"id_token": "eyJ...", "claims": {"access_token": "x", "sub": "42"}, "token_id": 7},
    )

    assert event.details == {
        "id_token": REDACTED,
        "claims": {"access_token": REDACTED, "sub": "42"},
        "token_id": 7,
    }


async def test_admins_list_pending_requests_and_open_invitations(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session, "Tiers-lieu du Plateau")
    admin = await make_member(session, organization, Role.ADMIN)
    asker = await make_member(session, await make_organization(session, "Ailleurs"))
    requested = await client.execute(
        REQUEST,
        {"input": {"organizationId": to_global_id("Organization", organization.id or 0)}},
        asker.token,
    )
    assert requested["membershipRequest"]["__typename"] == "MembershipRequestSuccess"
    invited = await client.execute(
        INVITE,
        {
            "input": {
                "organizationId": to_global_id("Organization", organization.id or 0),
                "email": "nouvelle@example.org",
            }
        },
        admin.token,
    )
    assert invited["organizationInvite"]["__typename"] == "OrganizationInviteSuccess"
    query = """query($id: ID!) { organization(id: $id) {
      pendingRequests { id state person { email } }
      openInvitations { email role } } }"""
    seen = await client.execute(
        query, {"id": to_global_id("Organization", organization.id or 0)}, admin.token
    )
    assert seen["organization"]["pendingRequests"] == [
        {
            "id": requested["membershipRequest"]["request"]["id"],
            "state": "PENDING",
            "person": {"email": asker.person.email},
        }
    ]
    assert seen["organization"]["openInvitations"] == [
        {"email": "nouvelle@example.org", "role": "MEMBER"}
    ]
