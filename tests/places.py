"""A small directory of places in two departments and three intercommunalities, for the tests of
`Query.spaces` on the database path and on the search index path (the same places, the same
answers)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Space
from tests.factories import make_organization, make_space

GRAND_GUERET = "200034825"  # CA du Grand Guéret: Guéret
CREUSE_GRAND_SUD = "200044014"  # CC Creuse Grand Sud: Aubusson, Felletin

# name: (commune, department, region, lat, lon, typologies, claimed)
PLACES: dict[str, tuple[str, str, str, str, float, float, list[str], bool]] = {
    "La Quincaillerie numérique": (
        "23096",
        "Guéret",
        "23",
        "75",
        46.1585,
        1.8705,
        ["FABLAB", "COWORKING"],
        True,
    ),
    "Fablab de Felletin": ("23079", "Felletin", "23", "75", 45.8943, 2.187, ["FABLAB"], False),
    "Espace coworking d'Aubusson": (
        "23008",
        "Aubusson",
        "23",
        "75",
        45.9472,
        2.1701,
        ["COWORKING"],
        True,
    ),
    "Makerspace de La Souterraine": (
        "23176",
        "La Souterraine",
        "23",
        "75",
        46.2308,
        1.4744,
        ["MAKERSPACE"],
        False,
    ),
    "Fablab de Montreuil": ("93048", "Montreuil", "93", "11", 48.8638, 2.4491, ["FABLAB"], False),
    "Café coworking de Saint-Denis": (
        "93066",
        "Saint-Denis",
        "93",
        "11",
        48.9268,
        2.3657,
        ["COWORKING"],
        True,
    ),
}


async def make_directory(session: AsyncSession) -> dict[str, Space]:
    """The places above, committed; the claimed ones run by one organization."""
    runner = await make_organization(session, "Tiers-lieux associés")
    made = {}
    for name, (insee, commune, department, region, lat, lon, typologies, claimed) in PLACES.items():
        made[name] = await make_space(
            session,
            runner if claimed else None,
            name=name,
            commune_insee=insee,
            commune_name=commune,
            department_code=department,
            region_code=region,
            latitude=lat,
            longitude=lon,
            typologies=typologies,
        )
    await session.commit()
    return made
