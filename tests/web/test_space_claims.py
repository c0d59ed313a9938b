"""Claiming a place in a real browser, signed in through the development OIDC provider.

1. The manager of ADE Coworking (Nantes), whose provider-verified e-mail is at the place's
   website domain, claims it from the place page and sees it verified at once.
2. The same manager claims another Nantes coworking: no evidence, so the claim goes to the network
   covering Loire-Atlantique (a RESEAU organization set up here, its area added by the operator's
   `entrelieux network area add`); the network's
   coordinator accepts it from the network's page, and the place then shows it verified.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.web.conftest import (
    NewContext,
    Server,
    add_network_area,
    axe_violations,
    ensure_organization,
    graphql,
    screenshot,
    sign_in,
)

MANAGER = "coworking-nantes"  # dominique.leroy@ade-coworking.net, no SIRET
COORDINATOR = "reseau-ouest"  # no SIRET, no organization
NETWORK = "Réseau des tiers-lieux de l'Ouest (test)"
PLACE = """query($name: String!) { spaces(filter: {nameContains: $name}, first: 5) {
  edges { node { id name location { department } organization { id } } } } }"""


def place_id(page: Page, name: str) -> str:
    nodes = [e["node"] for e in graphql(page, PLACE, {"name": name})["spaces"]["edges"]]
    found = [n for n in nodes if n["name"] == name and n["location"]["department"] == "44"]
    assert len(found) == 1, nodes
    assert found[0]["organization"] is None, f"{name} is already claimed in the demo"
    return str(found[0]["id"])


def open_claim_form(page: Page) -> None:
    expect(page.get_by_role("heading", name="Qui gère ce lieu ?")).to_be_visible()
    expect(page.get_by_text("Non revendiqué")).to_be_visible()
    page.get_by_role("button", name="Revendiquer ce lieu").click()


def test_a_manager_claims_a_place_by_email_domain_and_sees_it_verified(
    server: Server, new_context: NewContext
) -> None:
    page = new_context().new_page()
    sign_in(page, MANAGER)
    organization = ensure_organization(page, "ADE Coworking", "44109")
    space = place_id(page, "ADE Coworking")

    page.goto(f"/lieux/{space}")
    open_claim_form(page)
    expect(page.get_by_text("Pour quelle organisation ?")).to_be_visible()
    page.get_by_label("Message pour le réseau (facultatif)").fill("Je gère ce coworking.")
    screenshot(page, "claim-form")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Envoyer la revendication").click()

    expect(page.get_by_role("status").filter(has_text="Lieu vérifié")).to_contain_text(
        "il est désormais rattaché à ADE Coworking"
    )
    claim = page.locator("section", has=page.get_by_role("heading", name="Qui gère ce lieu ?"))
    expect(page.get_by_role("link", name="ADE Coworking")).to_be_visible()  # the page's "Géré par"
    expect(claim.get_by_text("Vérifié", exact=True)).to_be_visible()
    expect(claim).to_contain_text(re.compile(r"Géré par ADE Coworking, vérifié le \d"))
    expect(claim).to_contain_text("par le domaine de l’adresse e-mail")
    expect(claim.get_by_role("button", name="Confirmer les informations du lieu")).to_be_visible()
    expect(claim.get_by_role("button", name="Revendiquer ce lieu")).to_have_count(0)
    screenshot(page, "claim-verified")
    assert axe_violations(page) == []
    mine = graphql(page, "{ me { spaceClaims { state evidence organization { id } } } }")
    assert {
        "state": "VERIFIED",
        "evidence": "EMAIL_DOMAIN",
        "organization": {"id": organization},
    } in mine["me"]["spaceClaims"]

    # A visitor sees the same, at 360 px, in English.
    visitor = new_context(viewport={"width": 360, "height": 800}).new_page()
    visitor.add_init_script("localStorage.setItem('entrelieux:locale', 'en')")
    visitor.goto(f"/lieux/{space}")
    section = visitor.locator(
        "section", has=visitor.get_by_role("heading", name="Who runs this place?")
    )
    expect(section).to_contain_text(re.compile(r"Run by ADE Coworking, verified on"))
    expect(section.get_by_role("link", name="Sign in to claim this place.")).to_be_visible()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(visitor, "claim-verified-360-en")
    assert axe_violations(visitor) == []


def test_a_claim_without_evidence_is_accepted_by_the_network(
    server: Server, new_context: NewContext
) -> None:
    coordinator = new_context().new_page()
    sign_in(coordinator, COORDINATOR)
    created = graphql(
        coordinator,
        """mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) {
          __typename ... on OrganizationCreateSuccess { organization { id } } ... on Error { message } } }""",
        {"input": {"name": NETWORK, "kind": "RESEAU"}},
    )["organizationCreate"]
    assert created["__typename"] == "OrganizationCreateSuccess", created
    network = created["organization"]["id"]
    add_network_area(server, NETWORK, "DEPARTMENT", "44")

    manager = new_context().new_page()
    sign_in(manager, MANAGER)
    ensure_organization(manager, "ADE Coworking", "44109")
    space = place_id(manager, "La Chapelle Coworking")
    manager.goto(f"/lieux/{space}")
    open_claim_form(manager)
    manager.get_by_label("Message pour le réseau (facultatif)").fill(
        "Nous reprenons la gestion de La Chapelle Coworking depuis janvier."
    )
    manager.get_by_role("button", name="Envoyer la revendication").click()
    expect(manager.get_by_role("status").filter(has_text="Revendication envoyée")).to_contain_text(
        f"Revendication envoyée au réseau {NETWORK}"
    )
    expect(manager.get_by_text(f"En attente du réseau {NETWORK}")).to_be_visible()
    expect(manager.get_by_text("Non revendiqué")).to_be_visible()  # until the network decides
    screenshot(manager, "claim-sent-to-network")

    coordinator.goto(f"/organisations/{network}")
    queue = coordinator.locator(
        "section",
        has=coordinator.get_by_role("heading", name=re.compile("Revendications à examiner")),
    )
    expect(
        queue.get_by_role("heading", name=re.compile("Revendications à examiner \\(1\\)"))
    ).to_be_visible()
    expect(queue).to_contain_text("La Chapelle Coworking")
    expect(queue).to_contain_text(
        "Nous reprenons la gestion de La Chapelle Coworking depuis janvier."
    )
    expect(queue).to_contain_text("ADE Coworking, par Dominique Leroy")
    screenshot(coordinator, "claim-queue")
    assert axe_violations(coordinator) == []
    queue.get_by_role("button", name="Refuser").click()
    expect(queue.get_by_role("alert")).to_contain_text("Donnez le motif du refus")
    queue.get_by_role("button", name="Accepter").click()
    expect(queue.get_by_role("status")).to_contain_text(
        "Revendication acceptée : La Chapelle Coworking est désormais rattaché à ADE Coworking."
    )
    expect(queue.get_by_text("Aucune revendication n’attend votre réseau.")).to_be_visible()

    manager.reload()
    claim = manager.locator(
        "section", has=manager.get_by_role("heading", name="Qui gère ce lieu ?")
    )
    expect(claim).to_contain_text(re.compile(r"Géré par ADE Coworking, vérifié le \d"))
    expect(claim).to_contain_text("par le réseau")
    expect(claim.get_by_text("Acceptée")).to_be_visible()
    screenshot(manager, "claim-accepted")
    told: Any = graphql(manager, "{ notifications(first: 10) { edges { node { kind title } } } }")
    kinds = [e["node"]["kind"] for e in told["notifications"]["edges"]]
    assert "CLAIM_VERIFIED" in kinds
