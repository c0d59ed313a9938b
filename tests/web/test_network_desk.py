"""Networks at work, in a real browser: someone reports a listing to the network covering its
commune; the network's admin hides it from the network's page with a reason; its owner reads the
reason on the listing, in French at 1280 px and in English at 360 px; nobody else finds it."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.web.conftest import (
    NewContext,
    Server,
    World,
    add_network_area,
    axe_violations,
    graphql,
    screenshot,
    sign_in,
)

NETWORK_ADMIN = "salarie-entreprise"  # a demo account no other browser test uses
SMALL = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
TITLE = "Bureau partagé rue de Paris, 12 m²"
REASON = "Annonce en double d'une salle déjà publiée ; merci de mettre à jour la première."


def a_network(page: Page, server: Server) -> str:
    created = graphql(
        page,
        """mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) {
          __typename ... on OrganizationCreateSuccess { organization { id } } ... on Error { message } } }""",
        {
            "input": {
                "name": "Réseau des tiers-lieux d'Est Ensemble",
                "kind": "RESEAU",
                "sector": "PRIVATE",
            }
        },
    )["organizationCreate"]
    assert created["__typename"] == "OrganizationCreateSuccess", created
    network_id = str(created["organization"]["id"])
    add_network_area(server, "Réseau des tiers-lieux d'Est Ensemble", "COMMUNE", "93048")
    joining = graphql(
        page,
        """mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) {
          __typename } }""",
        {"input": {"name": "La Marbrerie", "kind": "TIERS_LIEU", "networkId": network_id}},
    )["organizationCreate"]
    assert joining["__typename"] == "OrganizationCreateSuccess", joining
    return network_id


def a_listing_of_montreuil(page: Page) -> str:
    start = date.today() + timedelta(days=5)
    published = graphql(
        page,
        """mutation($input: ListingPublishInput!) { listingPublish(input: $input) {
          __typename ... on ListingSuccess { listing { id } } ... on Error { message } } }""",
        {
            "input": {
                "direction": "OFFER",
                "kind": "PREMISES",
                "title": TITLE,
                "description": "Un bureau fermé pour deux personnes, au premier étage.",
                "commune": "93048",
                "availableFrom": start.isoformat(),
                "availableUntil": (start + timedelta(days=200)).isoformat(),
                "details": {"premises": {"surfaceM2": 12, "capacity": 2}},
            }
        },
    )["listingPublish"]
    assert published["__typename"] == "ListingSuccess", published
    return str(published["listing"]["id"])


def searchable(page: Page, listing_id: str, *, expected: bool) -> bool:
    """Whether search finds the listing, once the outbox relay has caught up (30 s at most)."""
    query = '{ search(input: {text: "Bureau partagé", first: 50}) { hits { listing { id } } } }'
    deadline = time.monotonic() + 30
    while True:
        hits = graphql(page, query)["search"]["hits"]
        found = listing_id in [hit["listing"]["id"] for hit in hits]
        if found == expected or time.monotonic() > deadline:
            return found == expected
        time.sleep(0.2)


def test_a_report_reaches_the_network_which_hides_the_listing_and_its_owner_reads_why(
    world: World, server: Server, new_context: NewContext
) -> None:
    network = new_context().new_page()
    sign_in(network, NETWORK_ADMIN)
    network_id = a_network(network, server)
    owner = new_context(storage_state=world.agent_state).new_page()
    owner.goto("/connexion")
    listing_id = a_listing_of_montreuil(owner)
    assert searchable(owner, listing_id, expected=True)

    # ---- the fablab's manager reports it
    reporter = new_context(storage_state=world.fablab_state).new_page()
    reporter.goto(f"/annonces/{listing_id}")
    expect(reporter.get_by_role("heading", level=1)).to_have_text(TITLE)
    reporter.get_by_role("button", name=f"Signaler l’annonce « {TITLE} »").click()
    reporter.get_by_role("radio", name="Annonce fictive ou qui n’existe plus").check()
    reporter.get_by_label("Précisions (facultatif)").fill(
        "La même salle est publiée deux fois par la commune."
    )
    assert axe_violations(reporter) == []
    screenshot(reporter, "network-1-report")
    reporter.get_by_role("button", name="Envoyer le signalement").click()
    toast = "Signalement envoyé à Réseau des tiers-lieux d'Est Ensemble."
    expect(reporter.get_by_role("status").filter(has_text=toast)).to_be_visible()
    expect(reporter.get_by_text("Vous avez signalé cette annonce")).to_be_visible()

    # ---- the network's admin finds it in the network's queue, and hides it with a reason
    network.goto(f"/organisations/{network_id}")
    desk = network.get_by_role("region", name="Espace du réseau")
    expect(desk.get_by_role("link", name="Commune · Montreuil (93048)")).to_have_attribute(
        "href", "/territoires/93048"
    )
    desk.get_by_role("button", name="Valider La Marbrerie").click()
    expect(network.get_by_text("La Marbrerie est validée par le réseau.")).to_be_visible()
    members = desk.get_by_role("table")
    expect(members.get_by_role("row", name=re.compile("La Marbrerie"))).to_contain_text("0")
    reported = desk.get_by_role("listitem").filter(has_text=TITLE)
    expect(reported).to_contain_text("Annonce fictive ou qui n’existe plus")
    expect(reported).to_contain_text("La même salle est publiée deux fois par la commune.")
    expect(reported).to_contain_text("Sacha Durand")
    reported.get_by_role("button", name=f"Décider du signalement de « {TITLE} »").click()
    reported.get_by_role("button", name="Masquer l’annonce").click()  # no reason: refused
    expect(reported.get_by_text("Donnez le motif de cette décision")).to_be_visible()
    reported.get_by_label("Motif (lu par l’organisation de l’annonce)").fill(REASON)
    assert axe_violations(network) == []
    screenshot(network, "network-2-decide")
    reported.get_by_role("button", name="Masquer l’annonce").click()
    expect(network.get_by_text(f"« {TITLE} » est masquée")).to_be_visible()
    expect(desk.get_by_text("Rien n’attend le réseau pour le moment.")).to_be_visible()
    screenshot(network, "network-3-hidden")
    assert axe_violations(network) == []

    # ---- the owner reads why, on the listing's page
    owner.goto(f"/annonces/{listing_id}")
    notice = owner.get_by_role("region", name="Annonce masquée par le réseau")
    expect(notice).to_contain_text("Réseau des tiers-lieux d'Est Ensemble a masqué cette annonce")
    expect(notice).to_contain_text(REASON)
    expect(owner.get_by_role("button", name=re.compile("^Signaler"))).to_have_count(0)
    assert axe_violations(owner) == []
    screenshot(owner, "network-4-owner")

    # ---- nobody else finds it: the page, and search
    reporter.goto(f"/annonces/{listing_id}")
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Annonce introuvable")
    assert searchable(reporter, listing_id, expected=False)

    # ---- in English, on a phone
    small = new_context(storage_state=world.agent_state, **SMALL)
    small.add_init_script("localStorage.setItem('entrelieux:locale', 'en')")
    phone = small.new_page()
    phone.goto(f"/annonces/{listing_id}")
    notice = phone.get_by_role("region", name="Listing hidden by the network")
    expect(notice).to_contain_text(REASON)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
    screenshot(phone, "network-5-owner-360px-en")
    network_phone = new_context(**SMALL)
    network_phone.add_cookies(network.context.cookies())
    network_phone.add_init_script("localStorage.setItem('entrelieux:locale', 'en')")
    desk_phone = network_phone.new_page()
    desk_phone.goto(f"/organisations/{network_id}")
    expect(desk_phone.get_by_role("heading", name="Network desk")).to_be_visible()
    expect(desk_phone.get_by_text("Nothing is waiting for the network right now.")).to_be_visible()
    assert desk_phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(desk_phone) == []
    screenshot(desk_phone, "network-6-desk-360px-en")
