"""Each agreement kind renders to a PDF whose text names the parties, SIRET, period and articles."""

from __future__ import annotations

import copy
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from core.agreements.kinds import AgreementKind, kind_for
from core.agreements.render import MissingAgreementData, render, sha256
from core.models.identities import Sector
from core.models.listings import ListingKind

CREATED_AT = datetime(2027, 1, 4, 9, 30)


def party(name: str, siret: str, address: str, person: str, role: str) -> dict[str, Any]:
    return {
        "name": name,
        "siret": siret,
        "address": address,
        "representative": {"name": person, "role": role},
    }


def make_data(**own: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": "EL-2027-0042",
        "drafted_on": "4 janvier 2027",
        "provider": party(
            "Commune de Saint-Génis-l’Érable",
            "217 690 123 00014",
            "1 place de la Mairie, 69230 Saint-Génis-l’Érable",
            "Hélène Dupré",
            "maire",
        ),
        "beneficiary": party(
            "Association Œuvre Commune",
            "901 234 567 00028",
            "3 place Gambetta, 42000 Saint-Étienne",
            "François Lefèvre",
            "président",
        ),
        "object": {
            "title": "Salle polyvalente de l’école Jean-Zay",
            "description": "120 m² au rez-de-chaussée.",
            "value": "15 000,00 €",
        },
        "period": {"start": "11 janvier 2027", "end": "26 février 2027"},
        "consideration": "450,00 €",
        "handover": "Peinture écaillée près de la fenêtre nord.",
        "clauses": [{"title": "Horaires", "text": "Les locaux sont ouverts de 9 h à 22 h."}],
        "place": {
            "name": "École Jean-Zay",
            "address": "8 rue des Écoles, 69230 Saint-Génis-l’Érable",
        },
        "deposit": "300,00 €",
        "insurance": "MAIF, contrat n° 1234567",
        "use": "des ateliers de réparation ouverts au public",
        "circumstances": "le bâtiment sera démoli au printemps 2027",
        "person": {"name": "Amélie Nguyễn", "role": "médiatrice numérique"},
        "schedule": "les mardis et jeudis de 14 h à 18 h",
        "materials": [
            {"label": "Planches de chêne", "quantity": 42, "unit": "pièces"},
            {"label": "Tasseaux de pin", "quantity": 12.5, "unit": "m"},
        ],
    }
    data.update(own)
    return data


ARTICLES = {
    AgreementKind.PRET_A_USAGE: ["1875 à 1891", "article 1876", "article 1880"],
    AgreementKind.OCCUPATION_TEMPORAIRE: ["L2122-1", "L2125-1", "L2122-2"],
    AgreementKind.OCCUPATION_PRECAIRE: ["L145-5-1", "1101"],
    AgreementKind.MISE_A_DISPOSITION: ["L8241-1", "L8241-2"],
    AgreementKind.ATTESTATION_DON: ["893", "894", "931", "238 bis"],
}


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


@pytest.mark.parametrize("kind", list(AgreementKind))
def test_each_kind_names_the_parties_siret_period_and_its_articles(kind: AgreementKind) -> None:
    text = text_of(render(kind, make_data(), CREATED_AT))

    for expected in [
        "Commune de Saint-Génis-l’Érable",
        "217 690 123 00014",
        "Hélène Dupré",
        "Association Œuvre Commune",
        "901 234 567 00028",
        "François Lefèvre",
        "11 janvier 2027",
        "26 février 2027",
        "Bon pour accord",
        "faites-le relire par un juriste",
        "Les locaux sont ouverts de 9 h à 22 h.",
        *ARTICLES[kind],
    ]:
        assert expected in text, (kind, expected)


def test_the_amounts_and_quantities_are_printed() -> None:
    loan = text_of(render(AgreementKind.PRET_A_USAGE, make_data(), CREATED_AT))
    gift = text_of(render(AgreementKind.ATTESTATION_DON, make_data(), CREATED_AT))

    assert "15 000,00 €" in loan
    assert "450,00 €" in loan
    assert "300,00 €" in loan
    assert "Planches de chêne 42 pièces" in gift
    assert "12.5" in gift


def test_free_public_premises_cite_the_non_profit_general_interest_rule() -> None:
    text = text_of(
        render(AgreementKind.OCCUPATION_TEMPORAIRE, make_data(consideration=None), CREATED_AT)
    )

    assert "à titre gratuit" in text
    assert "but non lucratif concourant à la satisfaction d’un intérêt général" in text
    assert "redevance de" not in text


