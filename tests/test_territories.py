"""`Query.territory(code:)`: codes, figures, who sees the private totals, and the cost in SQL."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import StatementCounter
from core.models import (
    AreaLevel,
    Direction,
    ExchangeState,
    ListingKind,
    ListingStatus,
    Organization,
    OrganizationKind,
    Role,
    Visibility,
)
from core.services.network_areas import add_area
from tests.factories import make_exchange, make_listing, make_member, make_organization, make_space
from tests.graphql import GraphQLClient

GUERET = {"commune_insee": "23096", "department_code": "23", "region_code": "75"}
LA_SOUTERRAINE = {"commune_insee": "23176", "department_code": "23", "region_code": "75"}
LIMOGES = {"commune_insee": "87085", "department_code": "87", "region_code": "75"}
MONTREUIL = {"commune_insee": "93048", "department_code": "93", "region_code": "11"}
GRAND_GUERET = "200034825"

FIGURES = """
fragment Figures on Territory {
  kind code name privateFiguresVisible
  placesByTypology { typology count }
  places(first: 5) { totalCount nodes { name } }
  organizations(first: 5) { totalCount nodes { name } }
  listings { offered requested byKind { direction kind count }
             byCategory { direction kind category count } }
  premises { offered occupied free }
  exchanges { requested inProgress completed byMonth { month requested started completed } }
  impact { exchangesCompleted kgReused kmBetweenPlaces skillHours equipmentDays premisesDays }
}
query($code: String!) {
  territory(code: $code) {
    ...Figures
    enclosing { kind code name }
    parent { ...Figures parent { kind code name } }
  }
}
"""


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class World:
    commune: Organization
    tokens: dict[str, str]


async def build_world(session: AsyncSession) -> World:
    """In Guéret: a fablab (public, network, private and draft listings, a premises offer
    occupied now and a free one), a commune with its vacant school; in La Souterraine (same
    department, another EPCI) a ressourcerie; in Limoges (another department) a coworking."""
    network = await make_organization(session, "Fabrique de la Creuse", OrganizationKind.RESEAU)
    await add_area(session, network.name, AreaLevel.DEPARTMENT, "23")
    other_network = await make_organization(session, "Réseau 87", OrganizationKind.RESEAU)
    await add_area(session, other_network.name, AreaLevel.DEPARTMENT, "87")
    fablab = await make_organization(session, "FabLab de Guéret", parent_id=network.id)
    commune = await make_organization(
        session,
        "Commune de Guéret",
        OrganizationKind.COLLECTIVITE,
        insee_code="23096",
        verified=True,
    )
    ressourcerie = await make_organization(session, "Ressourcerie de la Souterraine")
    coworking = await make_organization(session, "Coworking de Limoges")
    await make_space(session, fablab, name="FabLab de Guéret", typologies=["FABLAB", "MAKERSPACE"])
    await make_space(session, None, name="Tiers-lieu des Granges", typologies=["TIERS_LIEU_RURAL"])
    await make_space(
        session, ressourcerie, name="La Ressourcerie", typologies=["RESSOURCERIE"], **LA_SOUTERRAINE
    )
    await make_space(session, coworking, name="Cowork 87", typologies=["COWORKING"], **LIMOGES)

    laser = await make_listing(session, fablab, category="decoupe_laser", **GUERET)
    await make_listing(session, fablab, visibility=Visibility.NETWORK, **GUERET)
    await make_listing(session, fablab, visibility=Visibility.PRIVATE, **GUERET)
    await make_listing(session, fablab, status=ListingStatus.DRAFT, **GUERET)
    await make_listing(
        session, fablab, direction=Direction.REQUEST, kind=ListingKind.SKILL, **GUERET
    )
    school = await make_listing(session, commune, kind=ListingKind.PREMISES, details={}, **GUERET)
    await make_listing(session, commune, kind=ListingKind.PREMISES, details={}, **GUERET)
    doors = await make_listing(
        session, ressourcerie, kind=ListingKind.MATERIAL, details={}, **LA_SOUTERRAINE
    )
    await make_listing(session, coworking, kind=ListingKind.PREMISES, details={}, **LIMOGES)

    this_month = now() - timedelta(hours=1)
    await make_exchange(session, school, fablab, ExchangeState.IN_PROGRESS, starts_at=this_month)
    await make_exchange(session, laser, ressourcerie, ExchangeState.REQUESTED)
    await make_exchange(
        session, laser, ressourcerie, completed_at=this_month, equipment_days=3, distance_km=50
    )
    await make_exchange(session, doors, fablab, completed_at=this_month, kg_reused=120)
    tokens = {
        "fablab": (await make_member(session, fablab)).token,
        "commune": (await make_member(session, commune)).token,
        "network": (await make_member(session, network, Role.ADMIN)).token,
        "other_network": (await make_member(session, other_network)).token,
        "outsider": (await make_member(session, coworking)).token,
    }
    await session.commit()
    return World(commune, tokens)


async def territory(client: GraphQLClient, code: str, token: str | None = None) -> Any:
    return (await client.execute(FIGURES, {"code": code}, token))["territory"]


@pytest.mark.parametrize(
    ("code", "kind", "canonical", "name", "parent"),
    [
        ("23096", "COMMUNE", "23096", "Guéret", GRAND_GUERET),
        ("2a004", "COMMUNE", "2A004", "Ajaccio", "242010056"),
        (GRAND_GUERET, "EPCI", GRAND_GUERET, "CA du Grand Guéret", "dep-23"),
        (" DEP-23 ", "DEPARTMENT", "dep-23", "Creuse", "reg-75"),
        ("dep-2b", "DEPARTMENT", "dep-2B", "Haute-Corse", "reg-94"),
        ("dep-974", "DEPARTMENT", "dep-974", "La Réunion", "reg-04"),
        ("reg-11", "REGION", "reg-11", "Île-de-France", None),
    ],
)
async def test_each_code_form_names_one_territory(
    client: GraphQLClient, code: str, kind: str, canonical: str, name: str, parent: str | None
) -> None:
    result = await territory(client, code)

    assert (result["kind"], result["code"], result["name"]) == (kind, canonical, name)
    assert (result["parent"] or {}).get("code") == parent


async def test_a_commune_links_to_its_epci_department_and_region(client: GraphQLClient) -> None:
    result = await territory(client, "23096")

    assert result["enclosing"] == [
        {"kind": "EPCI", "code": GRAND_GUERET, "name": "CA du Grand Guéret"},
        {"kind": "DEPARTMENT", "code": "dep-23", "name": "Creuse"},
        {"kind": "REGION", "code": "reg-75", "name": "Nouvelle-Aquitaine"},
    ]
    assert result["parent"]["parent"]["code"] == "dep-23"


@pytest.mark.parametrize(
    "code", ["", "75", "11", "dep-", "dep-1", "reg-751", "2C004", "9304", "x" * 500, "23096;--"]
)
async def test_a_malformed_code_is_an_error_naming_the_argument(
    client: GraphQLClient, code: str
) -> None:
    errors = await client.errors(FIGURES, {"code": code})

    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "code"}
    assert errors[0]["message"].startswith("code: not a territory code: give an INSEE commune code")


@pytest.mark.parametrize("code", ["00000", "999999999", "dep-99", "reg-99"])
async def test_a_well_formed_code_of_no_territory_answers_null(
    client: GraphQLClient, code: str
) -> None:
    assert await territory(client, code) is None


async def test_open_figures_count_what_the_viewer_may_see(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)

    anonymous = await territory(client, "23096")
    member = await territory(client, "23096", world.tokens["fablab"])

    assert anonymous["places"]["totalCount"] == 2
    assert [p["name"] for p in anonymous["places"]["nodes"]] == [
        "FabLab de Guéret",
        "Tiers-lieu des Granges",
    ]
    typologies = {t["typology"]: t["count"] for t in anonymous["placesByTypology"]}
    assert (typologies["FABLAB"], typologies["TIERS_LIEU_RURAL"], typologies["COWORKING"]) == (
        1,
        1,
        0,
    )
    assert [o["name"] for o in anonymous["organizations"]["nodes"]] == [
        "Commune de Guéret",
        "FabLab de Guéret",
    ]
    assert (anonymous["listings"]["offered"], anonymous["listings"]["requested"]) == (3, 1)
    assert (member["listings"]["offered"], member["listings"]["requested"]) == (5, 1)
    by_kind = {(k["direction"], k["kind"]): k["count"] for k in anonymous["listings"]["byKind"]}
    assert len(by_kind) == 8
    assert by_kind[("OFFER", "PREMISES")] == 2
    assert by_kind[("REQUEST", "SKILL")] == 1
    assert {"direction": "OFFER", "kind": "EQUIPMENT", "category": "decoupe_laser", "count": 1} in (
        anonymous["listings"]["byCategory"]
    )
    assert anonymous["premises"] == {"offered": 2, "occupied": 1, "free": 1}


async def test_each_level_adds_up_its_own_rows(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    token = world.tokens["network"]

    epci = await territory(client, GRAND_GUERET, token)
    creuse = epci["parent"]
    region = await territory(client, "reg-75", token)

    assert (epci["places"]["totalCount"], creuse["places"]["totalCount"]) == (2, 3)
    assert region["places"]["totalCount"] == 4
    # The fablab's network also sees its NETWORK listing.
    assert (epci["listings"]["offered"], creuse["listings"]["offered"]) == (4, 5)
    assert region["premises"] == {"offered": 3, "occupied": 1, "free": 2}
    assert epci["exchanges"]["completed"] == 1
    assert creuse["exchanges"]["completed"] == 2
    assert creuse["impact"]["kgReused"] == 120
    assert epci["impact"]["kgReused"] == 0


async def test_private_totals_are_for_the_commune_and_its_networks_only(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)

    hidden = [
        await territory(client, "23096"),
        await territory(client, "23096", world.tokens["fablab"]),
        await territory(client, "23096", world.tokens["outsider"]),
        await territory(client, "23096", world.tokens["other_network"]),
    ]
    shown = {
        name: await territory(client, "23096", world.tokens[name])
        for name in ("commune", "network")
    }

    for result in hidden:
        assert (result["privateFiguresVisible"], result["exchanges"], result["impact"]) == (
            False,
            None,
            None,
        )
    for result in shown.values():
        assert result["privateFiguresVisible"] is True
        exchanges = result["exchanges"]
        assert (exchanges["requested"], exchanges["inProgress"], exchanges["completed"]) == (
            1,
            1,
            1,
        )
        assert len(exchanges["byMonth"]) == 24
        assert exchanges["byMonth"][-1] == {
            "month": now().strftime("%Y-%m"),
            "requested": 3,
            "started": 1,
            "completed": 1,
        }
        assert result["impact"]["equipmentDays"] == 3
        assert result["impact"]["kmBetweenPlaces"] == 50
    # The commune sees its own commune's totals, not its EPCI's nor its department's.
    assert shown["commune"]["parent"]["privateFiguresVisible"] is False
    assert shown["commune"]["parent"]["exchanges"] is None
    # The department's network sees the department's, not the region's.
    assert shown["network"]["parent"]["privateFiguresVisible"] is True
    region = await territory(client, "reg-75", world.tokens["network"])
    assert region["exchanges"] is None


async def test_an_unverified_collectivite_is_not_the_commune(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    world.commune.verified = False
    await session.commit()

    result = await territory(client, "23096", world.tokens["commune"])

    assert result["privateFiguresVisible"] is False


async def test_the_national_administrators_see_every_territory_s_totals(
    client: GraphQLClient, session: AsyncSession
) -> None:
    await build_world(session)
    national = await make_organization(session, "ANCT", OrganizationKind.RESEAU)
    await add_area(session, national.name, AreaLevel.COUNTRY, "FR")
    token = (await make_member(session, national)).token
    await session.commit()

    result = await territory(client, "reg-75", token)

    assert result["exchanges"]["completed"] == 2


MY_TERRITORY = "{ me { territory { kind code name } } }"


async def test_a_commune_agent_is_shown_their_territory(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)

    agent = await client.execute(MY_TERRITORY, token=world.tokens["commune"])
    other = await client.execute(MY_TERRITORY, token=world.tokens["fablab"])

    assert agent["me"]["territory"] == {"kind": "COMMUNE", "code": "23096", "name": "Guéret"}
    assert other["me"]["territory"] is None


async def test_an_epci_agent_is_shown_the_epci(
    client: GraphQLClient, session: AsyncSession
) -> None:
    epci = await make_organization(
        session, "Grand Guéret", OrganizationKind.COLLECTIVITE, siren=GRAND_GUERET, verified=True
    )
    token = (await make_member(session, epci)).token
    await session.commit()

    agent = await client.execute(MY_TERRITORY, token=token)

    assert agent["me"]["territory"]["code"] == GRAND_GUERET


ONE_TERRITORY = (
    FIGURES.split("query")[0]
    + """
