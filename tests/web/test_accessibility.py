"""axe-core on every page, as its people see it: 0 serious or critical violations.

Each page is opened with data in it (results, a listing, an exchange with its first message, a
notification, an alert) and checked once it has loaded; pages still being written check
trivially until they land.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import NewContext, World, axe_violations, screenshot


@dataclass(frozen=True)
class Case:
    who: str | None  # "agent" (the commune's admin), "fablab", or None (anonymous)
    path: Callable[[World], str]


CASES = {
    "search": Case(None, lambda w: "/?q=imprimante&commune=23096&radius=100"),
    "search-empty": Case(None, lambda w: "/?q=zqxjwvkp"),
    "signin": Case(None, lambda w: "/connexion?next=/publier"),
    "listing": Case("fablab", lambda w: f"/annonces/{w.listing_id}"),
    "listing-anonymous": Case(None, lambda w: f"/annonces/{w.demo_listing_id}"),
    "publish": Case("agent", lambda w: "/publier"),
    "listing-edit": Case("agent", lambda w: f"/annonces/{w.listing_id}/modifier"),
    "inbox": Case("agent", lambda w: "/echanges"),
    "exchange": Case("agent", lambda w: f"/echanges/{w.exchange_id}"),
    "notifications": Case("agent", lambda w: "/notifications"),
    "alerts": Case("fablab", lambda w: "/alertes"),
    "place": Case(None, lambda w: f"/lieux/{w.place_id}"),
    "organization": Case("agent", lambda w: f"/organisations/{w.organization_id}"),
    "my-organization": Case("fablab", lambda w: "/mon-organisation"),
    "organization-create": Case("fablab", lambda w: "/organisations/nouvelle"),
    "welcome": Case("agent", lambda w: "/bienvenue?next=/publier"),
    "territory": Case("agent", lambda w: "/territoires/93048"),
    "not-found": Case(None, lambda w: "/nulle-part"),
}


def settle(page: Page) -> None:
    """Loaded: no request in flight, a heading, and no loading status left."""
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("[aria-busy='true']")).to_have_count(0)
    expect(page.get_by_text("Chargement", exact=False)).to_have_count(0)


@pytest.mark.parametrize("name", list(CASES))
def test_no_serious_axe_violation(name: str, world: World, new_context: NewContext) -> None:
    case = CASES[name]
    state = {"agent": world.agent_state, "fablab": world.fablab_state}.get(case.who or "")
    page = new_context(storage_state=state).new_page() if state else new_context().new_page()
    page.goto(case.path(world))
    settle(page)
    screenshot(page, f"axe-{name}")
    violations = axe_violations(page)
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],  # type: ignore[index, union-attr]
        }
        for v in violations
    ]
    assert not violations, json.dumps(summary, indent=2, ensure_ascii=False)


def test_the_search_page_with_results_in_english(page: Page) -> None:
    page.goto("/?q=imprimante")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("list", name="Results", exact=True)).to_be_visible()
    settle_en = page.get_by_role("region", name="Map of the results")
    expect(settle_en).to_be_visible()
    assert not axe_violations(page)


def _assert_no_violation(page: Page) -> None:
    violations = axe_violations(page)
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [(n["target"], n.get("failureSummary")) for n in v["nodes"]][:5],
        }
        for v in violations
    ]
    assert not violations, json.dumps(summary, indent=2, ensure_ascii=False)


def test_the_states_of_confirmations_and_small_screens(
    world: World, new_context: NewContext
) -> None:
    """The question before accepting, a toast after saving, the empty search at 360 px and in
    English."""
    agent = new_context(storage_state=world.agent_state).new_page()
    agent.goto(f"/echanges/{world.exchange_id}")
    settle(agent)
    agent.get_by_role("button", name="Accepter", exact=True).click()
    expect(agent.get_by_role("heading", name="Accepter cette demande ?")).to_be_visible()
    _assert_no_violation(agent)
    agent.get_by_role("button", name="Fermer", exact=True).click()  # nothing accepted

    agent.goto(f"/annonces/{world.listing_id}/modifier")
    settle(agent)
    agent.get_by_label("Description", exact=True).fill("Une salle de 80 m², accessible, claire.")
    agent.get_by_role("button", name="Enregistrer les modifications").click()
    expect(
        agent.get_by_role("status").filter(has_text="Modifications enregistrées.")
    ).to_be_visible()
    settle(agent)
    screenshot(agent, "axe-toast")
    _assert_no_violation(agent)

    small = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    small.goto("/?q=zqxjwvkp")
    settle(small)
    expect(small.get_by_text("Aucune annonce ne correspond à cette recherche.")).to_be_visible()
    _assert_no_violation(small)
    small.get_by_role("button", name="English").click()
    expect(small.get_by_text("No listing matches this search.")).to_be_visible()
    _assert_no_violation(small)
