"""The issue's four steps, in two browser contexts (two people), against the real server:

1. the commune's agent signs in, publishes an empty school as premises, signs out;
2. the fablab's manager searches "ancienne ecole" near Montreuil, opens it, requests an
   exchange for two months;
3. the agent, signed in again and sitting on a page, sees the notification arrive without
   reloading, opens the exchange, accepts it;
4. both see the accepted period on the listing's calendar.

Screenshots of each step go to var/test-artifacts/web/; the one of the exchange's page is also
the README's (docs/screenshots/exchange.png).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.web.conftest import (
    FABLAB,
    NewContext,
    ensure_organization,
    pick_commune,
    readme_screenshot,
    screenshot,
    search_field,
    sign_in,
    sign_out,
)

TITLE = "Ancienne école Jules Ferry"
DESCRIPTION = (
    "L'école Jules Ferry est vide depuis la rentrée : six salles de classe, un préau et une cour, "
    "au rez-de-chaussée. Idéal pour un atelier, une ressourcerie ou des formations."
)
MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def long_fr(day: date) -> str:
    """A date as the app writes it in French (Intl, dateStyle long): 5 décembre 2026."""
    return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def unread(page: Page) -> int:
    """The header's unread counter (its accessible name says "(n non lue(s))")."""
    link = page.get_by_role("navigation").get_by_role("link", name="Notifications")
    found = re.search(r"(\d+)\s+non lue", link.text_content() or "")
    return int(found.group(1)) if found else 0


