"""Issue 16 in a real browser: the agreement of an exchange and the host's training check.

1. The agreement of a premises exchange between a commune and an association: drafted when the
   commune accepts, edited by one side (a new version), accepted by both (« Bon pour accord »,
   the SHA-256 shown is the one recorded), downloaded in the page's session (a PDF whose SHA-256
   equals the one shown).
2. A loan request for the demo's laser cutter (Makeo, rule SAME_NETWORK) shows the host that the
   requester, Léa Marchand, holds a training from a recognized lab (FabLab BEN, same network), and
   that her older one (Cobalt) has expired; the host records a training of their own and sees it
   in their passport.

Pictures of both pages at 1280 and 360 px, French and English, go to var/test-artifacts/web/
(and to SHOTS_DIR when it is set).
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote

from playwright.sync_api import Locator, Page, expect

from core.services.validation import luhn_valid
from tests.web.conftest import (
    FABLAB,
    REQUEST,
    NewContext,
    accepted_premises_exchange,
    axe_violations,
    ensure_organization,
    graphql,
    screenshot,
    sign_in,
)

SHOTS = os.environ.get("SHOTS_DIR")
ASSOCIATION = "Les Ateliers partagés de Montreuil"


def shots(page: Page, name: str) -> None:
    """The page at 1280 and 360 px, in French then in English, back to French and 1280 px."""
    for language, switch in (("fr", None), ("en", "English")):
        if switch:
            page.get_by_role("button", name=re.compile("English|Anglais")).or_(
                page.get_by_role("link", name=re.compile("English|Anglais"))
            ).first.click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(150)
            screenshot(page, f"{name}-{language}-{width}")
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/{name}-{language}-{width}.png", full_page=True)
    page.evaluate("localStorage.setItem('entrelieux:locale', 'fr')")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def luhn_complete(prefix: str) -> str:
    """`prefix` and the one digit that makes it pass Luhn's key (the product's own check)."""
    return next(prefix + last for last in "0123456789" if luhn_valid(prefix + last))


# An association's SIRET: its SIREN and the whole number both pass Luhn's key.
SIRET = luhn_complete(luhn_complete("81234567") + "0001")


def create_association(page: Page) -> str:
    created = graphql(
        page,
        """mutation Create($input: OrganizationCreateInput!) {
          organizationCreate(input: $input) {
            __typename
            ... on OrganizationCreateSuccess { organization { id } }
            ... on Error { message }
          }
        }""",
        {
            "input": {
                "name": ASSOCIATION,
                "kind": "ASSOCIATION",
                "inseeCode": "93048",
                "siret": SIRET,
            }
        },
    )["organizationCreate"]
    assert created["__typename"] == "OrganizationCreateSuccess", created
    return str(created["organization"]["id"])


def premises_exchange(agent: Page, association: Page) -> str:
    """The commune offers a room, the association asks for it, the commune accepts: the exchange."""
    return accepted_premises_exchange(
        agent,
        association,
        "Ancienne salle des fêtes du Bas-Montreuil",
        starts_in=20,
        nights=30,
        message="Bonjour, nous voudrions y ouvrir un atelier de réparation de vélos.",
        description="Une salle de 120 m² avec cuisine, au rez-de-chaussée.",
        address="12 rue de Paris",
    )


def agreement_section(page: Page) -> Locator:
    return page.get_by_role("region", name="Convention", exact=True)


def accept_agreement(page: Page) -> str:
    """« Bon pour accord » on the current version; the SHA-256 the page showed before."""
    section = agreement_section(page)
    sha = section.get_by_test_id("agreement-sha").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha), sha
    section.get_by_role("button", name="Bon pour accord", exact=True).click()
    expect(
        page.get_by_role("status").filter(has_text="Votre accord est enregistré.")
    ).to_be_visible()
    return sha


def test_premises_agreement_drafted_edited_accepted_by_both_downloaded(
    new_context: NewContext,
) -> None:
    agent = new_context().new_page()
    sign_in(agent, "agent-montreuil", "/")
    association = new_context().new_page()
    sign_in(association, "benevole-montreuil", "/")  # animatrice-creuse is test_onboarding's
    create_association(association)
    exchange_id = premises_exchange(agent, association)
    path = f"/echanges/{exchange_id}"

    # ---- drafted: the commune's side sees it, a draft, with the banner near the state
    agent.goto(path)
    section = agreement_section(agent)
    expect(
        section.get_by_text("Convention d'occupation temporaire du domaine public")
    ).to_be_visible()
    expect(section.get_by_text("Brouillon", exact=True)).to_be_visible()
    expect(section.get_by_text("pas un conseil juridique", exact=False)).to_be_visible()
    banner = agent.get_by_role("note").filter(has_text="pas encore acceptée par les deux parties")
    expect(banner).to_be_visible()
    expect(section.get_by_text("Pour pouvoir l'accepter, il manque encore")).to_be_visible()
    expect(section.get_by_text("l'usage prévu des locaux")).to_be_visible()
    assert axe_violations(agent) == []
    shots(agent, "agreement-draft")
    section = agreement_section(agent)

    # ---- edited by the commune: the missing terms filled in, one clause added → version 2
    section.get_by_role("button", name="Modifier la convention").click()
    form = section.get_by_role("form", name="Modifier la convention")
    terms = form.get_by_role("group", name="Les termes")
    expect(terms.get_by_label("Représentant·e — Commune de Montreuil")).to_have_value(
        "Camille Martin"
    )
    terms.get_by_label("Adresse — Commune de Montreuil").fill("Place Jean-Jaurès, 93100 Montreuil")
    terms.get_by_label(f"Adresse — {ASSOCIATION}").fill("5 rue Arago, 93100 Montreuil")
    terms.get_by_label("Usage prévu des locaux").fill(
        "Un atelier de réparation de vélos ouvert à tous."
    )
    terms.get_by_label("Assurance").fill("Responsabilité civile de l'association (MAIF).")
    form.get_by_role("button", name="Ajouter une clause").click()
    form.get_by_label("Titre de la clause 1").fill("Clés")
    # A clause over 10,000 characters: counted down in place, refused by the API next to it.
    form.get_by_label("Texte de la clause 1").fill("x" * 10_001)
    expect(form.get_by_text("Trop long de 1 caractère")).to_be_visible()
    form.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(
        form.get_by_role("alert").filter(has_text=re.compile(r"Au plus 10\s000 caractères"))
    ).to_be_visible()
    expect(form.get_by_label("Texte de la clause 1")).to_have_attribute("aria-invalid", "true")
    expect(section.get_by_text("Version 2", exact=True)).to_have_count(0)
    form.get_by_label("Texte de la clause 1").fill("Deux jeux de clés sont remis à l'association.")
    expect(form.get_by_text(re.compile(r"^45 / 10\s000 caractères$"))).to_be_visible()
    assert axe_violations(agent) == []
    screenshot(agent, "agreement-edit-form")
    form.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(agent.get_by_role("status").filter(has_text="Nouvelle version")).to_be_visible()
    expect(section.get_by_text("Version 2", exact=True)).to_be_visible()
    expect(section.get_by_text(re.compile(r"^par .+ \(Commune"))).to_be_visible()
    expect(section.get_by_text("Pour pouvoir l'accepter")).to_have_count(0)

    # ---- accepted by the commune, then by the association
    first_sha = accept_agreement(agent)
    expect(section.get_by_text("Acceptée par une partie", exact=True)).to_be_visible()
    expect(section.get_by_text(first_sha)).to_be_visible()
    expect(section.get_by_role("button", name="Bon pour accord")).to_have_count(0)
    expect(
        section.get_by_text("Votre organisation a donné son accord sur cette version.")
    ).to_be_visible()

    association.goto(path)
    their = agreement_section(association)
    expect(their.get_by_text("Acceptée par une partie", exact=True)).to_be_visible()
    expect(association.get_by_role("note").filter(has_text="que par une partie")).to_be_visible()
    sha = accept_agreement(association)
    assert sha == first_sha, "both sides accepted the same PDF"
    expect(their.get_by_text("Acceptée par les deux parties", exact=True)).to_be_visible()
    expect(association.get_by_role("note").filter(has_text="convention")).to_have_count(0)

    # ---- downloaded in the page's session: a PDF whose SHA-256 is the one shown
    link = their.get_by_role("link", name="Télécharger le PDF (version 2)")
    href = link.get_attribute("href")
    assert href
    body = association.evaluate(
        """async (url) => {
            const response = await fetch(url, {credentials: 'same-origin'})
            const bytes = new Uint8Array(await response.arrayBuffer())
            return {status: response.status, bytes: Array.from(bytes)}
        }""",
        href,
    )
    assert body["status"] == 200
    pdf = bytes(body["bytes"])
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == sha
    assert axe_violations(association) == []
    shots(association, "agreement-exchange")


def test_laser_loan_request_shows_the_host_a_training_from_a_recognized_lab(
    new_context: NewContext,
) -> None:
    host = new_context().new_page()
    sign_in(host, "fablab-makeo", "/")  # joins Makeo as ADMIN: the demo's invitation
    found = graphql(
        host,
        """{ exchanges(filter: {side: OWNER, states: [REQUESTED]}, first: 50) {
              edges { node { id listing { title } requester { name } } } } }""",
    )["exchanges"]["edges"]
    loans = [e["node"] for e in found if e["node"]["requester"]["name"] == "FabLab BEN (exemple)"]
    assert loans, found
    host.goto(f"/echanges/{loans[0]['id']}")

    check = host.get_by_role("region", name="Formation requise")
    expect(
        check.get_by_text("Léa Marchand (exemple) détient une formation reconnue")
    ).to_be_visible()
    expect(check.get_by_text(re.compile("Découpeuse laser — formation qui compte"))).to_be_visible()
    expect(
        check.get_by_text(re.compile(r"FabLab BEN \(exemple\), formé·e le .*compte$"))
    ).to_be_visible()
    expect(
        check.get_by_text(re.compile(r"Cobalt \(exemple\), formé·e le .*expirée$"))
    ).to_be_visible()
    # Satisfied: the accept panel says nothing about trainings.
    host.get_by_role("button", name="Accepter", exact=True).click()
    expect(host.get_by_text("ne détient pas toutes les formations")).to_have_count(0)
    shots(host, "training-check")

    # ---- the host lab records a training of its admin; it shows in their passport
    me = graphql(host, "{ me { memberships { role organization { id name } } } }")["me"]
    makeo = next(m for m in me["memberships"] if m["organization"]["name"] == "Makeo (exemple)")
    host.goto(f"/organisations/{makeo['organization']['id']}")
    block = host.get_by_role("region", name="Formations", exact=True)
    block.get_by_label("Personne formée").select_option(label="Yanis Roux")
    block.get_by_label("Type de machine").select_option(label="Découpeuse laser")
    # An expiry before the training day: refused, named next to the expiry, nothing recorded.
    block.get_by_label("Date de la formation").fill(date.today().isoformat())
    block.get_by_label("Valable jusqu'au (facultatif)").fill(
        (date.today() - timedelta(days=1)).isoformat()
    )
    block.get_by_role("button", name="Enregistrer la formation").click()
    expect(
        block.get_by_role("alert").filter(has_text="ne peut pas précéder la date de la formation")
    ).to_be_visible()
    expect(block.get_by_text("Aucune formation enregistrée.")).to_be_visible()
    block.get_by_label("Date de la formation").fill((date.today() - timedelta(days=30)).isoformat())
    block.get_by_label("Valable jusqu'au (facultatif)").fill(
        (date.today() + timedelta(days=335)).isoformat()
    )
    block.get_by_label("Note (facultatif)").fill("Réglages, sécurité, matériaux interdits.")
    block.get_by_role("button", name="Enregistrer la formation").click()
    expect(block.get_by_text("Formation enregistrée.")).to_be_visible()
    expect(block.get_by_text("Yanis Roux — Découpeuse laser")).to_be_visible()
    # ... and recognizes another lab's trainings, then stops.
    block.get_by_label("Chercher un lieu par son nom").fill("Cobalt")
    block.get_by_role("button", name="Reconnaître ses formations : Cobalt (exemple)").click()
    expect(
        block.get_by_text("Les formations de Cobalt (exemple) comptent désormais")
    ).to_be_visible()
    screenshot(host, "org-trainings")
    block.get_by_role("button", name="Ne plus les reconnaître : Cobalt (exemple)").click()
    expect(block.get_by_text("Les formations de Cobalt (exemple) ne comptent plus")).to_be_visible()
    assert axe_violations(host) == []

    host.get_by_role("navigation").get_by_role("link", name="Passeport").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Mon passeport de formation")
    item = host.get_by_role("list", name="Mes formations").get_by_role("listitem").first
    expect(item.get_by_role("heading", name="Découpeuse laser")).to_be_visible()
    expect(item.get_by_text("Valide", exact=True)).to_be_visible()
    expect(item.get_by_role("link", name="Makeo (exemple)")).to_be_visible()
    # ... shares it with a lab (its admins see it all), then stops.
    share = host.get_by_role("region", name="Partager mon passeport")
    expect(share.get_by_text("Vous ne partagez votre passeport avec aucun lieu.")).to_be_visible()
    share.get_by_label("Chercher un lieu par son nom").fill("Cobalt")
    share.get_by_role("button", name="Partager : Cobalt (exemple)").click()
    expect(share.get_by_text("Votre passeport est partagé avec Cobalt (exemple).")).to_be_visible()
    shared = share.get_by_role("list", name="Lieux avec qui je partage mon passeport")
    expect(shared.get_by_role("link", name="Cobalt (exemple)")).to_be_visible()
    assert axe_violations(host) == []
    shots(host, "passport")
    share = host.get_by_role("region", name="Partager mon passeport")
    share.get_by_role("button", name="Ne plus partager : Cobalt (exemple)").click()
    expect(
        share.get_by_text("Votre passeport n'est plus partagé avec Cobalt (exemple).")
    ).to_be_visible()
    expect(share.get_by_text("Vous ne partagez votre passeport avec aucun lieu.")).to_be_visible()


def test_equipment_requiring_a_training_from_chosen_labs_accepted_without_it(
    new_context: NewContext,
) -> None:
    """Makeo publishes a CNC router that asks for the CNC training from labs it lists; the
    FabLab de Guéret, untrained, asks for it; the host is warned, accepts anyway, and the
    history says so."""
    host = new_context().new_page()
    sign_in(host, "fablab-makeo", "/publier")
    host.get_by_role("radio", name="Offre", exact=True).check()
    host.get_by_role("radio", name="Matériel", exact=True).check()
    host.get_by_label("Titre", exact=True).fill("Fraiseuse numérique Shaper Origin")
    host.get_by_label("Description", exact=True).fill(
        "Une fraiseuse portative guidée, avec ses fraises et son aspiration."
    )
    today = date.today()
    host.get_by_label("Disponible à partir du").fill(today.isoformat())
    host.get_by_label("Disponible jusqu'au").fill((today + timedelta(days=200)).isoformat())
    host.get_by_label("Une formation est nécessaire pour l'utiliser").check()
    host.get_by_role("group", name="Formations requises").get_by_label(
        "Fraiseuse numérique (CNC)"
    ).check()
    host.get_by_role(
        "radio", name=re.compile("^Celles de notre lieu et des lieux que nous")
    ).check()
    host.get_by_label("Ajouter un lieu : cherchez-le par son nom").fill("FabLab BEN")
    host.get_by_role("button", name="Ajouter : FabLab BEN (exemple)").click()
    expect(host.get_by_role("button", name="Retirer : FabLab BEN (exemple)")).to_be_visible()
    assert axe_violations(host) == []
    screenshot(host, "equipment-training-form")
    host.get_by_role("button", name="Publier", exact=True).click()
    expect(host).to_have_url(re.compile(r"/annonces/[^/]+$"))
    expect(host.get_by_text("Fraiseuse numérique (CNC)", exact=True)).to_be_visible()
    expect(host.get_by_text("celles de ce lieu et de : FabLab BEN (exemple)")).to_be_visible()
    screenshot(host, "equipment-training-listing")
    listing_id = unquote(host.url.rsplit("/", 1)[1])

    requester = new_context().new_page()
    sign_in(requester, "fablab-gueret", "/")
    ensure_organization(requester, *FABLAB)
    start = today + timedelta(days=10)
    requested = graphql(
        requester,
        REQUEST,
        {
            "input": {
                "listingId": listing_id,
                "startsAt": f"{start}T09:00:00+00:00",
                "endsAt": f"{start + timedelta(days=1)}T18:00:00+00:00",
                "message": "Bonjour, nous aimerions l'emprunter deux jours.",
            }
        },
    )["exchangeRequest"]
    assert requested["__typename"] == "ExchangeChangeSuccess", requested

    host.goto(f"/echanges/{requested['exchange']['id']}")
    check = host.get_by_role("region", name="Formation requise")
    expect(
        check.get_by_text("ne détient pas toutes les formations que vous demandez")
    ).to_be_visible()
    expect(
        check.get_by_text(re.compile("Fraiseuse numérique \\(CNC\\) — aucune formation"))
    ).to_be_visible()
    expect(check.get_by_text("Vous pouvez accepter quand même : ce sera noté")).to_be_visible()
    host.get_by_role("button", name="Accepter", exact=True).click()
    expect(host.get_by_text("ne détient pas toutes les formations requises")).to_be_visible()
    screenshot(host, "training-missing-accept")
    host.get_by_role("button", name="Confirmer l'acceptation").click()
    expect(host.get_by_role("status").filter(has_text="Demande acceptée.")).to_be_visible()
    history = host.get_by_role("region", name="Historique")
    expect(history.get_by_text("Acceptée sans que la personne qui demandait")).to_be_visible()
    # The acceptance drafted the loan agreement: shown, with its banner.
    expect(agreement_section(host).get_by_text("Convention de prêt à usage")).to_be_visible()
