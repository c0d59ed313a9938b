"""Photos in a real browser: a listing published with three photos (one a large phone JPEG with
its GPS position), put in order and one removed on the edit page; the listing page's gallery,
from the keyboard; the files the browser fetches carry no metadata at all."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from tests.images import has_gps, jpeg_with_gps, png, small_jpeg
from tests.web.conftest import (
    NewContext,
    World,
    axe_violations,
    pick_commune,
    readme_screenshot,
    screenshot,
)

TITLE = "Fraiseuse portative Zorglub de l’atelier bois"  # a word no demo listing has
ALTS = (
    "La fraiseuse posée sur un panneau de contreplaqué, dans l’atelier bois",
    "Le boîtier de la fraiseuse vu de face, avec son écran allumé",
    "Le logo de l’atelier découpé à la fraiseuse dans une planche de hêtre",
)


def photo_files(folder: Path) -> list[Path]:
    """A large JPEG as a phone writes it (3.5 MB, taken sideways, GPS position), a JPEG, a PNG."""
    large = jpeg_with_gps(3000, 2000, orientation=6, noisy=True)
    assert has_gps(large)
    assert len(large) > 3_000_000
    files = {
        "IMG_20261130_101200.jpg": large,
        "boitier.jpg": small_jpeg(1, 1200, 900, drawn=True),
        "logo.png": png(900, 700, drawn=True),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def test_a_listing_published_with_photos_shows_a_gallery(
    world: World, new_context: NewContext, tmp_path: Path
) -> None:
    page = new_context(storage_state=world.agent_state).new_page()
    page.goto("/publier")
    page.get_by_role("radio", name="Offre", exact=True).check()
    page.get_by_role("radio", name="Matériel", exact=True).check()
    page.get_by_label("Titre", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill(
        "Fraiseuse portative guidée, avec ses fraises."
    )
    elsewhere = page.get_by_role("radio", name=re.compile("^Ailleurs"))
    if elsewhere.count():
        elsewhere.check()
    pick_commune(page, "Montreuil", "Seine-Saint-Denis", label="Commune")

    # Three files at once; each waits, with its own description, until the listing exists.
    page.get_by_label("Ajouter des photos").set_input_files(photo_files(tmp_path))
    photos = page.get_by_role("list", name="Photos de l’annonce")
    expect(photos.get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_label("Description de la photo 1")).to_be_focused()
    page.get_by_label("Description de la photo 1").fill(ALTS[0])
    page.get_by_label("Description de la photo 2").fill(ALTS[1])

    # A photo without its description stops the publication, and says so where it is.
    page.get_by_role("button", name="Publier", exact=True).click()
    third = page.get_by_label("Description de la photo 3")
    expect(third).to_be_focused()
    expect(third).to_have_attribute("aria-invalid", "true")
    expect(photos).to_contain_text("Décrivez la photo")
    third.fill(ALTS[2])
    # Put in order with the buttons, from the keyboard: the logo goes up one place.
    page.get_by_role("button", name="Avancer la photo 3").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="position 2")).to_be_attached()
    expect(page.get_by_label("Description de la photo 2")).to_have_value(ALTS[2])
    expect(page.get_by_role("button", name="Avancer la photo 2")).to_be_focused()
    screenshot(page, "photos-publish")
    page.get_by_role("button", name="Publier", exact=True).click()

    expect(page).to_have_url(re.compile(r"/annonces/[^/]+$"), timeout=30_000)
    gallery = page.get_by_role("region", name="Photos de l’annonce")
    expect(gallery).to_contain_text("Photo 1 sur 3")
    expect(gallery.get_by_role("img", name=ALTS[0])).to_be_visible()

    # The edit page: in the order published; the boîtier goes up, the logo is removed.
    page.get_by_role("link", name="Modifier", exact=True).click()
    saved = page.get_by_role("list", name="Photos de l’annonce")
    expect(saved.get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_label("Description de la photo 2")).to_have_value(ALTS[2])
    expect(page.get_by_label("Description de la photo 3")).to_have_value(ALTS[1])
    page.get_by_role("button", name="Avancer la photo 3").click()
    expect(page.get_by_role("status").filter(has_text="position 2")).to_be_attached()
    expect(page.get_by_label("Description de la photo 2")).to_have_value(ALTS[1])
    expect(page.get_by_role("button", name="Avancer la photo 2")).to_be_focused()
    page.get_by_role("button", name="Retirer la photo 3").click()
    expect(saved.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_role("status").filter(has_text="Photo retirée")).to_be_attached()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Voir l'annonce").first.click()

    # The gallery, from the keyboard: the arrows change the photo, the buttons show their focus.
    gallery = page.get_by_role("region", name="Photos de l’annonce")
    expect(gallery).to_contain_text("Photo 1 sur 2")
    large = gallery.get_by_role("img", name=ALTS[0])
    expect(large).to_be_visible()
    expect(large).to_have_attribute("loading", "lazy")
    expect(large).to_have_attribute("sizes", re.compile(r"\d"))
    expect(large).to_have_attribute("srcset", re.compile(r"320w, .* 640w, .* 1280w$"))
    srcset, src = large.get_attribute("srcset") or "", large.get_attribute("src") or ""
    gallery.locator("figure").focus()
    page.keyboard.press("ArrowRight")
    expect(gallery).to_contain_text("Photo 2 sur 2")
    expect(gallery.get_by_role("img", name=ALTS[1])).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(gallery).to_contain_text("Photo 1 sur 2")
    thumbnail = gallery.get_by_role("button", name=re.compile("^Afficher la photo 2"))
    thumbnail.focus()
    outline = thumbnail.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline == "solid", outline
    page.keyboard.press("Enter")
    expect(thumbnail).to_have_attribute("aria-current", "true")
    expect(gallery.get_by_role("img", name=ALTS[1])).to_be_visible()
    assert axe_violations(page) == []

    # What the browser fetches: WebP, immutable, and nothing of the phone's metadata.
    for url in srcset.replace(",", " ").split()[::2]:
        answer = page.request.get(url)
        assert answer.ok, url
        assert answer.headers["content-type"] == "image/webp"
        assert "immutable" in answer.headers["cache-control"]
        image = Image.open(io.BytesIO(answer.body()))
        assert image.format == "WEBP"
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        assert b"Fairphone" not in answer.body()
    served = Image.open(io.BytesIO(page.request.get(src).body()))
    assert served.size == (1280, 1920)  # upright: taken sideways, 3000 × 2000

    # The README's picture: the gallery at its first photo, the phone's; no toast over it.
    page.keyboard.press("Home")
    page.evaluate("() => document.activeElement?.blur()")
    for close in page.get_by_role("button", name="Fermer ce message").all():
        close.click()
    expect(gallery).to_contain_text("Photo 1 sur 2")
    page.wait_for_load_state("networkidle")
    readme_screenshot(page, "listing-photos")

    # The search results show the cover photo beside the title.
    page.goto("/?q=Zorglub")
    hit = page.get_by_role("list", name="Résultats").get_by_role("listitem").filter(has_text=TITLE)
    expect(hit.locator("img")).to_have_attribute("srcset", re.compile(r"320w"), timeout=20_000)
