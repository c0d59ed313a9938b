"""The owner blocks and unblocks periods of a listing from its calendar.

The commune's agent (its organization owns `world.listing_id`, a PREMISES listing) blocks a
period through the form under the calendar and sees it listed; an end before the start shows
the API's message next to the end field; the fablab's manager (another organization) sees the
blocked period but neither the form nor an unblock button; the agent unblocks it from the
keyboard. axe checks the page with the form, at 1280 and 360 px.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.web.conftest import NewContext, World, axe_violations, no_horizontal_scroll, screenshot

MONTHS = [
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


def french(day: date, *, year: bool = True) -> str:
    """`1 mars 2027`, as the app writes a day in French (`1 mars` without the year)."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def period(first: date, last: date) -> str:
    """`du 1 mars au 8 mars 2027`: the year once when both days share it."""
    return f"du {french(first, year=first.year != last.year)} au {french(last)}"


def open_listing(page: Page, world: World) -> None:
    page.goto(f"/annonces/{world.listing_id}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Périodes prises"))).to_be_visible()


def test_the_owner_blocks_and_unblocks_a_period(world: World, new_context: NewContext) -> None:
    owner = new_context(storage_state=world.agent_state).new_page()
    open_listing(owner, world)
    form = owner.get_by_role("form", name="Bloquer une période")
    expect(form).to_be_visible()
    start_field = form.get_by_label("Début du blocage")
    end_field = form.get_by_label("Fin du blocage")
    reason_field = form.get_by_label("Raison (facultatif)")
    expect(form.get_by_text("premier et le dernier jour sont inclus")).to_be_visible()

    # ---- an end before the start: the API's message, in French, next to the end field
    first = date.today() + timedelta(days=40)
    last = first + timedelta(days=6)
    start_field.fill(last.isoformat())
    end_field.fill(first.isoformat())
    form.get_by_role("button", name="Bloquer", exact=True).click()
    message = "La fin doit venir après le début."
    expect(
        owner.get_by_role("alert").filter(has_text="La période n'a pas été bloquée")
    ).to_be_focused()
    expect(end_field).to_have_attribute("aria-invalid", "true")
    expect(end_field).to_have_accessible_description(re.compile(re.escape(message)))
    expect(end_field.locator("xpath=following-sibling::p[1]")).to_have_text(message)
    expect(start_field).not_to_have_attribute("aria-invalid", "true")
    expect(start_field).to_have_value(last.isoformat())  # nothing typed is lost
    screenshot(owner, "blocks-1-end-before-start")
    assert axe_violations(owner) == []

    # ---- a valid block, from the keyboard: listed as blocked, said in the live region
    start_field.fill(first.isoformat())
    end_field.fill(last.isoformat())
    reason_field.fill("Peinture des murs")
    reason_field.press("Enter")
    blocked = f"Indisponible {period(first, last)}"
    expect(owner.get_by_role("status").filter(has_text="Période bloquée")).to_have_text(
        re.compile(re.escape(f"Période bloquée {period(first, last)}."))
    )
    listed = owner.get_by_role("listitem").filter(has_text=blocked)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Motif : Peinture des murs")
    unblock = owner.get_by_role("button", name=f"Débloquer {period(first, last)}", exact=True)
    expect(unblock).to_be_visible()
    expect(end_field).to_have_value("")
    screenshot(owner, "blocks-2-blocked")
    assert axe_violations(owner) == []

    # ---- 360 px wide: nothing scrolls sideways, the form and its button are reachable
    owner.set_viewport_size({"width": 360, "height": 800})
    expect(form.get_by_role("button", name="Bloquer", exact=True)).to_be_visible()
    expect(unblock).to_be_visible()
    no_horizontal_scroll(owner)
    screenshot(owner, "blocks-3-narrow")
    assert axe_violations(owner) == []
    owner.set_viewport_size({"width": 1280, "height": 900})

    # ---- another organization's member sees the period, but no form and no unblock button
    other = new_context(storage_state=world.fablab_state).new_page()
    open_listing(other, world)
    expect(other.get_by_text(blocked)).to_be_visible()
    expect(other.get_by_text("Peinture des murs")).to_have_count(0)  # the reason is the owner's
    expect(other.get_by_role("heading", name="Bloquer une période")).to_have_count(0)
    expect(other.get_by_label("Début du blocage")).to_have_count(0)
    expect(other.get_by_role("button", name=re.compile("^Débloquer"))).to_have_count(0)
    screenshot(other, "blocks-4-other-organization")

    # ---- the owner unblocks it, from the keyboard
    unblock.focus()
    owner.keyboard.press("Enter")
    expect(owner.get_by_role("status").filter(has_text="Période débloquée")).to_contain_text(
        period(first, last)
    )
    expect(owner.get_by_text(blocked)).to_have_count(0)
    expect(owner.get_by_role("button", name=re.compile("^Débloquer"))).to_have_count(0)
    screenshot(owner, "blocks-5-unblocked")

    other.reload()
    expect(other.get_by_role("heading", name=re.compile("^Périodes prises"))).to_be_visible()
    expect(other.get_by_text(blocked)).to_have_count(0)
