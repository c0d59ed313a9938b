"""Bad input and failure, in a real browser: the API's field errors next to the fields, a network
failure with a way to retry, and an expired session that comes back where it was."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, Route, expect

from tests.web.conftest import PASSWORD, NewContext, World, pick_commune, screenshot


def agent_page(world: World, new_context: NewContext) -> Page:
    return new_context(storage_state=world.agent_state).new_page()


def message_of(page: Page, field: Locator) -> str:
    """The text of the elements the field names in aria-describedby (its hint and its error)."""
    ids = (field.get_attribute("aria-describedby") or "").split()
    return " ".join(page.locator(f"[id='{i}']").inner_text() for i in ids)


def abort(route: Route) -> None:
    route.abort()


def test_the_api_field_errors_show_next_to_the_fields(
    world: World, new_context: NewContext
) -> None:
    page = agent_page(world, new_context)
    page.goto("/publier")
    page.get_by_role("radio", name="Offre", exact=True).check()
    page.get_by_role("radio", name="Matériel", exact=True).check()
    title = page.get_by_label("Titre", exact=True)
    title.fill("ab")
    description = page.get_by_label("Description", exact=True)
    description.fill("Une perceuse à colonne, révisée l'an dernier.")
    elsewhere = page.get_by_role("radio", name=re.compile("^Ailleurs"))
    if elsewhere.count():
        elsewhere.check()
    pick_commune(page, "Montreuil", "Seine-Saint-Denis", label="Commune")
    start = date.today() + timedelta(days=10)
    since = page.get_by_label("Disponible à partir du")
    until = page.get_by_label("Disponible jusqu'au")
    since.fill(start.isoformat())
    until.fill((start - timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Publier", exact=True).click()

    # Refused: still on the form, the fields marked and described by their messages.
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/publier$"))
    title_message = message_of(page, title)
    # Worded by their codes (TOO_SHORT with its value 3, DATES_OUT_OF_ORDER), not by the English.
    assert "Au moins 3 caractères." in title_message, title_message
    expect(
        page.locator("#pub-from[aria-invalid=true], #pub-until[aria-invalid=true]")
    ).not_to_have_count(0)
    dates_message = message_of(page, until) + " " + message_of(page, since)
    assert "Cette date est avant la date de début." in dates_message, dates_message
    # The messages sit next to their fields: within the field's own block.
    block = title.locator("xpath=ancestor::*[contains(@class, 'field')][1]")
    expect(block).to_contain_text(title_message.split(" — ")[-1].strip()[:20])
    # Nothing typed is lost.
    expect(title).to_have_value("ab")
    expect(description).to_have_value("Une perceuse à colonne, révisée l'an dernier.")
    expect(page.get_by_role("combobox", name="Commune")).to_have_value("Montreuil")
    # A summary lists the problems, with links to the fields.
    expect(page.get_by_role("link", name=re.compile("Titre"))).to_be_visible()
    screenshot(page, "forms-publish-refused")

    # The same refusal in English: the codes have their English sentences too.
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("At least 3 characters.").first).to_be_visible()
    expect(page.get_by_text("This date is before the start date.").first).to_be_visible()
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("button", name="Publier", exact=True)).to_be_visible()

    # Corrected, it publishes.
    title.fill("Perceuse à colonne")
    until.fill((start + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page).to_have_url(re.compile(r"/annonces/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Perceuse à colonne")


def test_a_network_failure_shows_a_message_and_retry(page: Page) -> None:
    page.route("**/graphql", abort)
    page.goto("/?q=imprimante")
    alert = page.get_by_role("alert").filter(has_text="Le serveur ne répond pas")
    expect(alert).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # never a blank page
    expect(page.get_by_role("searchbox", name="Rechercher", exact=True)).to_be_visible()
    screenshot(page, "failure-search-network")
    page.unroute("**/graphql", abort)
    alert.get_by_role("button", name="Réessayer").click()
    expect(page.get_by_role("list", name="Résultats", exact=True)).to_contain_text(
        re.compile(r"Imprimantes? 3D")
    )
    expect(alert).to_have_count(0)


def _is_search(route: Route) -> bool:
    """The search page's request: by its trusted document's id (`operationName` beside it), or
    by its text from a build without ids."""
    body = route.request.post_data or ""
    return '"operationName":"Search"' in body or "search(" in body


def test_search_unavailable_shows_a_message_and_retry(page: Page) -> None:
    """Meilisearch down: the API answers SEARCH_UNAVAILABLE for `search` (as it does, tested
    against a stopped Meilisearch in tests/search/); the page says so and offers a retry."""
    unavailable = {
        "data": None,
        "errors": [{"message": "search is down", "extensions": {"code": "SEARCH_UNAVAILABLE"}}],
    }

    def search_down(route: Route) -> None:
        if _is_search(route):
            route.fulfill(status=200, content_type="application/json", body=json.dumps(unavailable))
        else:
            route.continue_()

    page.route("**/graphql", search_down)
    page.goto("/?q=imprimante")
    alert = page.get_by_role("alert").filter(has_text="momentanément indisponible")
    expect(alert).to_be_visible()
    expect(page.get_by_role("searchbox", name="Rechercher", exact=True)).to_be_visible()
    screenshot(page, "failure-search-unavailable")
    page.unroute("**/graphql", search_down)
    alert.get_by_role("button", name="Réessayer").click()
    expect(page.get_by_role("list", name="Résultats", exact=True)).to_contain_text(
        re.compile(r"Imprimantes? 3D")
    )


def test_a_spent_budget_says_when_to_try_again(page: Page) -> None:
    """The API's 429 (RATE_LIMITED, tested against the running app in tests/security/) is worded
    in the reader's language with its delay, not shown as a failure of the network or search."""
    spent = {
        "errors": [
            {
                "message": "Too many requests.",
                "extensions": {"code": "RATE_LIMITED", "retryAfter": 12},
            }
        ]
    }

    def refused(route: Route) -> None:
        if _is_search(route):
            route.fulfill(
                status=429,
                content_type="application/json",
                headers={"Retry-After": "12"},
                body=json.dumps(spent),
            )
        else:
            route.continue_()

    page.route("**/graphql", refused)
    page.goto("/?q=imprimante")
    expect(page.get_by_role("alert")).to_contain_text("réessayez dans 12 s")
    screenshot(page, "failure-rate-limited")
    page.unroute("**/graphql", refused)


