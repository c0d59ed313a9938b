"""A Cartofriches site is shown for what it is (issue 11): "site vacant recensé (Cartofriches),
propriétaire public", with its source, and why it cannot be requested yet; the commune's agent
publishes it in one step from that page. And internal codes are never shown as keywords."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.web.conftest import ROOT, NewContext, Server, World, graphql

SOURCE = "Cerema – Cartofriches (DDT de Seine-Saint-Denis), mise à jour du 07/02/2024, site 93048_1"


def _import_census_record(server: Server, tmp_path: Path, siret: str) -> str:
    """A Cartofriches record of the agent's commune, imported as `entrelieux import` does."""
    row = {
        "ref": "cartofriches:web-test-montreuil",
        "direction": "OFFER",
        "kind": "PREMISES",
        "organization_siret": siret,
        "title": "Ancienne école de la rue de Paris — Montreuil",
        "description": "Friche sans projet connu, propriété de la commune, recensée par Cartofriches.",
        "commune": "93048",
        "origin": "CARTOFRICHES",
        "source": SOURCE,
    }
    path = tmp_path / "census.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    environment = os.environ | {"DATABASE_URL": server.database_url}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "import", "listings", str(path)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    query = '{ listing(ref: "cartofriches:web-test-montreuil") { id } }'
    answer = httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=10).json()
    return str(answer["data"]["listing"]["id"])


def test_a_census_record_says_what_it_is_and_the_agent_publishes_it(
    world: World, server: Server, new_context: NewContext, tmp_path: Path
) -> None:
    agent = new_context(storage_state=world.agent_state).new_page()
    agent.goto("/connexion")
    me = graphql(agent, "{ me { memberships { organization { name siret } } } }")["me"]
    commune = me["memberships"][0]["organization"]
    listing_id = _import_census_record(server, tmp_path, commune["siret"])

    visitor = new_context().new_page()
    visitor.goto(f"/annonces/{listing_id}")
    expect(
        visitor.get_by_text("Site vacant recensé (Cartofriches), propriétaire public")
    ).to_be_visible()
    expect(visitor.get_by_text(f"Source : {SOURCE}")).to_be_visible()
    expect(visitor.get_by_text("n'a pas encore publié ce site")).to_be_visible()
    expect(visitor.get_by_text("Publiée par")).to_have_count(0)
    expect(visitor.get_by_role("button", name="Demander un échange")).to_have_count(0)

    agent.goto(f"/annonces/{listing_id}")
    publish = agent.get_by_role("button", name=f"Publier ce site au nom de {commune['name']}")
    publish.click()
    expect(
        agent.get_by_text("Site vacant recensé (Cartofriches), propriétaire public")
    ).to_have_count(0)
    expect(agent.get_by_text("Publiée par")).to_be_visible()
    origin = graphql(agent, "query($id: ID!) { listing(id: $id) { origin } }", {"id": listing_id})
    assert origin["listing"]["origin"] == "OWNER"


def test_an_internal_code_is_never_shown_as_a_keyword(
    server: Server, new_context: NewContext
) -> None:
    query = '{ listing(ref: "exemple-cooperative:mediation-numerique") { id tags } }'
    listing = httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=10).json()
    listing = listing["data"]["listing"]
    assert "rome:140975" in listing["tags"]  # the code is there, for search and imports

    page = new_context().new_page()
    page.goto(f"/annonces/{listing['id']}")

    expect(page.get_by_role("listitem").filter(has_text="médiation numérique")).to_be_visible()
    expect(page.get_by_text("rome:140975")).to_have_count(0)
