"""No dead end for people without an organization, in a real browser.

1. A facilitator without organization reads on a skill offer that they need one, follows the link,
   finds the FabLab de Guéret by its commune, asks to join; the fablab's owner is notified, accepts
   from the notification; the facilitator then requests the skill exchange.
2. An independent trainer whose provider gave no name is asked it at first sign-in, creates her
   INDEPENDANT organization (no SIRET, her name) and requests an exchange.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.web.conftest import (
    PASSWORD,
    NewContext,
    World,
    axe_violations,
    graphql,
    screenshot,
    sign_in,
)

FACILITATOR = "animateur-limousin"  # no SIRET, no organization, a name
INDEPENDENT = "independante-correze"  # no SIRET, no organization, no name from the provider

SKILL_OFFERS = """{ search(input: {text: "", kinds: [SKILL], direction: OFFER, first: 50}) {
  hits { listing { id title organization { id name } } } } }"""


def skill_offers(page: Page, not_of: set[str]) -> list[dict[str, Any]]:
    hits = graphql(page, SKILL_OFFERS)["search"]["hits"]
    offers = [h["listing"] for h in hits if h["listing"]["organization"]["id"] not in not_of]
    assert len(offers) >= 2, hits
    return offers


def request_hours(page: Page, title: str, hours: str, message: str) -> None:
    """On a skill listing's page: ask for a number of hours, and land on the new exchange."""
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Demander un échange").click()
    page.get_by_label("Nombre d'heures").fill(hours)
    page.get_by_label("Message", exact=True).fill(message)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page).to_have_url(re.compile(r"/echanges/[^/]+$"))
    expect(page.get_by_text("Demandé").first).to_be_visible()


