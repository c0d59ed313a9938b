"""The dedupe rules one by one (core/importers/dedupe.py), on names and positions of real places."""

from __future__ import annotations

from core.importers.dedupe import (
    Candidate,
    Directory,
    Said,
    name_similarity,
    website_domain,
)

# Greenspace, 28 rue du Chemin Vert, Paris 11e (Mission Coworking base, ID 607).
GREENSPACE = Said(
    name="Greenspace",
    commune_insee="75111",
    commune_name="Paris 11e Arrondissement",
    latitude=48.858444,
    longitude=2.372942,
    website="http://www.greenspace-paris.com",
)


def _directory(*saids: Said, source: str = "mission_coworking") -> Directory:
    return Directory(
        Candidate(space_id=index, said=said, sources={source})
        for index, said in enumerate(saids, start=1)
    )


def _at(said: Said, **changes: object) -> Said:
    return Said(**{**said.__dict__, **changes})  # type: ignore[arg-type]


def test_names_compare_without_case_accents_small_and_generic_words_nor_the_commune() -> None:
    assert name_similarity("FabLab Orléanais", "Fablab Orleanais") == 1.0
    assert name_similarity("Greenspace Paris", "Greenspace", "Paris 11e Arrondissement") == 1.0
    assert name_similarity("Hubsy", "Hubsy Café") == 1.0
    assert name_similarity("BerryLab36", "BerryLab 36") == 0.95
    assert name_similarity("Cool and Workers", "Greenspace") < 0.5


def test_shared_hosts_and_social_networks_are_no_website_domain() -> None:
    assert website_domain("https://www.Greenspace-Paris.com/fr/") == "greenspace-paris.com"
    assert website_domain("www.ade-coworking.net") == "ade-coworking.net"
    assert website_domain("http://fablab.pingbase.net") == "pingbase.net"
    assert website_domain("https://mon-lieu.asso.fr/contact") == "mon-lieu.asso.fr"
    for shared in (
        "https://www.facebook.com/waw.coworking",
        "http://lafabriqueccprf.wordpress.com",
        "https://monlieu.wixsite.com/accueil",
        "https://sites.google.com/view/fablab",
        "https://twitter.com/LabFab_UR1",
        "http://fabriquesnumeriques.tumblr.com/",
        "https://www.fablabs.io/labs/ping",
    ):
        assert website_domain(shared) is None, shared
    assert website_domain("not a url") is None


def test_a_next_door_coworking_with_another_name_and_site_does_not_merge() -> None:
    # Cool & Workers, 34 rue du Chemin Vert: 8 m from Greenspace in the census.
    cool = _at(GREENSPACE, name="Cool and Workers", website="https://www.coolandworkers.com/")

    assert _directory(GREENSPACE).match(_at(cool, latitude=48.858500), "idf_coworkings") is None


def test_the_same_name_merges_within_300_m_in_the_same_commune_only() -> None:
    directory = _directory(_at(GREENSPACE, name="Greenspace Chemin Vert", website=None))
    near = _at(GREENSPACE, name="Greenspace Paris", website=None, latitude=48.8580268)
    far = _at(near, latitude=48.8640)  # about 620 m north
    elsewhere = _at(near, commune_insee="75112")

    match = directory.match(near, "idf_coworkings")

    assert match is not None
    assert (match.rule, match.reason) == ("NAME", "nom similaire à 1,00, à 46 m, même commune")
    assert directory.match(far, "idf_coworkings") is None
    assert directory.match(elsewhere, "idf_coworkings") is None


def test_the_very_same_name_merges_within_3_km_unless_it_has_only_common_words() -> None:
    lab = Said("Artilect FabLab Toulouse", "31555", "Toulouse", 43.6045, 1.4440)
    digital = Said("Espace numérique", "97611", "Mamoudzou", -12.7828363, 45.2329626)

    same_lab = _directory(lab).match(_at(lab, latitude=43.6200), "other")  # 1.7 km north
    too_far = _directory(lab).match(_at(lab, latitude=43.6400), "other")  # 3.9 km
    other_village = _directory(digital).match(_at(digital, latitude=-12.8011275), "other")

    assert same_lab is not None
    assert same_lab.reason == "nom similaire à 1,00, à 1724 m, même commune"
    assert too_far is None
    assert other_village is None  # 2 km: only common words, so only 300 m would do


def test_an_organization_never_merges_with_the_place_it_runs() -> None:
    # The census's cooperative Pointcarré; fablabs.io's fablab Point Carré, put at the same point.
    cooperative = Said(
        name="Coopérative Pointcarré",
        commune_insee="93066",
        commune_name="Saint-Denis",
        latitude=48.9320137,
        longitude=2.3559854,
    )
    fablab = _at(cooperative, name="Pointcarré")

    assert _directory(cooperative).match(fablab, "tiers_lieux_fr") is None
    assert _directory(_at(cooperative, name="Pointcarré Saint-Denis")).match(
        fablab, "tiers_lieux_fr"
    )


def test_a_shared_website_merges_only_in_the_same_commune() -> None:
    directory = _directory(GREENSPACE)
    same_site = _at(GREENSPACE, name="GS", latitude=48.87, website="https://greenspace-paris.com")

    match = directory.match(same_site, "idf_coworkings")

    assert match is not None
    assert match.reason == "même site web greenspace-paris.com, même commune"
    assert directory.match(_at(same_site, commune_insee="75112"), "idf_coworkings") is None


def test_siret_and_fablabs_io_slug_merge_wherever_the_places_are() -> None:
    directory = _directory(_at(GREENSPACE, siret="12345678900011", fablabs_slug="ping"))
    elsewhere = Said(name="Autre nom", commune_insee="44109", latitude=47.2, longitude=-1.55)

    by_siret = directory.match(_at(elsewhere, siret="12345678900011"), "other")
    by_slug = directory.match(_at(elsewhere, fablabs_slug="PING"), "other")

    assert by_siret is not None
    assert (by_siret.rule, by_siret.reason) == ("SIRET", "même SIRET 12345678900011")
    assert by_slug is not None
    assert by_slug.rule == "FABLABS_IO"


def test_a_source_never_merges_its_own_two_places_nor_an_undone_pair() -> None:
    twin = _at(GREENSPACE, name="Greenspace")
    directory = _directory(GREENSPACE, source="idf_coworkings")
    refused = Directory([Candidate(1, GREENSPACE, {"mission_coworking"}, refused_records={7})])

    assert directory.match(twin, "idf_coworkings") is None
    assert refused.match(twin, "idf_coworkings", record_id=7) is None
    assert refused.match(twin, "idf_coworkings", record_id=8) is not None