def test_a_network_failure_on_a_listing_page(world: World, page: Page) -> None:
    page.route("**/graphql", abort)
    page.goto(f"/annonces/{world.demo_listing_id}")
    alert = page.get_by_role("alert").filter(has_text="Le serveur ne répond pas")
    expect(alert.first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.unroute("**/graphql", abort)
    alert.first.get_by_role("button", name="Réessayer").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Annonce")
    expect(page.get_by_role("alert").filter(has_text="Le serveur ne répond pas")).to_have_count(0)


def test_an_expired_session_signs_in_and_comes_back(world: World, new_context: NewContext) -> None:
    context = new_context(storage_state=world.agent_state)
    page = context.new_page()
    page.goto("/publier")
    page.get_by_role("radio", name="Offre", exact=True).check()
    page.get_by_role("radio", name="Matériel", exact=True).check()
    page.get_by_label("Titre", exact=True).fill("Scie sur table Bosch")
    page.get_by_label("Description", exact=True).fill("Avec sa lame neuve.")
    elsewhere = page.get_by_role("radio", name=re.compile("^Ailleurs"))
    if elsewhere.count():
        elsewhere.check()
    pick_commune(page, "Montreuil", "Seine-Saint-Denis", label="Commune")

    context.clear_cookies(name="elx_session")  # the session expired on the server's side
    page.get_by_role("button", name="Publier", exact=True).click()

    expect(page).to_have_url(re.compile(r"/connexion\?next=%2Fpublier$|/connexion\?next=/publier$"))
    screenshot(page, "failure-session-expired")
    page.get_by_role("link", name="Comptes de démonstration").click()
    # The provider may remember the person (its own cookie) and skip its form.
    login = page.get_by_label("Identifiant")
    back = page.get_by_role("heading", name="Publier une annonce")
    expect(login.or_(back)).to_be_visible()
    if login.is_visible():
        login.fill("agent-montreuil")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/publier$"))
    expect(back).to_be_visible()
    # What was typed is still there.
    expect(page.get_by_label("Titre", exact=True)).to_have_value("Scie sur table Bosch")
    expect(page.get_by_label("Description", exact=True)).to_have_value("Avec sa lame neuve.")
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page).to_have_url(re.compile(r"/annonces/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Scie sur table Bosch")
