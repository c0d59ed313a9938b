"""A place of the demo's directory shows the open lists it comes from, with their credit, licence
and date, in French and in English (PlaceSources.vue)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.directory_rows import needs_shared_data
from tests.web.conftest import graphql, screenshot

pytestmark = needs_shared_data

BERRYLAB = (
    '{ spaces(filter: { nameContains: "BerryLab" }, first: 5) { edges { node { id ref } } } }'
)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_merged_place_lists_its_sources_with_credit_and_date(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    edges = graphql(page, BERRYLAB)["spaces"]["edges"]
    [place_id] = [e["node"]["id"] for e in edges if e["node"]["ref"] == "mc:434"]

    page.goto(f"/lieux/{place_id}")

    sources = page.get_by_role("region", name="Sources")
    expect(sources).to_be_visible()
    expect(sources.get_by_role("listitem")).to_have_count(3)
    expect(sources).to_contain_text("Ce lieu réunit ce qu'en disent 3 listes ouvertes.")
    expect(sources).to_contain_text("Mission Coworking – base des tiers-lieux 2019")
    expect(sources).to_contain_text("Crédit : CGET / ANCT - Mission Coworking")
    expect(sources).to_contain_text("Licence : Licence Ouverte / Open Licence 2.0 (Etalab)")
    expect(sources).to_contain_text("Ce qu'elle en dit date du 1 octobre 2024.")
    expect(
        sources.get_by_role("link", name="fablabs.io – labs en France (2024)")
    ).to_have_attribute("href", "https://www.fablabs.io/labs/berrylab36")
    screenshot(page, f"place-sources-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("button", name="English").click()
    expect(sources).to_contain_text("This place brings together what 3 open lists say of it.")
    expect(sources).to_contain_text("What it says dates from 1 October 2024.")
