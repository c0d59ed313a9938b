"""Condition photos on the exchange page, in a real browser at 360 px: once the request is
accepted, the owner's agent photographs the premises at handover (a description is required, and
said where it is missing), the requester sees the photo and what it shows but cannot remove it;
the return waits for the handover."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.images import small_jpeg
from tests.web.conftest import (
    NewContext,
    World,
    accepted_premises_exchange,
    axe_violations,
    no_horizontal_scroll,
    screenshot,
)

ALT = "La salle vue depuis l’entrée, parquet rayé près de la fenêtre"


def accepted_exchange(agent: Page, fablab: Page) -> str:
    """A room of the agent's commune, asked for by the fablab and accepted: its exchange's id."""
    return accepted_premises_exchange(
        agent, fablab, "Salle des fêtes du Bas-Montreuil", 40, 1, "Pour un atelier de réparation."
    )


def test_the_handover_is_photographed_and_described_on_a_small_screen(
    world: World, new_context: NewContext, tmp_path: Path
) -> None:
    small = {"viewport": {"width": 360, "height": 800}, "is_mobile": True}
    agent = new_context(storage_state=world.agent_state, **small).new_page()
    fablab = new_context(storage_state=world.fablab_state, **small).new_page()
    agent.goto("/connexion")
    fablab.goto("/connexion")
    exchange_id = accepted_exchange(agent, fablab)
    photo = tmp_path / "salle.jpg"
    photo.write_bytes(small_jpeg(3, 1200, 900, drawn=True))

    agent.goto(f"/echanges/{exchange_id}")
    section = agent.get_by_role("region", name="Photos de l’état")
    expect(section.get_by_role("heading", name="À la remise")).to_be_visible()
    expect(section.get_by_role("heading", name="Au retour")).to_have_count(0)  # not handed over
    expect(section.get_by_text("Aucune photo.")).to_be_visible()

    # A photo without its description is stopped before it is sent, and says so where it is.
    section.get_by_label("Photo (À la remise)").set_input_files(photo)
    section.get_by_role("button", name="Ajouter la photo").click()
    description = section.get_by_label("Ce qu’elle montre")
    expect(description).to_be_focused()
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(section).to_contain_text("Décrivez la photo")

    description.fill(ALT)
    section.get_by_role("button", name="Ajouter la photo").click()
    expect(agent.get_by_role("status").filter(has_text="Photo ajoutée")).to_be_attached()
    expect(section.get_by_role("img", name=ALT)).to_be_visible()
    expect(section.get_by_role("figure")).to_contain_text(ALT)
    expect(section.get_by_role("button", name=f"Retirer la photo « {ALT} »")).to_be_visible()
    no_horizontal_scroll(agent)
    screenshot(agent, "condition-photos-1-handover")
    assert axe_violations(agent) == []

    # The other side sees it and what it shows, may add its own, but not remove the agent's.
    fablab.goto(f"/echanges/{exchange_id}")
    theirs = fablab.get_by_role("region", name="Photos de l’état")
    expect(theirs.get_by_role("img", name=ALT)).to_be_visible()
    expect(theirs.get_by_role("button", name="Ajouter la photo")).to_be_visible()
    expect(theirs.get_by_role("button", name=f"Retirer la photo « {ALT} »")).to_have_count(0)
    no_horizontal_scroll(fablab)
    screenshot(fablab, "condition-photos-2-other-side")

    # The agent removes it again.
    agent.get_by_role("button", name=f"Retirer la photo « {ALT} »").click()
    expect(section.get_by_text("Aucune photo.")).to_be_visible()
    expect(section.get_by_role("heading", name="À la remise")).to_be_focused()