query($code: String!) { territory(code: $code) { ...Figures } }
"""
)


async def test_the_cost_is_the_same_small_number_of_statements_at_every_size(
    client: GraphQLClient, session: AsyncSession, statements: StatementCounter
) -> None:
    world = await build_world(session)
    national = await make_organization(session, "ANCT", OrganizationKind.RESEAU)
    await add_area(session, national.name, AreaLevel.COUNTRY, "FR")
    token = (await make_member(session, national)).token
    await session.commit()

    async def cost(code: str) -> int:
        before = statements.total
        result = (await client.execute(ONE_TERRITORY, {"code": code}, token))["territory"]
        assert result["exchanges"] is not None
        return statements.total - before

    await cost("23096")  # the first use of a token records when it was used
    commune = await cost("23096")
    region = await cost("reg-75")
    fablab = await make_organization(session)
    for _ in range(30):
        listing = await make_listing(session, fablab, **LIMOGES)
        await make_space(session, fablab, **LIMOGES)
        await make_exchange(session, listing, world.commune, completed_at=now())
    await session.commit()
    bigger_region = await cost("reg-75")

    assert commune == region == bigger_region
    assert region <= 12


def csv_rows(response: Any) -> dict[tuple[str, str], str]:
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0] == ["figure", "detail", "value"]
    return {(figure, detail): value for figure, detail, value in lines[1:]}


async def test_the_csv_export_has_a_row_per_figure_with_the_same_visibility(
    client: GraphQLClient, session: AsyncSession
) -> None:
    world = await build_world(session)
    headers = {"Authorization": f"Bearer {world.tokens['commune']}"}

    anonymous = await client.http.get("/export/territory/23096.csv")
    commune = await client.http.get("/export/territory/23096.csv", headers=headers)

    assert anonymous.status_code == 200
    assert anonymous.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="territoire-23096.csv"' in anonymous.headers["content-disposition"]
    public = csv_rows(anonymous)
    assert public[("territory", "name")] == "Guéret"
    assert public[("territory", "parent")] == GRAND_GUERET
    assert public[("places", "total")] == "2"
    assert public[("places", "FABLAB")] == "1"
    assert public[("listings", "OFFER")] == "3"
    assert public[("listings", "OFFER/EQUIPMENT/decoupe_laser")] == "1"
    assert public[("premises", "occupied")] == "1"
    assert public[("private_figures", "visible")] == "false"
    assert not any(figure.startswith(("exchanges", "impact")) for figure, _ in public)
    private = csv_rows(commune)
    assert private[("private_figures", "visible")] == "true"
    assert private[("exchanges", "completed")] == "1"
    assert private[("exchanges_requested", now().strftime("%Y-%m"))] == "3"
    assert private[("impact", "equipment_days")] == "3"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("dep-2", "'dep-2' is not a territory code: give an INSEE commune code"),
        ("75", "'75' is not a territory code"),
        ("dep-99", "No territory has the code 'dep-99'."),
        ("00000", "No territory has the code '00000'."),
    ],
)
async def test_a_bad_code_exports_a_404_that_says_why(
    client: GraphQLClient, code: str, message: str
) -> None:
    response = await client.http.get(f"/export/territory/{code}.csv")

    assert response.status_code == 404
    assert message in response.text


async def test_the_canonical_forms_export_too(client: GraphQLClient) -> None:
    response = await client.http.get("/export/territory/DEP-2a.csv")

    assert csv_rows(response)[("territory", "code")] == "dep-2A"


@pytest.mark.parametrize("first", [0, -1, 10_000])
async def test_a_list_size_out_of_bounds_is_an_error_naming_first(
    client: GraphQLClient, first: int
) -> None:
    query = 'query($n: Int!) { territory(code: "dep-23") { places(first: $n) { totalCount } } }'

    errors = await client.errors(query, {"n": first})

    assert errors[0]["extensions"]["field"] == "first"