def test_the_same_inputs_give_the_same_bytes() -> None:
    first = render(AgreementKind.PRET_A_USAGE, make_data(), CREATED_AT)
    second = render(AgreementKind.PRET_A_USAGE, copy.deepcopy(make_data()), CREATED_AT)

    assert sha256(first) == sha256(second)
    assert len(sha256(first)) == 64


def test_another_clause_or_date_gives_another_hash() -> None:
    base = sha256(render(AgreementKind.PRET_A_USAGE, make_data(), CREATED_AT))
    edited = make_data(
        clauses=[{"title": "Horaires", "text": "Les locaux sont ouverts de 9 h à 23 h."}]
    )

    assert sha256(render(AgreementKind.PRET_A_USAGE, edited, CREATED_AT)) != base
    later = CREATED_AT.replace(minute=31)
    assert sha256(render(AgreementKind.PRET_A_USAGE, make_data(), later)) != base


def test_a_missing_or_empty_field_is_named_before_rendering() -> None:
    data = make_data(circumstances="")
    del data["beneficiary"]["siret"]
    del data["deposit"]

    with pytest.raises(MissingAgreementData) as raised:
        render(AgreementKind.OCCUPATION_PRECAIRE, data, CREATED_AT)

    assert raised.value.fields == ["beneficiary.siret", "circumstances", "deposit"]


@pytest.mark.parametrize(
    ("listing_kind", "sector", "free", "expected"),
    [
        (ListingKind.PREMISES, Sector.PUBLIC, True, AgreementKind.OCCUPATION_TEMPORAIRE),
        (ListingKind.PREMISES, Sector.PUBLIC, False, AgreementKind.OCCUPATION_TEMPORAIRE),
        (ListingKind.PREMISES, Sector.PRIVATE, True, AgreementKind.PRET_A_USAGE),
        (ListingKind.PREMISES, Sector.PRIVATE, False, AgreementKind.OCCUPATION_PRECAIRE),
        (ListingKind.EQUIPMENT, Sector.PUBLIC, False, AgreementKind.PRET_A_USAGE),
        (ListingKind.EQUIPMENT, Sector.PRIVATE, True, AgreementKind.PRET_A_USAGE),
        (ListingKind.SKILL, Sector.PRIVATE, True, AgreementKind.MISE_A_DISPOSITION),
        (ListingKind.SKILL, Sector.PUBLIC, False, AgreementKind.MISE_A_DISPOSITION),
        (ListingKind.MATERIAL, Sector.PRIVATE, True, AgreementKind.ATTESTATION_DON),
        (ListingKind.MATERIAL, Sector.PUBLIC, True, AgreementKind.ATTESTATION_DON),
    ],
)
def test_kind_for_follows_the_design_table(
    listing_kind: ListingKind, sector: Sector, free: bool, expected: AgreementKind
) -> None:
    assert kind_for(listing_kind, sector, free) is expected


@pytest.mark.parametrize("kind", list(AgreementKind))
def test_each_kind_draws_as_an_a4_page_with_pdftoppm_like_its_committed_golden(
    kind: AgreementKind,
) -> None:
    """The golden pictures (docs/screenshots/agreement-*.png, `make agreements`) are Poppler's
    drawing of the product's own PDF: drawn again here, page 1 is an A4 page with text on it,
    the size of the committed picture."""
    from PIL import Image, ImageOps

    from dev.render_agreements import COMMON, SAMPLES, first_page_png
    from dev.render_agreements import CREATED_AT as SAMPLE_AT

    png = first_page_png(render(kind, {**COMMON, **SAMPLES[kind]}, SAMPLE_AT))
    page = Image.open(io.BytesIO(png))
    width, height = page.size
    assert abs(height / width - 297 / 210) < 0.01  # A4, portrait
    inked = ImageOps.invert(page.convert("L")).point(lambda v: 255 if v > 128 else 0)
    share = sum(inked.histogram()[255:]) / (width * height)
    assert 0.01 < share < 0.2, share  # text, neither a blank page nor a black one
    golden = Path("docs/screenshots") / f"agreement-{kind.value.replace('_', '-')}.png"
    with Image.open(golden) as committed:
        assert committed.size == page.size


@pytest.mark.parametrize(
    ("nonprofit", "expected"),
    [(True, "étant une association qui poursuit"), (False, "les parties vérifient")],
)
def test_free_public_premises_claim_the_association_case_only_for_a_nonprofit(
    nonprofit: bool, expected: str
) -> None:
    data = make_data(consideration=None)
    data["beneficiary"]["nonprofit"] = nonprofit
    text = text_of(render(AgreementKind.OCCUPATION_TEMPORAIRE, data, CREATED_AT))
    assert expected in text