def publish_school(page: Page, today: date) -> None:
    page.get_by_role("radio", name="Offre", exact=True).check()
    page.get_by_role("radio", name="Locaux", exact=True).check()
    page.get_by_label("Titre", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill(DESCRIPTION)
    elsewhere = page.get_by_role("radio", name=re.compile("^Ailleurs"))
    if elsewhere.count():
        elsewhere.check()
    pick_commune(page, "Montreuil", "Seine-Saint-Denis", label="Commune")
    page.get_by_label("Disponible à partir du").fill(today.isoformat())
    page.get_by_label("Disponible jusqu'au").fill((today + timedelta(days=365)).isoformat())
    page.get_by_label("Surface (m²)").fill("240")
    page.get_by_role("button", name="Publier", exact=True).click()


def find_school(page: Page) -> None:
    """Search near Montreuil; the relay indexes every 0.2 s, so try again a few times."""
    page.goto("/")
    search_field(page).fill("ancienne ecole")
    pick_commune(page, "Montreuil", "Seine-Saint-Denis")
    result = page.get_by_role("list", name="Résultats", exact=True).get_by_role("link", name=TITLE)
    for _ in range(10):
        try:
            expect(result).to_be_visible(timeout=1_500)
            break
        except AssertionError:
            page.reload()
    expect(result).to_be_visible()
    screenshot(page, "2a-fablab-finds-the-school")
    result.click()


def test_publish_request_notify_accept(new_context: NewContext) -> None:
    today = date.today()
    start = today + timedelta(days=14)
    end = start + timedelta(days=61)  # two months

    # ---- 1. the commune's agent publishes the empty school, then signs out
    agent = new_context().new_page()
    sign_in(agent, "agent-montreuil", "/publier")
    expect(agent.get_by_role("heading", level=1)).to_have_text("Publier une annonce")
    publish_school(agent, today)
    expect(agent).to_have_url(re.compile(r"/annonces/[^/]+$"))
    expect(agent.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(agent.get_by_role("status").filter(has_text="Annonce publiée.")).to_be_visible()
    expect(agent.get_by_text("240 m²")).to_be_visible()
    listing_path = agent.url.removeprefix(agent.url.split("/annonces/")[0])
    screenshot(agent, "1-agent-publishes")
    sign_out(agent)

    # The agent comes back and sits on the home page, signed in.
    sign_in(agent, "agent-montreuil", "/")
    agent.wait_for_load_state("networkidle")  # the unread counter has loaded
    before = unread(agent)
    agent.evaluate("window.__notReloaded = true")

    # ---- 2. the fablab's manager finds it near Montreuil and asks for two months
    fablab = new_context().new_page()
    sign_in(fablab, "fablab-gueret", "/")
    ensure_organization(fablab, *FABLAB)
    fablab.reload()  # the header and forms read the new organization
    find_school(fablab)
    expect(fablab).to_have_url(re.compile(re.escape(listing_path) + "$"))
    expect(fablab.get_by_role("heading", level=1)).to_have_text(TITLE)
    fablab.get_by_role("button", name="Demander un échange").click()
    fablab.get_by_label("Début").fill(start.isoformat())
    fablab.get_by_label("Fin (jour du retour)").fill(end.isoformat())
    fablab.get_by_label("Message", exact=True).fill(
        "Bonjour, le FabLab de Guéret voudrait y installer un atelier de réparation pendant "
        "deux mois. Nous pouvons passer la semaine prochaine."
    )
    screenshot(fablab, "2b-fablab-requests")
    fablab.get_by_role("button", name="Envoyer la demande").click()
    expect(fablab).to_have_url(re.compile(r"/echanges/[^/]+$"))
    expect(fablab.get_by_text("Demandé").first).to_be_visible()
    exchange_path = fablab.url.removeprefix(fablab.url.split("/echanges/")[0])
    screenshot(fablab, "2c-fablab-requested")

    # ---- 3. the agent sees it arrive without reloading, opens it and accepts
    live = agent.locator("[aria-live]").filter(has_text=TITLE)
    expect(live.first).to_contain_text("Nouvelle notification")
    expect(
        agent.get_by_role("navigation").get_by_role("link", name=f"{before + 1} non lue")
    ).to_be_visible()
    assert agent.evaluate("window.__notReloaded === true"), "the page was reloaded"
    screenshot(agent, "3a-agent-notified")
    agent.get_by_role("navigation").get_by_role("link", name="Notifications").click()
    expect(agent).to_have_url(re.compile(r"/notifications$"))
    agent.get_by_role("link", name=TITLE).first.click()
    expect(agent).to_have_url(re.compile(re.escape(exchange_path) + "$"))
    expect(agent.get_by_text("FabLab de Guéret").first).to_be_visible()
    screenshot(agent, "3b-agent-opens-the-exchange")
    # The owner declines a request they did not make (no "Annuler"), and accepts after a question.
    expect(agent.get_by_role("button", name="Décliner", exact=True)).to_be_visible()
    expect(agent.get_by_role("button", name="Annuler", exact=True)).to_have_count(0)
    agent.get_by_role("button", name="Accepter", exact=True).click()
    expect(agent.get_by_role("heading", name="Accepter cette demande ?")).to_be_visible()
    expect(agent.get_by_text("Accepté", exact=True)).to_have_count(0)
    agent.get_by_role("button", name="Confirmer l'acceptation").click()
    expect(agent.get_by_role("status").filter(has_text="Demande acceptée.")).to_be_visible()
    expect(agent.get_by_text("Accepté", exact=True).first).to_be_visible()
    screenshot(agent, "3c-agent-accepted")

    # The requester's page shows it live too; it is the README's picture of an exchange.
    expect(fablab.get_by_text("Accepté", exact=True).first).to_be_visible(timeout=20_000)
    fablab.set_viewport_size({"width": 1280, "height": 900})
    readme_screenshot(fablab, "exchange")

    # ---- 4. both see the accepted period on the listing's calendar
    booked = re.compile(
        rf"Réservé du {long_fr(start)} au ({long_fr(end)}|{long_fr(end - timedelta(days=1))})"
    )
    for who, page in (("agent", agent), ("fablab", fablab)):
        page.goto(listing_path)
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(page.get_by_text(booked)).to_be_visible()
        screenshot(page, f"4-{who}-sees-the-calendar")
