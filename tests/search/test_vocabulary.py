"""The search vocabulary: its generated data, the classification rules on real titles, and what
the real Meilisearch does with concept paths and phrases."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import Direction, ListingKind, Organization, OrganizationKind, Sector
from core.settings import PROJECT_ROOT, Settings
from search import vocabulary
from search.client import SearchClient
from search.listings_index import listing_document
from search.listings_search import ListingQuery, search_listings
from search.matching import match_query
from tests.factories import make_listing, make_organization
from tests.search.conftest import index_now
from tests.search.relevance.evaluation import corpus_listing

EQUIPMENT, PREMISES, SKILL, MATERIAL = (
    ListingKind.EQUIPMENT,
    ListingKind.PREMISES,
    ListingKind.SKILL,
    ListingKind.MATERIAL,
)


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_concepts", PROJECT_ROOT / "dev" / "build_concepts.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_vocabulary_is_what_the_generator_gives_every_time() -> None:
    shared = Settings().shared_data_dir
    if shared is None or not (shared / "rome4_v460_competences.csv").exists():
        pytest.skip("the shared open data is not beside the project")
    build = generator().build
    first = build(shared)
    assert first == build(shared)
    assert first == vocabulary.CONCEPTS_CSV.read_text(encoding="utf-8")


def test_one_root_per_kind_every_parent_known_and_synonym_groups_stay_small() -> None:
    table = vocabulary.concepts()
    roots = [c for c in table.values() if not c.parent and c.kind is not None]
    assert sorted(c.kind.value for c in roots if c.kind) == sorted(k.value for k in ListingKind)
    assert all(c.parent in table for c in table.values() if c.parent)
    assert 200 < len(table) < 1000
    assert max(len(group) for group in vocabulary.synonyms().values()) < 40
    assert {"mediation", "numerique", "tuile", "palette"} <= vocabulary.words()


@pytest.mark.parametrize(
    ("kind", "category", "title", "tags", "expected"),
    [
        # real titles of tests/search/relevance/corpus.jsonl, their category dropped
        (
            MATERIAL,
            None,
            "Chaises de bureau à roulettes",
            ["mobilier", "réemploi"],
            "mobilier-de-bureau",
        ),
        (MATERIAL, None, "Armoires et étagères métalliques", ["réemploi"], "mobilier-de-bureau"),
        (MATERIAL, None, "Planches de bois brut", ["réemploi"], "bois"),
        (MATERIAL, None, "Tuiles de récupération", ["réemploi"], "tuiles"),
        (MATERIAL, None, "Rouleaux de laine de verre", [], "a2011-isolants-laines-minerales"),
        (EQUIPMENT, None, "Scanner 3D Ciclop BQ (open source)", ["fablab"], "scanner"),
        (EQUIPMENT, None, "Graveuse laser K40", ["fablab"], "laser"),
        (PREMISES, None, "Bureau fermé à louer au mois — La Station Coworking", [], "office"),
        (
            SKILL,
            None,
            "Cherche bénévole pour : incorporer des outils numériques dans l'enseignement",
            [],
            "mediation_numerique",
        ),
        # a category code puts a listing straight in its concept
        (
            SKILL,
            "metal_soudure",
            "Assembler des éléments par techniques de soudure",
            [],
            "metal_soudure",
        ),
    ],
)
def test_classify_finds_the_concept_of_real_titles(
    kind: ListingKind, category: str | None, title: str, tags: list[str], expected: str
) -> None:
    found = vocabulary.classify(kind, category, title, "", tags)
    assert any(expected in [c.id for c in vocabulary.path(id)] for id in found), found


@pytest.mark.parametrize(
    ("kind", "title", "not_expected"),
    [
        # mediation between parties, in families or hospitals is no digital mediation (ROME labels)
        (SKILL, "Assurer la médiation entre les parties en conflit", "mediation_numerique"),
        (
            SKILL,
            "Sensibiliser à la médiation familiale et aux outils numériques",
            "mediation_numerique",
        ),
        (SKILL, "Assurer des médiations dans les établissements de soins", "mediation_numerique"),
        # a laser scanner is no laser cutter; an office to rent is no furniture
        (EQUIPMENT, "Scanner laser Faro Focus", "laser"),
        (PREMISES, "Bureau fermé à louer au mois", "mobilier-de-bureau"),
        # a word inside a longer name: an event hall is no meeting room
        (PREMISES, "Salle polyvalente de 200 m²", "meeting_room"),
        # "couverture" as a blanket is no roofing
        (MATERIAL, "Couverture en laine", "couverture"),
    ],
)
def test_classify_leaves_out_what_only_looks_like_a_concept(
    kind: ListingKind, title: str, not_expected: str
) -> None:
    found = vocabulary.classify(kind, None, title, "", [])
    assert not_expected not in {c.id for id in found for c in vocabulary.path(id)}, found


def test_title_and_tags_weigh_before_the_description() -> None:
    said = "Planches de chêne"
    assert vocabulary.classify(MATERIAL, None, "Lot", said, []) == ["bois"]
    assert "bois" not in vocabulary.classify(MATERIAL, None, "Tuiles", said, [])


def test_a_document_carries_its_category_path_and_the_names_of_its_concepts() -> None:
    fields = vocabulary.document_fields(MATERIAL, "mobilier", "Bureau en chêne", "", [])
    assert fields["category_path"]["lvl1"] == ["Matériaux et objets > Objets de seconde main"]
    assert fields["category_path"]["lvl4"] == [
        "Matériaux et objets > Objets de seconde main > Mobilier et décoration > Mobilier"
        " > Mobilier de bureau"
    ]
    assert {"Mobilier de bureau", "Office furniture", "Mobilier", "Furniture"} <= set(
        fields["concepts"]
    )
    bare = vocabulary.document_fields(PREMISES, None, "Un lieu", "", [])
    assert bare == {"category_path": {"lvl0": ["Locaux"]}, "concepts": []}


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("mediation numerique à Guéret", '"médiation numérique" mediation numerique à Guéret'),
        ("Mobilier de Bureau", '"mobilier de bureau" Mobilier de Bureau'),
        ("imprimante 3D résine", '"imprimante 3d" imprimante 3D résine'),
        ("bois de récupération", '"bois de récupération" bois de récupération'),
        ("tuiles", "tuiles"),
        ('"découpe laser" epilog', '"découpe laser" epilog'),
        ("graver au laser cutter", '"laser cutter" graver au laser cutter'),
        ("seconde main", "seconde main"),  # a free group: synonyms only
    ],
)
def test_rewrite_query_sends_known_multi_word_names_as_phrases(typed: str, sent: str) -> None:
    assert vocabulary.rewrite_query(typed) == sent


# --- the real engine ----------------------------------------------------------------------


async def _publish(
    session: AsyncSession, organization_id: int, rows: list[dict[str, Any]]
) -> dict[int, str]:
    organization = await make_organization(session, f"Vocabulary {organization_id}")
    titles = {}
    for row in rows:
        listing = await make_listing(session, organization, **row)
        assert listing.id is not None
        titles[listing.id] = listing.title
    await session.commit()
    return titles


async def _titles(
    client: SearchClient, titles: dict[int, str], text: str, kind: ListingKind
) -> list[str]:
    page = await search_listings(client, None, ListingQuery(text=text, kinds=(kind,), facets=()))
    return [titles[hit.id] for hit in page.hits]


async def test_queries_naming_a_concept_reach_its_members_and_not_look_alikes(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    skills = [
        "Accompagner et développer l'autonomie dans l'usage des outils numériques",
        "Animer un atelier numérique pour les seniors",
        "Assurer la médiation entre les parties en conflit",
        "Assurer des médiations dans les établissements de soins",
    ]
    materials = [
        ("Bureau en chêne", "mobilier"),
        ("Chaises de bureau à roulettes", None),
        ("Armoires et étagères métalliques", None),
        ("Lot de palettes", None),
        ("Planches et poutres de chêne", None),
        ("Tuiles mécaniques", None),
        ("Lave-linge", None),
    ]
    titles = await _publish(
        session,
        1,
        [{"kind": SKILL, "title": t, "details": {}} for t in skills]
        + [{"kind": MATERIAL, "title": t, "category": c, "details": {}} for t, c in materials],
    )
    await index_now(database, search_client)

    digital = await _titles(search_client, titles, "médiation numérique", SKILL)
    assert set(digital) == set(skills[:2])
    # the phrase comes first, so Meilisearch's "last" strategy drops the other words, never it
    narrowed = await _titles(search_client, titles, "médiation numérique en conflit", SKILL)
    assert narrowed
    assert set(narrowed) <= set(skills[:2])
    assert set(await _titles(search_client, titles, "mobilier de bureau", MATERIAL)) == {
        "Bureau en chêne",
        "Chaises de bureau à roulettes",
        "Armoires et étagères métalliques",
    }
    assert set(await _titles(search_client, titles, "bois de récupération", MATERIAL)) == {
        "Lot de palettes",
        "Planches et poutres de chêne",
    }
    assert await _titles(search_client, titles, "couverture", MATERIAL) == ["Tuiles mécaniques"]
    assert await _titles(search_client, titles, "roofing", MATERIAL) == ["Tuiles mécaniques"]
    assert "Tuiles mécaniques" in await _titles(search_client, titles, "tuiles", MATERIAL)


async def test_the_category_path_is_a_facet_of_the_index(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    titles = await _publish(
        session, 2, [{"kind": MATERIAL, "title": "Tuiles canal", "details": {}}]
    )
    await index_now(database, search_client)
    found = await search_client.search(
        "listings",
        {
            "q": "",
            "filter": 'category_path.lvl2 = "Matériaux et objets > Matériaux de construction > Couverture"',
            "facets": ["category_path.lvl1"],
        },
    )
    assert [titles[int(hit["id"])] for hit in found["hits"]] == ["Tuiles canal"]
    assert found["facetDistribution"]["category_path.lvl1"] == {
        "Matériaux et objets > Matériaux de construction": 1
    }


async def test_a_request_reaches_offers_of_its_concept(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    when = {"available_from": date(2026, 1, 1)}
    titles = await _publish(
        session,
        3,
        [
            {
                "kind": SKILL,
                "title": "Accompagner les publics dans leurs démarches en ligne",
                "details": {},
                **when,
            },
            {
                "kind": SKILL,
                "title": "Médiation numérique : ateliers d'initiation",
                "details": {},
                **when,
            },
            {
                "kind": SKILL,
                "title": "Assurer la médiation entre les parties en conflit",
                "details": {},
                **when,
            },
            {"kind": SKILL, "title": "Animer un atelier de poterie", "details": {}, **when},
        ],
    )
    asker = await make_organization(session, "Vocabulary asker")
    request = await make_listing(
        session,
        asker,
        kind=SKILL,
        direction=Direction.REQUEST,
        category="animation_facilitation",
        title="Cherche quelqu'un sachant : Animer un atelier numérique",
        details={},
        **when,
    )
    await session.commit()
    await index_now(database, search_client)
    query = match_query(request, None, 10, date(2026, 6, 1))
    assert query is not None
    assert query.text.startswith('"Médiation numérique"')
    page = await search_listings(search_client, None, query)
    assert {titles[hit.id] for hit in page.hits} == {
        "Accompagner les publics dans leurs démarches en ligne",
        "Médiation numérique : ateliers d'initiation",
    }


def test_listing_document_holds_the_vocabulary_fields() -> None:
    row: dict[str, Any] = {"key": "k", "direction": "OFFER", "kind": "EQUIPMENT", "category": None}
    row |= {"title": "Graveuse laser K40", "description": "", "tags": ["fablab"]}
    row |= dict.fromkeys(["commune", "department", "region", "lat", "lon"])
    row |= dict.fromkeys(["available_from", "available_until"])
    listing = corpus_listing(row, 1, id=1, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    organization = Organization(
        id=1, name="Lab", kind=OrganizationKind.TIERS_LIEU, sector=Sector.PRIVATE
    )
    document = listing_document(listing, organization, [])
    assert document["category_path"] == {
        "lvl0": ["Équipement"],
        "lvl1": ["Équipement > Machines de fablab"],
        "lvl2": ["Équipement > Machines de fablab > Découpeuse laser"],
    }
    assert "laser cutter" in document["concepts"]
