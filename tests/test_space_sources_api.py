"""`Space.sources`, `Space.merges` and `spaceMergeUndo`, on real rows of the shipped lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.directory import import_source
from core.importers.sources import SOURCES
from core.models import (
    AreaLevel,
    OrganizationKind,
    Role,
    Space,
    SpaceMerge,
    SpaceSourceRecord,
)
from core.services.network_areas import add_area
from schema.relay import to_global_id
from tests.directory_rows import cut, needs_shared_data
from tests.factories import make_organization, make_token
from tests.graphql import GraphQLClient

pytestmark = needs_shared_data

PLACE = """
query($id: ID!) {
  node(id: $id) {
    ... on Space {
      name
      sources { source title attribution licence externalId url saidAt located said }
      merges { id rule reason undoneAt record { source externalId } }
    }
  }
}
"""
UNDO = """
mutation($id: ID!) {
  spaceMergeUndo(id: $id) {
    __typename
    ... on SpaceMergeUndoSuccess { space { ref name sources { source externalId } } }
    ... on Error { code message }
  }
}
"""


async def _berrylab(session: AsyncSession, tmp_path: Path) -> Space:
    """BerryLab 36 of the census, merged with fablabs.io's BerryLab36 (by name, 30 m)."""
    census = cut("mission_coworking", tmp_path, "ID", ["434"])
    labs = cut("fablabs_io", tmp_path, "slug", ["berrylab36"])
    await import_source(session, SOURCES["mission_coworking"], census, date(2019, 1, 1))
    await import_source(session, SOURCES["fablabs_io"], labs, date(2024, 10, 1))
    return (await session.exec(select(Space).where(Space.ref == "mc:434"))).one()


async def _national_admin(session: AsyncSession, role: Role = Role.ADMIN) -> str:
    network = await make_organization(session, "France Tiers-Lieux", kind=OrganizationKind.RESEAU)
    assert network.id is not None
    await add_area(session, network.name, AreaLevel.COUNTRY, "FR")
    return await make_token(session, network, role)


async def test_a_place_shows_each_source_with_its_attribution_and_date(
    client: GraphQLClient, session: AsyncSession, tmp_path: Path
) -> None:
    place = await _berrylab(session, tmp_path)
    await session.commit()
    assert place.id is not None

    data = await client.execute(PLACE, {"id": to_global_id("Space", place.id)})

    census, lab = data["node"]["sources"]
    assert (census["source"], census["externalId"], census["saidAt"][:10]) == (
        "mission_coworking",
        "434",
        "2019-01-01",
    )
    assert census["attribution"] == "CGET / ANCT - Mission Coworking, base des tiers-lieux 2019"
    assert census["licence"].startswith("Licence Ouverte")
    assert (lab["source"], lab["url"], lab["saidAt"][:10]) == (
        "fablabs_io",
        "https://www.fablabs.io/labs/berrylab36",
        "2024-10-01",
    )
    assert lab["said"]["name"] == "BerryLab36"
    assert lab["said"]["commune_insee"] == "36044"
    [merge] = data["node"]["merges"]
    assert (merge["rule"], merge["reason"], merge["undoneAt"]) == (
        "NAME",
        "nom similaire à 0,95, à 30 m, même commune",
        None,
    )
    assert merge["record"] == {"source": "fablabs_io", "externalId": "berrylab36"}


async def test_a_national_administrator_undoes_a_merge_and_the_next_import_keeps_it_apart(
    client: GraphQLClient, session: AsyncSession, tmp_path: Path
) -> None:
    place = await _berrylab(session, tmp_path)
    token = await _national_admin(session)
    await session.commit()
    assert place.id is not None
    [merge] = (await client.execute(PLACE, {"id": to_global_id("Space", place.id)}))["node"][
        "merges"
    ]

    data = await client.execute(UNDO, {"id": merge["id"]}, token)

    split = data["spaceMergeUndo"]
    assert split["__typename"] == "SpaceMergeUndoSuccess"
    assert split["space"] == {
        "ref": "fablabs:berrylab36",
        "name": "BerryLab36",
        "sources": [{"source": "fablabs_io", "externalId": "berrylab36"}],
    }
    left = await client.execute(PLACE, {"id": to_global_id("Space", place.id)})
    assert [s["source"] for s in left["node"]["sources"]] == ["mission_coworking"]
    assert left["node"]["merges"][0]["undoneAt"] is not None
    await session.refresh(place)
    assert place.fablabs_slug is None  # what the split record had brought went with it

    labs = cut("fablabs_io", tmp_path, "slug", ["berrylab36"], name="again.csv")
    again = await import_source(session, SOURCES["fablabs_io"], labs, date(2025, 1, 1))

    assert again.lines() == ["1 rows: 0 merged, 0 new, 1 updated, 0 rejected"]
    record = (
        await session.exec(select(SpaceSourceRecord).where(SpaceSourceRecord.key == "berrylab36"))
    ).one()
    assert record.space_id != place.id
    merges = (await session.exec(select(SpaceMerge).order_by(col(SpaceMerge.id)))).all()
    assert len(merges) == 1


async def test_only_a_national_administrator_may_undo_and_only_once(
    client: GraphQLClient, session: AsyncSession, tmp_path: Path
) -> None:
    place = await _berrylab(session, tmp_path)
    regional = await make_organization(session, "Réseau régional", kind=OrganizationKind.RESEAU)
    assert regional.id is not None
    await add_area(session, regional.name, AreaLevel.REGION, "24")
    regional_admin = await make_token(session, regional, Role.ADMIN)
    national = await _national_admin(session, Role.OWNER)
    await session.commit()
    assert place.id is not None
    merge = (await session.exec(select(SpaceMerge))).one()
    assert merge.id is not None
    merge_id = to_global_id("SpaceMerge", merge.id)

    anonymous = await client.errors(UNDO, {"id": merge_id})
    regional_refused = await client.errors(UNDO, {"id": merge_id}, regional_admin)
    first = await client.execute(UNDO, {"id": merge_id}, national)
    second = await client.execute(UNDO, {"id": merge_id}, national)
    unknown = await client.execute(UNDO, {"id": to_global_id("SpaceMerge", 999999)}, national)
    not_a_merge = await client.execute(UNDO, {"id": to_global_id("Space", place.id)}, national)

    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert regional_refused[0]["extensions"]["code"] == "FORBIDDEN"
    assert regional_refused[0]["extensions"]["reason"] == "NATIONAL_ADMIN_REQUIRED"
    assert first["spaceMergeUndo"]["__typename"] == "SpaceMergeUndoSuccess"
    assert second["spaceMergeUndo"]["code"] == "MERGE_ALREADY_UNDONE"
    assert unknown["spaceMergeUndo"]["code"] == "MERGE_NOT_FOUND"
    assert not_a_merge["spaceMergeUndo"]["__typename"] == "InputError"
