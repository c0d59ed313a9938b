"""The demo's network at work, as its coordinator first meets it: `reseau-ouest` signs in (the
demo invited her e-mail as an ADMIN of the Ouest network, accepted at sign-in), follows "Mon
organisation" to the network's page and finds its queue (the demo's pending claim, the
organizations waiting for validation, the reported listing) and its validated members; a place of
Pays de la Loire claimed without evidence joins that queue. At 1280 px and 360 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.conftest import NewContext, Server, axe_violations, graphql, screenshot, sign_in

COORDINATOR = "reseau-ouest"  # morgane.guillou@tiers-lieux-ouest.fr, invited by the demo
CLAIMANT = "porteuse-angers"  # no SIRET, no organization; no other browser test signs in with it
NETWORK = "Réseau des tiers-lieux de l'Ouest (exemple)"
SMALL = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
PLACES = """query($name: String!) { spaces(filter: {nameContains: $name}, first: 10) {
  edges { node { id name location { department } organization { id } } } } }"""


def section(page: Page, heading: str | re.Pattern[str]) -> object:
    return page.locator("section", has=page.get_by_role("heading", name=heading)).last


def a_claim_from_angers(page: Page) -> str:
    """An organization with no evidence claims an unclaimed place of Maine-et-Loire."""
    created = graphql(
        page,
        """mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) {
          __typename ... on OrganizationCreateSuccess { organization { id } } ... on Error { message } } }""",
        {
            "input": {
                "name": "Collectif angevin (test)",
                "kind": "ASSOCIATION",
                "inseeCode": "49007",
            }
        },
    )["organizationCreate"]
    assert created["__typename"] == "OrganizationCreateSuccess", created
    spaces = graphql(page, PLACES, {"name": "Angers"})["spaces"]["edges"]
    free = [e["node"] for e in spaces if e["node"]["organization"] is None]
    assert free, spaces
    place = free[0]
    claimed = graphql(
        page,
        """mutation($input: SpaceClaimInput!) { spaceClaim(input: $input) {
          __typename ... on Error { message } } }""",
        {
            "input": {
                "spaceId": place["id"],
                "organizationId": created["organization"]["id"],
                "message": "Nous animons ce lieu depuis septembre.",
            }
        },
    )["spaceClaim"]
    assert claimed["__typename"] == "SpaceClaimSuccess", claimed
    return str(place["name"])


def test_the_demo_network_admin_finds_the_demo_queue_on_the_network_page(
    server: Server, new_context: NewContext
) -> None:
    claimant = new_context().new_page()
    sign_in(claimant, CLAIMANT)
    claimed = a_claim_from_angers(claimant)

    page = new_context().new_page()
    sign_in(page, COORDINATOR)
    page.get_by_role("link", name="Mon organisation").click()
    expect(page.get_by_role("heading", name=NETWORK, level=1)).to_be_visible()

    claims = section(page, re.compile("Revendications à examiner"))
    expect(claims.get_by_role("heading", name=re.compile(r"\(2\)"))).to_be_visible()
    expect(claims).to_contain_text("Le Petit Salon")
    expect(claims).to_contain_text("Collectif d'animation de Nantes (exemple)")
    expect(claims).to_contain_text(claimed)
    expect(claims).to_contain_text("Nous animons ce lieu depuis septembre.")
    waiting = section(page, "Organisations à valider")
    expect(waiting).to_contain_text("La Terrasse (exemple)")
    expect(waiting).to_contain_text("StartUp Palace (exemple)")
    reports = section(page, "Annonces signalées")
    expect(reports).to_contain_text("Espace OASIS (exemple)")
    members = section(page, "Membres du réseau")
    expect(members).to_contain_text("ICI Nantes (exemple)")
    expect(members).to_contain_text("zBis (exemple)")
    screenshot(page, "demo-network-1280")
    assert axe_violations(page) == []

    small = new_context(**SMALL).new_page()
    sign_in(small, COORDINATOR)
    small.goto(page.url)
    expect(small.get_by_role("heading", name=NETWORK, level=1)).to_be_visible()
    expect(section(small, "Organisations à valider")).to_contain_text("La Terrasse (exemple)")
    assert small.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(small, "demo-network-360")


def test_the_demo_national_administrator_reaches_the_national_structure(
    server: Server, new_context: NewContext
) -> None:
    page = new_context().new_page()
    sign_in(page, "admin-national")  # claire.fontaine@cooperative-tiers-lieux.fr
    page.get_by_role("link", name="Mon organisation").click()

    expect(
        page.get_by_role("heading", name="Coopérative nationale des tiers-lieux (exemple)", level=1)
    ).to_be_visible()
    expect(section(page, "Territoire couvert")).to_contain_text("Pays")
    claims = section(page, re.compile("Revendications à examiner"))
    expect(claims.get_by_role("heading", name=re.compile(r"\(1\)"))).to_be_visible()
    expect(claims).to_contain_text("Atelier des Médias")
    expect(claims).to_contain_text("Collectif d'animation de Lyon (exemple)")
    me = graphql(page, "{ me { memberships { role organization { name kind } } } }")["me"]
    assert me["memberships"] == [
        {
            "role": "ADMIN",
            "organization": {
                "name": "Coopérative nationale des tiers-lieux (exemple)",
                "kind": "RESEAU",
            },
        }
    ]
    screenshot(page, "demo-national-1280")
