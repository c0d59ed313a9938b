"""A commune's agent reaches "Mon territoire" from the header and sees the premises it published,
beside its EPCI's figures, at 1280 and 360 px, in French and English, with no serious axe
violation; the page's CSV link downloads the same figures."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.web.conftest import PUBLISH, NewContext, axe_violations, graphql, screenshot, sign_in

PREMISES = """query { territory(code: "93048") { premises { offered } } }"""


def premises_offered(page: Page) -> int:
    return int(graphql(page, PREMISES)["territory"]["premises"]["offered"])


def publish_premises(page: Page) -> None:
    start = date.today() + timedelta(days=5)
    published = graphql(
        page,
        PUBLISH,
        {
            "input": {
                "direction": "OFFER",
                "kind": "PREMISES",
                "title": "Ancienne école Jules-Ferry, rez-de-chaussée",
                "description": "240 m² accessibles, convention d'occupation temporaire.",
                "commune": "93048",
                "availableFrom": start.isoformat(),
                "availableUntil": (start + timedelta(days=200)).isoformat(),
                "terms": "TEMPORARY_OCCUPATION",
                "details": {"premises": {"surfaceM2": 240, "capacity": 40}},
            }
        },
    )["listingPublish"]
    assert published["__typename"] == "ListingSuccess", published


def test_a_commune_agent_sees_its_territory_from_the_header(new_context: NewContext) -> None:
    agent = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(agent, "agent-montreuil", "/")
    before = premises_offered(agent)
    publish_premises(agent)
    agent.reload()

    agent.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon territoire"
    ).click()

    expect(agent).to_have_url(re.compile(r"/territoires/93048$"))
    expect(agent.get_by_role("heading", level=1)).to_have_text("Montreuil")
    row = agent.get_by_role("row", name=re.compile(r"^Locaux proposés \d"))
    expect(row.get_by_role("cell").first).to_have_text(str(before + 1))
    expect(agent.get_by_role("columnheader", name="Métropole du Grand Paris")).to_be_visible()
    # The agent is the commune's: its exchanges and impact are shown, by month too.
    expect(agent.get_by_role("heading", name="Échanges des 24 derniers mois")).to_be_visible()
    within = agent.get_by_role("navigation", name="Situé dans")
    for name in ("Métropole du Grand Paris", "Seine-Saint-Denis", "Île-de-France"):
        expect(within.get_by_role("link", name=re.compile(re.escape(name)))).to_be_visible()
    expect(agent.get_by_role("link", name="Commune de Montreuil")).to_be_visible()
    screenshot(agent, "territory-1280")
    assert axe_violations(agent) == []

    href = agent.get_by_role("link", name="Télécharger les chiffres (CSV)").get_attribute("href")
    assert href == "/export/territory/93048.csv"
    csv = agent.request.get(href)
    assert csv.status == 200
    assert f"premises,offered,{before + 1}" in csv.text()
    assert "private_figures,visible,true" in csv.text()

    within.get_by_role("link", name=re.compile("Seine-Saint-Denis")).click()
    expect(agent).to_have_url(re.compile(r"/territoires/dep-93$"))
    expect(agent.get_by_role("heading", level=1)).to_have_text("Seine-Saint-Denis")


def test_the_territory_page_at_360_px_and_in_english(new_context: NewContext) -> None:
    page = new_context(viewport={"width": 360, "height": 780}).new_page()
    page.goto("/territoires/93048")
    expect(page.get_by_role("heading", level=1)).to_have_text("Montreuil")
    # Anonymous: the private totals say they are restricted, never a number.
    expect(page.get_by_text("Les échanges et l'impact sont réservés")).to_be_visible()
    expect(page.get_by_role("heading", name="Échanges des 24 derniers mois")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width} px"
    screenshot(page, "territory-360")
    assert axe_violations(page) == []

    page.get_by_role("button", name="English").or_(
        page.get_by_role("link", name="English")
    ).first.click()
    expect(page.get_by_role("heading", name="Figures")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Premises offered \d"))).to_be_visible()
    screenshot(page, "territory-360-en")


def test_a_bad_code_says_so(new_context: NewContext) -> None:
    page = new_context().new_page()
    page.goto("/territoires/dep-1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Territoire introuvable")
    expect(page.get_by_text("Ce code ne désigne aucun territoire.")).to_be_visible()
