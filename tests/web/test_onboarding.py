"""Someone who signs in without a SIRET (a freelance facilitator) creates the organization they
act for from the header's "Mon organisation", and lands on its page as its owner."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import NewContext, axe_violations, screenshot, sign_in

LOGIN = "animatrice-creuse"  # a demo account kept for this test: no SIRET, no organization


def test_a_person_without_organization_creates_one(new_context: NewContext) -> None:
    page = new_context().new_page()
    sign_in(page, LOGIN, "/")
    page.get_by_role("navigation").get_by_role("link", name="Mon organisation").click()
    expect(page).to_have_url(re.compile(r"/mon-organisation$"))
    page.get_by_role("link", name="Créer mon organisation").click()
    expect(page).to_have_url(re.compile(r"/organisations/nouvelle$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer mon organisation")
    assert axe_violations(page) == []

    # A wrong SIRET is refused next to its field, and what was typed stays.
    page.get_by_label("Nom de l’organisation").fill("Collectif d’animation de la Creuse")
    page.get_by_role("radio", name="Association", exact=True).check()
    page.get_by_label("SIRET (facultatif)").fill("12345678901234")
    page.get_by_role("button", name="Créer l’organisation").click()
    siret = page.get_by_label("SIRET (facultatif)")
    expect(siret).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("La clé de contrôle du SIRET est fausse.").first).to_be_visible()
    expect(page.get_by_label("Nom de l’organisation")).to_have_value(
        "Collectif d’animation de la Creuse"
    )
    screenshot(page, "onboarding-refused")

    siret.fill("")
    page.get_by_role("button", name="Créer l’organisation").click()
    expect(page).to_have_url(re.compile(r"/organisations/(?!nouvelle)[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Collectif d’animation de la Creuse")
    # Now an owner: "Mon organisation" leads straight to its page.
    expect(page.get_by_role("link", name="Publier", exact=True)).to_be_visible()
    organization_path = page.url.removeprefix(page.url.split("/organisations/")[0])
    mine = page.get_by_role("navigation").get_by_role("link", name="Mon organisation")
    expect(mine).to_have_attribute("href", organization_path)
    screenshot(page, "onboarding-created")
