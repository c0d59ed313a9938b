"""`/lieux`, the directory of places, in a real browser over the demo's 1,600 places: filters
chosen in the form land in the URL and survive a reload, pages are links of their own, the header
leads there, and axe finds nothing serious at 1280 and 360 px, in French and in English."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import NewContext, axe_violations, graphql, pick_commune, screenshot

SMALL = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
NAMES = """query($filter: SpaceFilter, $after: String) {
  spaces(filter: $filter, first: 20, after: $after) {
    totalCount edges { node { name location { department } } } } }"""


def _expected(page: Page, filter: dict[str, Any], after: str | None = None) -> dict[str, Any]:
    return graphql(page, NAMES, {"filter": filter, "after": after})["spaces"]  # type: ignore[no-any-return]


def _shown(page: Page) -> list[str]:
    results = page.get_by_role("list", name="Lieux trouvés", exact=True)
    expect(results.get_by_role("listitem").first).to_be_visible()
    expect(page.locator("[aria-busy='true']")).to_have_count(0)
    return [name.strip() for name in results.locator(".result__title").all_inner_texts()]


def _settled(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.locator("[aria-busy='true']")).to_have_count(0)
    expect(
        page.get_by_role("status").filter(has_text=re.compile(r"\d+ lieux?|places?"))
    ).to_be_visible()


def test_filtered_by_typology_and_department_kept_by_the_url_and_a_reload(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Lieux"
    ).click()
    expect(page).to_have_url(re.compile(r"/lieux$"))
    expect(page.get_by_role("heading", level=1, name="Lieux")).to_be_visible()

    page.get_by_label("Type de lieu", exact=True).select_option("COWORKING")
    expect(page).to_have_url(re.compile(r"typology=COWORKING"))
    page.get_by_label("Département", exact=True).select_option("93")
    expect(page).to_have_url(re.compile(r"/lieux\?typology=COWORKING&department=93$"))

    expected = _expected(page, {"typology": "COWORKING", "department": "93"})
    names = [edge["node"]["name"] for edge in expected["edges"]]
    assert 1 <= expected["totalCount"] <= 20
    assert {edge["node"]["location"]["department"] for edge in expected["edges"]} == {"93"}
    assert _shown(page) == names
    count = f"{expected['totalCount']} lieu"
    expect(page.get_by_role("status").filter(has_text=count)).to_be_visible()
    screenshot(page, "places-1280px-filtered")

    page.reload()
    expect(page.get_by_label("Type de lieu", exact=True)).to_have_value("COWORKING")
    expect(page.get_by_label("Département", exact=True)).to_have_value("93")
    assert _shown(page) == names
    expect(page.get_by_role("button", name=re.compile("Retirer : Département"))).to_be_visible()

    page.get_by_role("button", name=re.compile("Retirer : Département")).click()
    expect(page).to_have_url(re.compile(r"/lieux\?typology=COWORKING$"))
    assert len(_shown(page)) == 20


def test_pages_are_links_of_their_own_and_the_back_button_returns(page: Page) -> None:
    page.goto("/lieux?typology=FABLAB")
    first = _shown(page)
    assert len(first) == 20

    page.get_by_role("navigation", name="Pages de résultats").get_by_role(
        "link", name="Page suivante"
    ).click()
    expect(page).to_have_url(re.compile(r"/lieux\?typology=FABLAB&page=2$"))
    second = _shown(page)
    cursor = graphql(
        page, "{ s: spaces(filter: {typology: FABLAB}, first: 20) { pageInfo { endCursor } } }"
    )
    expected = _expected(page, {"typology": "FABLAB"}, cursor["s"]["pageInfo"]["endCursor"])
    assert second == [edge["node"]["name"] for edge in expected["edges"]]
    assert not set(first) & set(second)

    page.reload()
    assert _shown(page) == second
    page.go_back()
    expect(page).to_have_url(re.compile(r"/lieux\?typology=FABLAB$"))
    assert _shown(page) == first


def test_text_with_a_typo_and_no_accent_and_a_place_page(page: Page) -> None:
    page.goto("/lieux")
    page.get_by_role("searchbox", name="Rechercher un lieu").fill("cowrking montreuil")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=cowrking\+montreuil|q=cowrking%20montreuil"))
    shown = _shown(page)
    assert shown
    page.get_by_role("list", name="Lieux trouvés", exact=True).get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/lieux/[A-Za-z0-9_=-]+$"))
    expect(page.get_by_role("heading", level=1, name=shown[0])).to_be_visible()


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_serious_axe_violation(width: int, language: str, new_context: NewContext) -> None:
    options: dict[str, Any] = SMALL if width == 360 else {}
    page = new_context(**options).new_page()
    page.goto("/lieux?typology=COWORKING&department=93")
    _settled(page)
    if language == "en":
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1, name="Places")).to_be_visible()
        expect(page.get_by_role("list", name="Places found", exact=True)).to_be_visible()
    if width == 360:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        results = page.locator("ul.results").bounding_box()
        map_box = page.locator(".search-results__map").bounding_box()
        assert results is not None
        assert map_box is not None
        assert results["y"] < map_box["y"]  # the filters, then the places, then the map
    screenshot(page, f"places-{width}px-{language}")
    violations = axe_violations(page)
    summary = [{"id": v["id"], "impact": v["impact"], "help": v["help"]} for v in violations]
    assert not violations, json.dumps(summary, indent=2, ensure_ascii=False)


def test_a_commune_widened_to_its_intercommunality_then_around_it_unclaimed(page: Page) -> None:
    page.goto("/lieux")
    pick_commune(page, "Montreuil", "93", label="Dans la commune")
    expect(page).to_have_url(re.compile(r"/lieux\?commune=93048$"))
    in_montreuil = _expected(page, {"communeInsee": "93048"})
    assert in_montreuil["edges"], in_montreuil  # an empty page and an empty answer would agree
    assert _shown(page) == [e["node"]["name"] for e in in_montreuil["edges"]]

    page.get_by_role("button", name=re.compile("Étendre à toute l'intercommunalité")).click()
    expect(page).to_have_url(re.compile(r"/lieux\?epci=200054781$"))
    chip = page.get_by_role("button", name="Retirer : Intercommunalité : Métropole du Grand Paris")
    expect(chip).to_be_visible()
    in_metropole = _expected(page, {"epci": "200054781"})
    assert in_metropole["totalCount"] > in_montreuil["totalCount"]
    assert _shown(page) == [e["node"]["name"] for e in in_metropole["edges"]]
    page.reload()
    expect(chip).to_be_visible()

    chip.click()
    pick_commune(page, "Guéret", "23", label="Autour de la commune")
    page.get_by_label("Rayon", exact=True).select_option("100")
    page.get_by_role("radio", name="Sans organisation").check()
    expect(page).to_have_url(re.compile(r"/lieux\?near=23096&radius=100&claimed=no$"))
    around = _expected(page, {"nearCommune": "23096", "radiusKm": 100, "claimed": False})
    assert around["totalCount"] >= 1
    assert _shown(page) == [e["node"]["name"] for e in around["edges"]]
    screenshot(page, "places-1280px-around-gueret")
