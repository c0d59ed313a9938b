"""Training passports: a lab's admins record and revoke its trainings; expiry and revocation
make one not valid; labs recognize each other; a passport is seen by its person, the lab, and
the admins of an organization the person shares it with."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import LabRecognition, PassportShare, Role, Training
from core.models.base import utcnow
from core.services.tokens import ensure_member
from core.services.trainings import is_valid, passport_shares, recognized_labs, trainings_of
from schema.relay import to_global_id
from tests.factories import Member, make_member, make_organization
from tests.graphql import GraphQLClient

RECORD = """mutation($input: TrainingRecordInput!) { trainingRecord(input: $input) {
  __typename
  ... on TrainingSuccess { training { id machineClass valid expiresOn note trainer { id } } }
  ... on Error { code }
  ... on InputError { fields { field code } } } }"""
REVOKE = """mutation($id: ID!) { trainingRevoke(id: $id) {
  __typename ... on TrainingSuccess { training { valid revokedAt } } ... on Error { code } } }"""
RECOGNIZE = """mutation($input: LabRecognitionSetInput!) { labRecognitionSet(input: $input) {
  __typename ... on LabRecognitionSetSuccess { recognized recognizedOrganization { name } }
  ... on Error { code } } }"""
PASSPORT = """{ me { trainings { machineClass note valid labName } } }"""
SHARE = """mutation($input: PassportShareInput!) { passportShare(input: $input) { __typename
  ... on PassportShareSuccess { shared organization { name } }
  ... on Error { code } ... on InputError { fields { field code } } } }"""
SHARES = """{ me { passportShares { name } } }"""
MEMBERS_TRAININGS = """query($id: ID!) { organization(id: $id) { members { edges { node {
  person { id trainings { machineClass } } } } } } }"""


async def _world(session: AsyncSession) -> dict[str, Member]:
    lab = await make_organization(session, "Fablab A")
    other = await make_organization(session, "Fablab B")
    people = {
        "admin": await make_member(session, lab, Role.ADMIN),
        "member": await make_member(session, lab, Role.MEMBER),
        "other_admin": await make_member(session, other, Role.ADMIN),
        "maker": await make_member(session, other, Role.MEMBER),
    }
    await session.commit()
    return people


def _record_input(world: dict[str, Member], **fields: Any) -> dict[str, Any]:
    return {
        "input": {
            "organizationId": to_global_id(
                "Organization", world["admin"].membership.organization_id
            ),
            "personId": to_global_id("Person", world["maker"].person.id or 0),
            "machineClass": "laser",
            "trainedOn": "2026-11-02",
            "note": "découpe du contreplaqué",
            **fields,
        }
    }


async def _count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Training))).one()


async def test_the_labs_admin_records_a_training_and_the_person_sees_it(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)

    body = (await client.post(RECORD, _record_input(world), world["admin"].token)).json()
    passport = (await client.post(PASSPORT, token=world["maker"].token)).json()

    result = body["data"]["trainingRecord"]
    assert result["__typename"] == "TrainingSuccess", body
    assert result["training"]["valid"] is True
    assert result["training"]["trainer"]["id"] == to_global_id(
        "Person", world["admin"].person.id or 0
    )
    lab = {"id": to_global_id("Organization", world["admin"].membership.organization_id)}
    given = "query($id: ID!) { organization(id: $id) { trainings { note person { id } } } }"
    to_admin = (await client.post(given, lab, world["admin"].token)).json()
    to_member = (await client.post(given, lab, world["member"].token)).json()
    trainings = passport["data"]["me"]["trainings"]
    assert trainings == [
        {
            "machineClass": "laser",
            "note": "découpe du contreplaqué",
            "valid": True,
            "labName": "Fablab A",
        }
    ]
    maker = to_global_id("Person", world["maker"].person.id or 0)
    assert to_admin["data"]["organization"]["trainings"] == [
        {"note": "découpe du contreplaqué", "person": {"id": maker}}
    ]
    assert to_member["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_only_the_labs_admins_record_its_trainings(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)

    codes = {}
    for viewer in ("member", "other_admin", None):
        token = world[viewer].token if viewer else None
        body = (await client.post(RECORD, _record_input(world), token)).json()
        codes[viewer] = [e["extensions"]["code"] for e in body["errors"]]

    assert codes == {
        "member": ["FORBIDDEN"],
        "other_admin": ["FORBIDDEN"],
        None: ["UNAUTHENTICATED"],
    }
    assert await _count(session) == 0


async def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    outsider = to_global_id("Person", world["other_admin"].person.id or 0)
    bad = _record_input(
        world, machineClass="teleporter", expiresOn="2026-11-01", trainerId=outsider
    )
    body = (await client.post(RECORD, bad, world["admin"].token)).json()
    trainer = (
        await client.post(RECORD, _record_input(world, trainerId=outsider), world["admin"].token)
    ).json()

    fields = body["data"]["trainingRecord"]["fields"]
    assert {(f["field"], f["code"]) for f in fields} == {
        ("machineClass", "UNKNOWN_MACHINE_CLASS"),
        ("expiresOn", "EXPIRY_BEFORE_TRAINING"),
    }
    assert trainer["data"]["trainingRecord"]["fields"] == [
        {"field": "trainerId", "code": "TRAINER_NOT_A_MEMBER"}
    ]
    assert await _count(session) == 0


async def test_revoking_keeps_the_training_not_valid_and_only_the_labs_admin_may(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    body = (await client.post(RECORD, _record_input(world), world["admin"].token)).json()
    training_id = body["data"]["trainingRecord"]["training"]["id"]

    refused = (await client.post(REVOKE, {"id": training_id}, world["other_admin"].token)).json()
    revoked = (await client.post(REVOKE, {"id": training_id}, world["admin"].token)).json()
    again = (await client.post(REVOKE, {"id": training_id}, world["admin"].token)).json()

    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert revoked["data"]["trainingRevoke"]["training"]["valid"] is False
    assert revoked["data"]["trainingRevoke"]["training"]["revokedAt"] is not None
    assert again["data"]["trainingRevoke"]["code"] == "TRAINING_ALREADY_REVOKED"
    assert [
        t.revoked_at is not None for t in await trainings_of(session, world["maker"].person.id or 0)
    ] == [True]


def test_an_expired_or_revoked_training_is_not_valid() -> None:
    today = date(2026, 12, 7)
    training = Training(
        person_id=1, machine_class="laser", lab_organization_id=1, trained_on=date(2025, 1, 1)
    )

    assert is_valid(training, today)
    training.expires_on = today
    assert is_valid(training, today)
    training.expires_on = today - timedelta(days=1)
    assert not is_valid(training, today)
    training.expires_on, training.revoked_at = None, utcnow()
    assert not is_valid(training, today)


async def test_a_passport_is_seen_by_its_person_and_the_labs_admins_only(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await client.post(RECORD, _record_input(world), world["admin"].token)
    query = """query($id: ID!) { organization(id: $id) { members { edges { node {
      person { trainings { machineClass } } } } } } }"""
    b = {"id": to_global_id("Organization", world["maker"].membership.organization_id)}

    by_b_admin = (await client.post(query, b, world["other_admin"].token)).json()
    by_a_admin_own = (await client.post(PASSPORT, token=world["admin"].token)).json()

    seen = [
        e["node"]["person"]["trainings"]
        for e in by_b_admin["data"]["organization"]["members"]["edges"]
    ]
    assert seen == [[], []]  # B's admin is not the lab that trained B's maker
    assert by_a_admin_own["data"]["me"]["trainings"] == []  # the admin was not trained


async def test_a_lab_recognizes_another_and_stops(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    lab = world["admin"].membership.organization_id
    other = world["other_admin"].membership.organization_id
    variables = {
        "input": {
            "organizationId": to_global_id("Organization", lab),
            "recognizedOrganizationId": to_global_id("Organization", other),
            "recognized": True,
        }
    }

    set_twice = [
        (await client.post(RECOGNIZE, variables, world["admin"].token)).json() for _ in "12"
    ]
    recognized = await recognized_labs(session, lab)
    listed = "query($id: ID!) { organization(id: $id) { recognizedLabs { name } } }"
    lab_id = {"id": variables["input"]["organizationId"]}
    listed_to_admin = (await client.post(listed, lab_id, world["admin"].token)).json()
    listed_to_member = (await client.post(listed, lab_id, world["member"].token)).json()
    by_member = (await client.post(RECOGNIZE, variables, world["member"].token)).json()
    variables["input"]["recognized"] = False
    unset = (await client.post(RECOGNIZE, variables, world["admin"].token)).json()
    variables["input"]["recognizedOrganizationId"] = variables["input"]["organizationId"]
    itself = (await client.post(RECOGNIZE, variables, world["admin"].token)).json()

    assert [b["data"]["labRecognitionSet"]["recognized"] for b in set_twice] == [True, True]
    assert recognized == [other]
    assert listed_to_admin["data"]["organization"]["recognizedLabs"] == [{"name": "Fablab B"}]
    assert listed_to_member["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert by_member["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert unset["data"]["labRecognitionSet"] == {
        "__typename": "LabRecognitionSetSuccess",
        "recognized": False,
        "recognizedOrganization": {"name": "Fablab B"},
    }
    assert itself["data"]["labRecognitionSet"]["code"] == "INVALID_INPUT"
    session.expire_all()
    assert (await session.exec(select(func.count()).select_from(LabRecognition))).one() == 0


def _share(organization_id: int | str, shared: bool = True) -> dict[str, Any]:
    org = (
        organization_id
        if isinstance(organization_id, str)
        else to_global_id("Organization", organization_id)
    )
    return {"input": {"organizationId": org, "shared": shared}}


async def _shares(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(PassportShare))).one()


async def test_a_person_shares_their_passport_and_stops(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    lab_a = world["admin"].membership.organization_id
    maker = world["maker"]

    first = await client.execute(SHARE, _share(lab_a), maker.token)
    again = await client.execute(SHARE, _share(lab_a), maker.token)
    listed = await client.execute(SHARES, token=maker.token)
    others = await client.execute(SHARES, token=world["admin"].token)
    count_shared = await _shares(session)
    stopped = await client.execute(SHARE, _share(lab_a, False), maker.token)
    stopped_again = await client.execute(SHARE, _share(lab_a, False), maker.token)
    after = await client.execute(SHARES, token=maker.token)

    success = {"__typename": "PassportShareSuccess", "organization": {"name": "Fablab A"}}
    assert first["passportShare"] == {**success, "shared": True}
    assert again["passportShare"] == {**success, "shared": True}
    assert listed["me"]["passportShares"] == [{"name": "Fablab A"}]
    assert others["me"]["passportShares"] == []  # the viewer's own only
    assert count_shared == 1
    assert stopped["passportShare"] == {**success, "shared": False}
    assert stopped_again["passportShare"] == {**success, "shared": False}
    assert after["me"]["passportShares"] == []
    assert await passport_shares(session, maker.person.id or 0) == []
    assert await _shares(session) == 0


async def test_sharing_with_an_unknown_or_malformed_organization_writes_nothing(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    maker = world["maker"]

    unknown = await client.execute(SHARE, _share(999_999), maker.token)
    malformed = await client.execute(SHARE, _share("nope"), maker.token)
    a_person = await client.execute(SHARE, _share(to_global_id("Person", 1)), maker.token)
    anonymous = await client.post(SHARE, _share(world["admin"].membership.organization_id))

    assert unknown["passportShare"] == {
        "__typename": "NotFoundError",
        "code": "ORGANIZATION_NOT_FOUND",
    }
    for refused in (malformed, a_person):
        assert refused["passportShare"]["__typename"] == "InputError"
        assert refused["passportShare"]["fields"] == [
            {"field": "organizationId", "code": "NOT_AN_ID"}
        ]
    body = anonymous.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["reason"] == "SIGN_IN_REQUIRED"
    assert await _shares(session) == 0


async def test_the_admins_of_an_organization_shared_with_see_the_whole_passport(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await client.post(RECORD, _record_input(world), world["admin"].token)
    maker = world["maker"]
    lab_c = await make_organization(session, "Fablab C")
    c_admin = await make_member(session, lab_c, Role.ADMIN)
    c_member = await make_member(session, lab_c, Role.MEMBER)
    assert maker.person.email is not None
    await ensure_member(session, maker.person.email, lab_c, Role.MEMBER)
    await session.commit()
    c = {"id": to_global_id("Organization", lab_c.id or 0)}
    b = {"id": to_global_id("Organization", maker.membership.organization_id)}
    maker_id = to_global_id("Person", maker.person.id or 0)

    def trainings_seen(data: dict[str, Any]) -> list[str]:
        edges = data["organization"]["members"]["edges"]
        [person] = [e["node"]["person"] for e in edges if e["node"]["person"]["id"] == maker_id]
        return [t["machineClass"] for t in person["trainings"]]

    before = await client.execute(MEMBERS_TRAININGS, c, c_admin.token)
    await client.execute(SHARE, _share(lab_c.id or 0), maker.token)
    by_c_admin = await client.execute(MEMBERS_TRAININGS, c, c_admin.token)
    by_c_member = await client.execute(MEMBERS_TRAININGS, c, c_member.token)
    by_b_admin = await client.execute(MEMBERS_TRAININGS, b, world["other_admin"].token)
    await client.execute(SHARE, _share(lab_c.id or 0, False), maker.token)
    after = await client.execute(MEMBERS_TRAININGS, c, c_admin.token)

    assert trainings_seen(before) == []
    assert trainings_seen(by_c_admin) == ["laser"]
    assert trainings_seen(by_c_member) == []  # admins only, as a lab's view of its records
    assert trainings_seen(by_b_admin) == []  # shared with C, not with B
    assert trainings_seen(after) == []