def test_a_facilitator_asks_to_join_and_once_accepted_requests_a_skill(
    world: World, new_context: NewContext
) -> None:
    fablab = new_context(storage_state=world.fablab_state).new_page()
    fablab.goto("/connexion")
    me = graphql(fablab, "{ me { memberships { role organization { id name } } } }")["me"]
    lab = next(m["organization"] for m in me["memberships"] if m["role"] == "OWNER")
    assert lab["name"] == "FabLab de Guéret"

    page = new_context().new_page()
    sign_in(page, FACILITATOR, "/")
    offer = skill_offers(page, {lab["id"]})[0]

    # ---- the listing says what is missing, and links to where it is done
    page.goto(f"/annonces/{offer['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(offer["title"])
    expect(
        page.get_by_text("Pour demander un échange, vous devez faire partie d'une organisation.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Demander un échange")).to_have_count(0)
    page.get_by_role("link", name="Rejoindre ou créer une organisation").click()
    expect(page).to_have_url(re.compile(r"/mon-organisation\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon organisation")
    assert axe_violations(page) == []

    # ---- find the fablab by its commune, ask to join it
    box = page.get_by_label("Nom, SIRET ou commune de l’organisation")
    box.fill("G")
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("Tapez au moins 2 caractères.")).to_be_visible()
    box.fill("Guéret")
    page.get_by_role("button", name="Chercher").click()
    results = page.get_by_role("list", name="Organisations trouvées")
    ours = results.get_by_role("listitem").filter(
        has=page.locator(f'a[href="/organisations/{lab["id"]}"]')
    )
    expect(ours).to_have_count(1)
    ours.get_by_role("button", name="Demander à rejoindre FabLab de Guéret").click()
    page.get_by_label("Un mot pour ses administrateurs (facultatif)").fill(
        "Bonjour, j'anime des ateliers à Limoges et voudrais agir pour le fablab."
    )
    assert axe_violations(page) == []
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Demande envoyée à FabLab de Guéret").first).to_be_visible()
    pending = page.get_by_role("region", name="Mes demandes en attente")
    expect(pending.get_by_text("FabLab de Guéret : en attente d’un administrateur")).to_be_visible()
    screenshot(page, "joining-1-asked")
    assert axe_violations(page) == []

    # ---- the fablab's owner is told, opens the organization from the notification, accepts
    fablab.goto("/notifications")
    notice = fablab.get_by_role("link", name="Demande pour rejoindre FabLab de Guéret").first
    expect(notice).to_be_visible()
    notice.click()
    expect(fablab).to_have_url(re.compile(rf"/organisations/{re.escape(lab['id'])}$"))
    fablab.get_by_role("button", name="Accepter la demande de Noé Lambert").click()
    expect(fablab.get_by_text("Noé Lambert est maintenant membre.")).to_be_visible()
    screenshot(fablab, "joining-2-accepted")

    # ---- now a member, live (no reload): the header leads to the fablab; told so; the request
    mine = page.get_by_role("navigation").get_by_role("link", name="Mon organisation")
    expect(mine).to_have_attribute("href", f"/organisations/{lab['id']}")
    page.goto("/notifications")
    expect(
        page.get_by_role("link", name="Vous avez rejoint FabLab de Guéret").first
    ).to_be_visible()
    page.goto(f"/annonces/{offer['id']}")
    request_hours(page, offer["title"], "6", "Bonjour, une journée d'animation en mars ?")
    screenshot(page, "joining-3-requested")


def test_an_independent_person_is_asked_her_name_creates_her_organization_and_requests(
    world: World, new_context: NewContext
) -> None:
    page = new_context().new_page()
    # First sign-in: the provider gave no name, so the welcome page asks it, once.
    page.goto("/connexion?next=/publier")
    page.get_by_role("link", name="Comptes de démonstration").or_(
        page.get_by_role("button", name="Comptes de démonstration")
    ).first.click()
    page.get_by_label("Identifiant").fill(INDEPENDENT)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/bienvenue\?next=/publier$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue sur Entrelieux")
    assert axe_violations(page) == []
    page.get_by_label("Votre nom").fill("R")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label("Votre nom")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Votre nom").fill("Rose Moreau")
    page.get_by_role("button", name="Continuer").click()

    # /publier: no organization yet, and the way to create one
    expect(page).to_have_url(re.compile(r"^[^?]*/publier$"))
    expect(page.get_by_text("Connecté·e en tant que Rose Moreau")).to_be_visible()
    expect(page.get_by_text("Demandez à rejoindre la vôtre ou créez-la.")).to_be_visible()
    expect(page.get_by_role("link", name="Demander à rejoindre une organisation")).to_be_visible()
    page.get_by_role("link", name="Créer mon organisation").click()
    expect(page).to_have_url(re.compile(r"/organisations/nouvelle\?next=/publier$"))

    page.get_by_role("radio", name=re.compile(r"^Indépendant·e")).check()
    expect(
        page.get_by_text(
            "Laissez vide pour utiliser votre nom : Rose Moreau. Un nom d’activité sera suivi du vôtre."
        )
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Créer l’organisation").click()
    # Back where she was going, acting for her own organization, in her name, without a SIRET.
    expect(page).to_have_url(re.compile(r"^[^?]*/publier$"))
    expect(page.get_by_text("Rose Moreau").first).to_be_visible()
    me = graphql(page, "{ me { memberships { role organization { id name kind siret } } } }")
    [membership] = me["me"]["memberships"]
    assert membership["role"] == "OWNER"
    assert membership["organization"] | {"id": None} == {
        "id": None,
        "name": "Rose Moreau",
        "kind": "INDEPENDANT",
        "siret": None,
    }
    screenshot(page, "independent-1-created")

    offer = skill_offers(page, {membership["organization"]["id"]})[1]
    page.goto(f"/annonces/{offer['id']}")
    request_hours(page, offer["title"], "3", "Bonjour, je peux venir former votre équipe.")
    screenshot(page, "independent-2-requested")

    # Not asked again at the next sign-in.
    page.context.clear_cookies()
    sign_in(page, INDEPENDENT, "/")
