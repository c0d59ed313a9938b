"""Small screens, the desktop layout, English and the calendar's days, in a real browser.

At 360 px the results come before the map and the header takes at most 120 px; at 1280 px the
"Affiner" filters sit above the results; the English pages show no French string of the
interface; the first free day of a listing is "libre", not "en partie pris" (Paris time).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import PUBLISH, ROOT, NewContext, World, graphql, screenshot

LOCALES = ROOT / "frontend" / "src" / "i18n" / "locales"
SMALL = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not laid out"
    return float(box["y"])


@pytest.mark.parametrize("who", ["anonymous", "agent"])
def test_at_360_px_the_results_come_before_the_map_under_a_short_header(
    who: str, world: World, new_context: NewContext
) -> None:
    options = SMALL | ({"storage_state": world.agent_state} if who == "agent" else {})
    page = new_context(**options).new_page()  # type: ignore[arg-type]
    page.goto("/?q=imprimante")
    results = page.get_by_role("list", name="Résultats", exact=True)
    expect(results.get_by_role("listitem").first).to_be_visible()
    if who == "agent":
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible(timeout=15_000)

    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] <= 120, header
    assert _top(page, "ul.results") < _top(page, ".search-results__map")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"search-360px-{who}")


def test_on_a_desktop_the_filters_sit_above_the_results(page: Page) -> None:
    page.goto("/?q=imprimante")
    results = page.get_by_role("list", name="Résultats", exact=True)
    expect(results.get_by_role("listitem").first).to_be_visible()
    filters = page.get_by_role("region", name="Affiner")
    expect(filters).to_be_visible()
    box = filters.bounding_box()
    first = results.get_by_role("listitem").first.bounding_box()
    assert box is not None
    assert first is not None
    assert box["y"] + box["height"] <= first["y"], (box, first)
    screenshot(page, "search-1280px-filters")


def _messages() -> tuple[dict[str, str], dict[str, str]]:
    """The French and English messages, by dotted key."""

    def flat(node: object, prefix: str = "") -> dict[str, str]:
        if isinstance(node, dict):
            out: dict[str, str] = {}
            for key, value in node.items():
                out |= flat(value, f"{prefix}{key}.")
            return out
        return {prefix.rstrip("."): str(node)}

    def load(lang: str) -> dict[str, str]:
        messages = flat(json.loads((LOCALES / f"{lang}.json").read_text()))
        for area in sorted((LOCALES / lang).glob("*.json")):
            messages |= flat(json.loads(area.read_text()), f"{area.stem}.")
        return messages

    return load("fr"), load("en")


def _french_fragments() -> set[str]:
    """The static pieces of every French message that English says otherwise: sentences, or
    long words (a short word may be a listing's own French text)."""
    french, english = _messages()
    fragments = set()
    for key, text in french.items():
        if english.get(key) == text:
            continue
        for variant in text.split("|"):
            for piece in re.split(r"\{[^}]*\}", variant):
                piece = piece.strip(" :.,()«»·—-")
                long_enough = " " in piece or len(piece) >= 12
                if len(piece) >= 8 and long_enough and piece not in english.get(key, ""):
                    fragments.add(piece)
    return fragments


def _french_labels() -> set[str]:
    """Whole French messages without placeholders that English says otherwise ("Chercher")."""
    french, english = _messages()
    return {
        text.strip()
        for key, text in french.items()
        if english.get(key) != text and "{" not in text and text.strip() not in english.values()
    }


CONTROLS = "button, label, legend, th, nav a, [role=tab], .field__label"


def test_the_english_pages_have_no_french_text(world: World, new_context: NewContext) -> None:
    fragments, labels = _french_fragments(), _french_labels()
    context = new_context(storage_state=world.agent_state)
    context.add_init_script("localStorage.setItem('entrelieux:locale', 'en')")
    page = context.new_page()
    paths = {
        "search": "/?q=imprimante",
        "search-empty": "/?q=zqxjwvkp",
        "listing": f"/annonces/{world.listing_id}",
        "publish": "/publier",
        "edit": f"/annonces/{world.listing_id}/modifier",
        "inbox": "/echanges",
        "exchange": f"/echanges/{world.exchange_id}",
        "notifications": "/notifications",
        "alerts": "/alertes",
        "organization": f"/organisations/{world.organization_id}",
    }
    found: dict[str, list[str]] = {}
    for name, path in paths.items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("[aria-busy='true']")).to_have_count(0)
        text = page.evaluate("document.body.innerText")
        french = sorted(piece for piece in fragments if piece in text)
        controls = page.evaluate(
            f"[...document.querySelectorAll('{CONTROLS}')].map(e => e.innerText.trim())"
        )
        french += sorted({name for name in controls if name in labels})
        if french:
            found[name] = french
        screenshot(page, f"english-{name}")
    assert not found, f"French left in the English interface: {found}"


def test_the_first_free_day_is_free_not_partly_taken(world: World, new_context: NewContext) -> None:
    """Paris is ahead of UTC: the API's free slot starts at 00:00 UTC, 01:00 in Paris."""
    context = new_context(storage_state=world.agent_state, timezone_id="Europe/Paris")
    page = context.new_page()
    page.goto("/connexion")
    first = date.today() + timedelta(days=2)
    last = first + timedelta(days=3)
    published = graphql(
        page,
        PUBLISH,
        {
            "input": {
                "direction": "OFFER",
                "kind": "EQUIPMENT",
                "title": "Scie à ruban Record Power",
                "commune": "93048",
                "availableFrom": first.isoformat(),
                "availableUntil": last.isoformat(),
                "details": {"equipment": {"quantity": 1}},
            }
        },
    )["listingPublish"]
    assert published["__typename"] == "ListingSuccess", published
    page.goto(f"/annonces/{published['listing']['id']}")
    calendar = page.get_by_role("region", name="Calendrier des disponibilités")
    expect(calendar.locator(".calendar__day").first).to_be_visible()
    expect(calendar.locator("[aria-busy='true']")).to_have_count(0)

    def state(day: date) -> str:
        while True:
            cell = calendar.locator("td.calendar__day").filter(
                has=page.locator(".calendar__number", has_text=re.compile(rf"^{day.day}$"))
            )
            label = calendar.locator(".calendar__month").text_content() or ""
            if str(day.year) in label and _month_fr(day) in label.lower():
                classes = cell.first.get_attribute("class") or ""
                return next(c for c in classes.split() if c.startswith("is-") and c != "is-today")
            calendar.get_by_role("button", name="Mois suivant").click()
            expect(calendar.locator("[aria-busy='true']")).to_have_count(0)

    assert state(first) == "is-free"
    assert state(last) == "is-free"
    assert state(last + timedelta(days=1)) == "is-closed"
    screenshot(page, "calendar-first-free-day")


def _month_fr(day: date) -> str:
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    return months.split()[day.month - 1]


def test_the_map_clusters_speak_the_language_just_chosen(new_context: NewContext) -> None:
    page = new_context(**SMALL).new_page()  # type: ignore[arg-type]
    page.goto("/")  # every listing: on a small map, some are clustered
    cluster = page.locator(".map-cluster").first
    expect(cluster).to_contain_text("annonces ici : zoomer", timeout=15_000)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".map-cluster").first).to_contain_text("listings here: zoom in")
