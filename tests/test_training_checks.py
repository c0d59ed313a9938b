"""Training checks: an equipment offer says which trainings it requires and whose count (its
rule); the host of a request sees whether the requester holds them; an acceptance without them
is recorded; bad training requirements are refused field by field with nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.listing_files import Row
from core.importers.listings import import_rows
from core.models import (
    Direction,
    Exchange,
    ExchangeEvent,
    ExchangeEventKind,
    ExchangeSide,
    ExchangeState,
    LabRecognition,
    Listing,
    Organization,
    OrganizationKind,
    Role,
    Training,
)
from core.models.base import utcnow
from core.services.training_checks import CheckReason, check_exchange
from schema.relay import to_global_id
from tests.factories import Member, make_exchange, make_listing, make_member, make_organization
from tests.graphql import GraphQLClient

START = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)

CHECK = """query($id: ID!) { node(id: $id) { ... on Exchange {
  trainingCheck { rule requiredClasses satisfied missingClasses personName
    trainings { machineClass trainedOn expiresOn counts reason lab { name } personName } } } } }"""
SHARE = """mutation($org: ID!, $shared: Boolean!) {
  passportShare(input: { organizationId: $org, shared: $shared }) { __typename } }"""
ACCEPT = """mutation($id: ID!) { exchangeAccept(id: $id, note: "") { __typename
  ... on ExchangeChangeSuccess { exchange { events { kind acceptedWithoutTraining } } }
  ... on Error { code } } }"""
PUBLISH = """mutation($input: ListingPublishInput!) { listingPublish(input: $input) { __typename
  ... on ListingSuccess { listing { id details { ... on EquipmentDetails {
    trainingRequired requiredTrainings trainingRule trainingLabs { name } } } } }
  ... on InputError { fields { field code } } } }"""
UPDATE = """mutation($id: ID!, $input: ListingUpdateInput!) { listingUpdate(id: $id, input: $input) {
  __typename ... on InputError { fields { field code } } } }"""
DETAILS = """query($id: ID!) { node(id: $id) { ... on Listing { details { ... on EquipmentDetails {
  trainingRequired requiredTrainings trainingRule trainingLabs { name } } } } } }"""


@dataclass
class World:
    network: Organization
    host: Organization
    same_network: Organization
    verified: Organization
    stranger: Organization
    requester: Organization
    host_admin: Member
    asker: Member
    third: Member

    def lab(self, name: str) -> Organization:
        return getattr(self, name)  # type: ignore[no-any-return]


async def _world(session: AsyncSession) -> World:
    network = await make_organization(session, "Réseau", OrganizationKind.RESEAU)
    host = await make_organization(session, "Fablab hôte", parent_id=network.id)
    same = await make_organization(session, "Fablab du réseau", parent_id=network.id)
    verified = await make_organization(session, "Fablab vérifié", verified=True)
    stranger = await make_organization(session, "Fablab inconnu")
    requester = await make_organization(session, "Atelier demandeur")
    third = await make_organization(session, "Tiers")
    world = World(
        network=network,
        host=host,
        same_network=same,
        verified=verified,
        stranger=stranger,
        requester=requester,
        host_admin=await make_member(session, host, Role.ADMIN),
        asker=await make_member(session, requester, Role.MEMBER),
        third=await make_member(session, third, Role.ADMIN),
    )
    await session.commit()
    return world


async def _loan(
    session: AsyncSession,
    world: World,
    details: dict[str, Any] | None = None,
    starts_at: datetime | None = START,
    direction: Direction = Direction.OFFER,
) -> Exchange:
    given = {"quantity": 1, "required_trainings": ["laser"], "training_rule": "SAME_NETWORK"}
    listing = await make_listing(session, world.host, details=details or given, direction=direction)
    exchange = await make_exchange(
        session,
        listing,
        world.requester,
        ExchangeState.REQUESTED,
        requested_by_id=world.asker.person.id,
        starts_at=starts_at,
        ends_at=None if starts_at is None else starts_at + timedelta(days=2),
    )
    exchange.awaiting = ExchangeSide.OWNER  # the factory writes an answered exchange
    await session.commit()
    return exchange


async def _train(
    session: AsyncSession,
    world: World,
    lab: Organization,
    *,
    machine_class: str = "laser",
    expires_on: date | None = None,
    revoked: bool = False,
    person: Member | None = None,
) -> Training:
    assert lab.id is not None
    trainee = (person or world.asker).person
    assert trainee.id is not None
    training = Training(
        person_id=trainee.id,
        machine_class=machine_class,
        lab_organization_id=lab.id,
        trained_on=date(2026, 1, 15),
        expires_on=expires_on,
        revoked_at=utcnow() if revoked else None,
    )
    session.add(training)
    await session.commit()
    return training


async def _recognize(session: AsyncSession, world: World, lab: Organization) -> None:
    assert world.host.id is not None
    assert lab.id is not None
    session.add(LabRecognition(organization_id=world.host.id, recognized_organization_id=lab.id))
    await session.commit()


RULES = [
    # rule, lab that trained, recognized explicitly by the host, counts
    ("SAME_NETWORK", "host", False, True),
    ("SAME_NETWORK", "same_network", False, True),  # a network's labs by default
    ("SAME_NETWORK", "verified", False, False),
    ("SAME_NETWORK", "stranger", False, False),
    ("SAME_NETWORK", "stranger", True, True),
    ("ANY_VERIFIED_LAB", "host", False, True),
    ("ANY_VERIFIED_LAB", "verified", False, True),
    ("ANY_VERIFIED_LAB", "same_network", False, False),  # not verified
    ("ANY_VERIFIED_LAB", "stranger", True, True),
    ("LISTED_LABS", "host", False, True),
    ("LISTED_LABS", "stranger", False, True),  # the listed lab
    ("LISTED_LABS", "same_network", False, False),
    ("LISTED_LABS", "verified", True, False),  # the listing's list only, not recognitions
    ("OWN_LAB_ONLY", "host", False, True),
    ("OWN_LAB_ONLY", "same_network", False, False),
    ("OWN_LAB_ONLY", "verified", True, False),
]


@pytest.mark.parametrize(("rule", "lab", "recognized", "counts"), RULES)
async def test_each_rule_trusts_its_labs(
    session: AsyncSession, rule: str, lab: str, recognized: bool, counts: bool
) -> None:
    world = await _world(session)
    details: dict[str, Any] = {"required_trainings": ["laser"], "training_rule": rule}
    if rule == "LISTED_LABS":
        details["training_labs"] = [world.stranger.id]
    exchange = await _loan(session, world, details)
    await _train(session, world, world.lab(lab))
    if recognized:
        await _recognize(session, world, world.lab(lab))

    check = await check_exchange(session, exchange)

    assert check is not None
    assert [(i.counts, i.reason) for i in check.items] == [
        (counts, None if counts else CheckReason.LAB_NOT_TRUSTED)
    ]
    assert check.satisfied is counts
    assert check.missing_classes == ([] if counts else ["laser"])


async def test_without_a_network_no_lab_is_of_the_same_network(session: AsyncSession) -> None:
    world = await _world(session)
    world.host.parent_id = None
    world.verified.parent_id = None
    session.add(world.host)
    await session.commit()
    exchange = await _loan(session, world)
    await _train(session, world, world.verified)  # no parent either: None is no network

    check = await check_exchange(session, exchange)

    assert check is not None
    assert check.satisfied is False


async def test_expired_and_revoked_trainings_do_not_count_and_expiry_is_on_the_first_day(
    session: AsyncSession,
) -> None:
    world = await _world(session)
    await _train(session, world, world.host, revoked=True)
    await _train(session, world, world.host, expires_on=START.date() - timedelta(days=1))
    late = await _loan(session, world)
    on_the_day = await _loan(session, world, starts_at=START - timedelta(days=1))

    late_check = await check_exchange(session, late)
    day_check = await check_exchange(session, on_the_day)

    assert late_check is not None
    assert day_check is not None
    assert sorted(i.reason or "" for i in late_check.items) == ["EXPIRED", "REVOKED"]
    assert late_check.satisfied is False
    assert sorted(i.reason or "" for i in day_check.items) == ["", "REVOKED"]
    assert day_check.satisfied is True


async def test_without_a_start_the_expiry_is_compared_with_today(session: AsyncSession) -> None:
    world = await _world(session)
    await _train(session, world, world.host, expires_on=date.today() - timedelta(days=2))
    exchange = await _loan(session, world, starts_at=None)

    check = await check_exchange(session, exchange)

    assert check is not None
    assert [i.reason for i in check.items] == [CheckReason.EXPIRED]


async def test_only_trainings_of_the_required_classes_are_shown(session: AsyncSession) -> None:
    world = await _world(session)
    details = {"required_trainings": ["laser", "cnc_milling"], "training_rule": "OWN_LAB_ONLY"}
    exchange = await _loan(session, world, details)
    await _train(session, world, world.host)
    await _train(session, world, world.host, machine_class="three_d_printer")

    check = await check_exchange(session, exchange)

    assert check is not None
    assert [i.training.machine_class for i in check.items] == ["laser"]
    assert check.missing_classes == ["cnc_milling"]


async def test_the_host_sees_the_check_and_no_one_else(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    exchange = await _loan(session, world)
    await _train(session, world, world.same_network, expires_on=date(2028, 1, 1))
    await _train(session, world, world.stranger)
    exchange_id = to_global_id("Exchange", exchange.id or 0)

    seen = {
        name: (await client.post(CHECK, {"id": exchange_id}, member.token)).json()["data"]["node"]
        for name, member in (
            ("host", world.host_admin),
            ("requester", world.asker),
            ("third", world.third),
        )
    }

    check = seen["host"]["trainingCheck"]
    assert check["rule"] == "SAME_NETWORK"
    assert (check["requiredClasses"], check["satisfied"], check["missingClasses"]) == (
        ["laser"],
        True,
        [],
    )
    assert check["personName"] == world.asker.person.display_name
    assert sorted((t["lab"]["name"], t["counts"], t["reason"]) for t in check["trainings"]) == [
        ("Fablab du réseau", True, None),
        ("Fablab inconnu", False, "LAB_NOT_TRUSTED"),
    ]
    assert seen["requester"] == {"trainingCheck": None}
    assert seen["third"] is None  # not a party: no exchange at all


async def test_no_check_when_nothing_is_required_or_for_a_request(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    plain = await _loan(session, world, {"quantity": 1, "training_required": False})
    sought = await _loan(session, world, direction=Direction.REQUEST)

    for exchange in (plain, sought):
        variables = {"id": to_global_id("Exchange", exchange.id or 0)}
        data = await client.execute(CHECK, variables, world.host_admin.token)
        assert data["node"] == {"trainingCheck": None}


async def test_an_old_listing_requiring_training_requires_its_machine_class(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    exchange = await _loan(
        session, world, {"quantity": 1, "machine_class": "laser", "training_required": True}
    )
    listing_id = to_global_id("Listing", exchange.listing_id)

    data = await client.execute(DETAILS, {"id": listing_id}, world.host_admin.token)
    check = await check_exchange(session, exchange)

    assert data["node"]["details"] == {
        "trainingRequired": True,
        "requiredTrainings": ["laser"],
        "trainingRule": "SAME_NETWORK",
        "trainingLabs": [],
    }
    assert check is not None
    assert check.required_classes == ["laser"]


async def test_accepting_without_the_training_is_recorded_on_the_event(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    untrained = await _loan(session, world)
    trained = await _loan(session, world, starts_at=START + timedelta(days=10))
    await _train(session, world, world.stranger)

    first = await client.execute(
        ACCEPT, {"id": to_global_id("Exchange", untrained.id or 0)}, world.host_admin.token
    )
    await _train(session, world, world.host)
    second = await client.execute(
        ACCEPT, {"id": to_global_id("Exchange", trained.id or 0)}, world.host_admin.token
    )

    events = first["exchangeAccept"]["exchange"]["events"]
    assert events[-1] == {"kind": "ACCEPTED", "acceptedWithoutTraining": True}
    later = second["exchangeAccept"]["exchange"]["events"]
    assert later[-1] == {"kind": "ACCEPTED", "acceptedWithoutTraining": False}
    accepted = select(ExchangeEvent).where(
        ExchangeEvent.exchange_id == untrained.id, ExchangeEvent.kind == ExchangeEventKind.ACCEPTED
    )
    row = (await session.exec(accepted)).one()
    assert row.data == {
        "training_check": {"satisfied": False, "missing": ["laser"], "rule": "SAME_NETWORK"}
    }


def _publish(equipment: dict[str, Any]) -> dict[str, Any]:
    return {
        "input": {
            "direction": "OFFER",
            "kind": "EQUIPMENT",
            "title": "Découpeuse laser",
            "latitude": 46.17,
            "longitude": 1.87,
            "details": {"equipment": equipment},
        }
    }


async def _listings(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Listing))).one()


async def test_a_listing_names_its_trainings_rule_and_labs(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    lab_ids = [to_global_id("Organization", o.id or 0) for o in (world.verified, world.stranger)]
    equipment = {
        "requiredTrainings": ["laser", "laser", "cnc_milling"],
        "trainingRule": "LISTED_LABS",
        "trainingLabIds": lab_ids,
    }

    data = await client.execute(PUBLISH, _publish(equipment), world.host_admin.token)

    details = data["listingPublish"]["listing"]["details"]
    assert details == {
        "trainingRequired": True,
        "requiredTrainings": ["laser", "cnc_milling"],
        "trainingRule": "LISTED_LABS",
        "trainingLabs": [{"name": "Fablab vérifié"}, {"name": "Fablab inconnu"}],
    }


BAD = {
    "unknown class": (
        {"requiredTrainings": ["teleporter"]},
        ("details.requiredTrainings", "UNKNOWN_MACHINE_CLASS"),
    ),
    "too many": (
        {"requiredTrainings": ["laser"] * 11},
        ("details.requiredTrainings", "TOO_MANY_ITEMS"),
    ),
    "rule without classes": (
        {"trainingRule": "OWN_LAB_ONLY"},
        ("details.trainingRule", "TRAINING_RULE_WITHOUT_CLASSES"),
    ),
    "listed labs without labs": (
        {"requiredTrainings": ["laser"], "trainingRule": "LISTED_LABS"},
        ("details.trainingLabs", "TRAINING_LABS_REQUIRED"),
    ),
    "labs without the listed rule": (
        {"requiredTrainings": ["laser"], "trainingLabIds": [to_global_id("Organization", 1)]},
        ("details.trainingLabs", "TRAINING_LABS_WITHOUT_LISTED_RULE"),
    ),
    "unknown lab": (
        {
            "requiredTrainings": ["laser"],
            "trainingRule": "LISTED_LABS",
            "trainingLabIds": [to_global_id("Organization", 999_999)],
        },
        ("details.trainingLabs", "TRAINING_LAB_NOT_FOUND"),
    ),
    "not an organization id": (
        {
            "requiredTrainings": ["laser"],
            "trainingRule": "LISTED_LABS",
            "trainingLabIds": [to_global_id("Person", 1)],
        },
        ("details.trainingLabIds", "NOT_AN_ID"),
    ),
}


@pytest.mark.parametrize("case", BAD)
async def test_bad_training_requirements_are_refused_and_nothing_is_written(
    client: GraphQLClient, session: AsyncSession, case: str
) -> None:
    world = await _world(session)
    listing = await make_listing(session, world.host)
    await session.commit()
    before = await _listings(session)
    equipment, expected = BAD[case]

    published = await client.execute(PUBLISH, _publish(equipment), world.host_admin.token)
    updated = await client.execute(
        UPDATE,
        {
            "id": to_global_id("Listing", listing.id or 0),
            "input": {"details": {"equipment": equipment}},
        },
        world.host_admin.token,
    )

    for result in (published["listingPublish"], updated["listingUpdate"]):
        assert result["__typename"] == "InputError", result
        assert [(f["field"], f["code"]) for f in result["fields"]] == [expected]
    assert await _listings(session) == before
    await session.refresh(listing)
    assert listing.details == {"quantity": 1, "training_required": False}


async def test_an_import_row_with_a_bad_requirement_is_rejected_alone(
    session: AsyncSession,
) -> None:
    base = {
        "direction": "OFFER",
        "kind": "EQUIPMENT",
        "title": "Découpeuse laser",
        "organization": "Fablab importé",
        "lat": 46.17,
        "lon": 1.87,
    }
    listed = {"required_trainings": ["laser"], "training_rule": "LISTED_LABS"}
    rows = [
        Row(2, base | {"ref": "ok", "details": {"required_trainings": ["laser"]}}),
        Row(3, base | {"ref": "class", "details": {"required_trainings": ["teleporter"]}}),
        Row(4, base | {"ref": "lab", "details": listed | {"training_labs": [999_999]}}),
    ]

    report = await import_rows(session, rows)

    assert report.imported == 1
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [
        (3, "details.required_trainings"),
        (4, "details.training_labs"),
    ]
    imported = (await session.exec(select(Listing).where(Listing.ref == "ok"))).one()
    assert imported.details["training_rule"] == "SAME_NETWORK"


async def test_members_who_share_with_the_host_count_in_its_check(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    exchange = await _loan(session, world)
    sharer = await make_member(session, world.requester)
    silent = await make_member(session, world.requester)
    elsewhere = await make_member(session, world.requester)
    outsider = await make_member(session, world.stranger)
    await session.commit()
    for member in (sharer, silent, elsewhere, outsider):
        await _train(session, world, world.host, person=member)
    exchange_id = to_global_id("Exchange", exchange.id or 0)

    before = await client.execute(CHECK, {"id": exchange_id}, world.host_admin.token)
    for member, org in (
        (sharer, world.host),
        (elsewhere, world.same_network),
        (outsider, world.host),  # shares with the host, not a member of the requester
    ):
        variables = {"org": to_global_id("Organization", org.id or 0), "shared": True}
        shared = await client.execute(SHARE, variables, member.token)
        assert shared["passportShare"]["__typename"] == "PassportShareSuccess"
    after = await client.execute(CHECK, {"id": exchange_id}, world.host_admin.token)
    in_service = await check_exchange(session, exchange)

    assert before["node"]["trainingCheck"]["satisfied"] is False
    assert before["node"]["trainingCheck"]["trainings"] == []
    check = after["node"]["trainingCheck"]
    assert (check["satisfied"], check["missingClasses"]) == (True, [])
    assert check["personName"] == world.asker.person.display_name
    assert [(t["personName"], t["counts"]) for t in check["trainings"]] == [
        (sharer.person.display_name, True)
    ]
    assert in_service is not None
    assert [i.training.person_id for i in in_service.items] == [sharer.person.id]
    assert in_service.satisfied is True


async def test_the_askers_and_sharers_trainings_are_listed_with_their_names(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await _world(session)
    details = {"required_trainings": ["laser", "cnc_milling"], "training_rule": "OWN_LAB_ONLY"}
    exchange = await _loan(session, world, details)
    sharer = await make_member(session, world.requester)
    await session.commit()
    await _train(session, world, world.host)
    await _train(session, world, world.stranger, machine_class="cnc_milling", person=sharer)
    org = to_global_id("Organization", world.host.id or 0)
    await client.execute(SHARE, {"org": org, "shared": True}, sharer.token)

    data = await client.execute(
        CHECK, {"id": to_global_id("Exchange", exchange.id or 0)}, world.host_admin.token
    )

    check = data["node"]["trainingCheck"]
    assert (check["satisfied"], check["missingClasses"]) == (False, ["cnc_milling"])
    assert sorted(
        (t["personName"], t["machineClass"], t["counts"]) for t in check["trainings"]
    ) == sorted(
        [
            (world.asker.person.display_name, "laser", True),
            (sharer.person.display_name, "cnc_milling", False),
        ]
    )
