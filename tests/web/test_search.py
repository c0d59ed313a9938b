"""The search page (the home page) in a real browser: names, results on the map, the URL as the
search, the empty state, 360 px wide, keyboard only, and English."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.conftest import (
    NewContext,
    pick_commune,
    readme_screenshot,
    screenshot,
    search_field,
)

NONSENSE = "zqxjwvkp"


# The demo has some fifty 3D printers: without a place, any of them may come first.
PRINTERS = re.compile(r"Imprimantes? 3D")


def results(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("list", name="Résultats", exact=True)


def markers(page: Page):  # type: ignore[no-untyped-def]
    """Single pins and clusters alike: both are Leaflet markers in the results map."""
    region = page.get_by_role("region", name="Carte des résultats")
    return region.locator(".leaflet-marker-pane .leaflet-marker-icon")


def search(page: Page, text: str) -> None:
    field = search_field(page)
    field.fill(text)
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))


def test_landmarks_and_names(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("searchbox", name="Rechercher", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Carte des résultats")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("navigation").first).to_be_attached()
    # With no criteria the page lists the latest listings: the list is there from the start.
    expect(results(page)).to_be_visible()


def test_search_near_a_commune_shows_results_and_markers(page: Page) -> None:
    page.goto("/")
    search_field(page).fill("imprimante 3D")
    pick_commune(page, "Guéret", "Creuse")
    expect(page).to_have_url(re.compile(r"commune=23096"))
    expect(page).to_have_url(re.compile(r"q=imprimante"))
    hits = results(page).get_by_role("listitem")
    expect(hits.first).to_contain_text("Imprimantes 3D Prusa")  # the nearest
    expect(hits.first).to_contain_text(re.compile(r"à [\d,\s\u202f]+k?m\b"))  # its distance
    expect(markers(page).first).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("autour de Guéret")
    screenshot(page, "search-near-gueret")


def test_the_url_round_trips_through_reload_and_back(page: Page) -> None:
    page.goto("/")
    search(page, "imprimante")
    expect(results(page)).to_contain_text(PRINTERS)
    first_url = page.url

    page.reload()
    expect(search_field(page)).to_have_value("imprimante")
    expect(results(page)).to_contain_text(PRINTERS)
    assert page.url == first_url

    search(page, "découpeuse laser")
    expect(page).to_have_url(re.compile(r"q=d%C3%A9coupeuse|q=découpeuse"))
    expect(results(page)).to_contain_text("Découpeuse laser Trotec")
    expect(results(page)).not_to_contain_text(PRINTERS)

    page.go_back()
    expect(page).to_have_url(first_url)
    expect(search_field(page)).to_have_value("imprimante")
    expect(results(page)).to_contain_text(PRINTERS)

    page.go_forward()
    expect(search_field(page)).to_have_value("découpeuse laser")
    expect(results(page)).to_contain_text("Découpeuse laser Trotec")


def test_a_shared_link_opens_the_same_search(page: Page) -> None:
    page.goto("/?q=imprimante&commune=23096&radius=100")
    expect(search_field(page)).to_have_value("imprimante")
    expect(page.get_by_role("combobox", name="Près de")).to_have_value("Guéret")
    expect(page.get_by_label("Rayon")).to_have_value("100")
    expect(results(page)).to_contain_text(PRINTERS)


def test_nonsense_shows_the_empty_state(page: Page) -> None:
    page.goto("/")
    search(page, NONSENSE)
    expect(page.get_by_text("Aucune annonce ne correspond à cette recherche.")).to_be_visible()
    expect(results(page)).to_have_count(0)
    expect(page.get_by_role("link", name="Effacer tous les critères")).to_be_visible()
    screenshot(page, "search-empty")


def test_empty_near_a_commune_suggests_a_wider_radius(page: Page) -> None:
    page.goto("/?q=imprimante&commune=23096&radius=5&kind=PREMISES")
    widen = page.get_by_role("button", name=re.compile("Élargir le rayon"))
    expect(widen).to_be_visible()
    widen.click()
    expect(page).to_have_url(re.compile(r"radius=10"))


def test_usable_at_360_px_wide(new_context: NewContext) -> None:
    page = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = page.new_page()
    page.goto("/")
    expect(results(page)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    search(page, "imprimante")
    expect(results(page)).to_contain_text(PRINTERS)
    expect(markers(page).first).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "search-360px")


def test_keyboard_only(page: Page) -> None:
    page.goto("/")
    expect(results(page)).to_be_visible()
    field = search_field(page)
    for _ in range(30):
        page.keyboard.press("Tab")
        if field.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the search field")
    # The focus is visible: the focused field draws an outline (or a box shadow).
    focus_style = field.evaluate(
        "e => { const s = getComputedStyle(e);"
        " return s.outlineStyle !== 'none' && s.outlineWidth !== '0px' || s.boxShadow !== 'none' }"
    )
    assert focus_style, "the focused search field shows no focus indicator"
    page.keyboard.type("imprimante")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=imprimante"))
    expect(results(page)).to_contain_text(PRINTERS)
    # Tab onwards reaches a result's link.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('ul[aria-label=\"Résultats\"] a')"):
            break
    else:
        raise AssertionError("Tab never reached a result")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/annonces/"))


def test_the_language_switch_turns_the_page_to_english(page: Page) -> None:
    page.goto("/?q=imprimante")
    expect(results(page)).to_contain_text(PRINTERS)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("searchbox", name="Search", exact=True)).to_have_value("imprimante")
    expect(page.get_by_role("list", name="Results", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Map of the results")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Français").click()
    expect(search_field(page)).to_be_visible()


def test_the_readme_picture_of_the_search(page: Page) -> None:
    """The README's search picture (docs/screenshots/search.png), at 1280×900: listings near Guéret, on the list and the map."""
    page.goto("/?commune=23096&radius=500")
    expect(results(page).get_by_role("listitem").first).to_be_visible()
    expect(markers(page).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    readme_screenshot(page, "search")
