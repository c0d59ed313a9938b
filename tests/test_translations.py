"""The English interface says nothing in French: every key of `fr` is in `en`, and worded in
English; the same text is allowed only for the words, names and formats of `SAME_IN_BOTH`."""

from __future__ import annotations

import json
from pathlib import Path

LOCALES = Path(__file__).resolve().parents[1] / "frontend" / "src" / "i18n" / "locales"


def test_no_french_left_in_the_english_messages() -> None:
    """Every key of `fr` is in `en`, worded in English: the same text only for an allowed word."""
    untranslated = _untranslated()
    assert not untranslated, f"untranslated keys: {untranslated}"


# Words that are the same in both languages, names, and formats: allowed to read the same.
SAME_IN_BOTH = {
    "app.name", "nav.notifications", "lang.fr", "lang.en", "search.radiusKm", "commune.option",
    "signin.proconnectName", "placeholder.notifications", "onboarding.kinds.ASSOCIATION",
    "listing.description", "listing.skill.format", "listing.skill.levels.EXPERT",
    "listing.premises.surfaceValue", "listing.material.unitWeightValue", "listing.form.message",
    "listing.material.units.kg", "listing.material.units.t", "listing.material.units.m",
    "listing.material.units.m2", "listing.material.units.m3", "listing.material.units.l",
    "listing.material.units.other", "places.place.fabrique", "places.organization.siret",
    "places.admin.title", "places.impact.title", "places.orgKind.ASSOCIATION",
    "places.typology.COWORKING", "places.typology.FABLAB", "places.typology.MAKERSPACE",
    "places.typology.HACKERSPACE", "places.typology.LIVING_LAB", "publish.common.description",
    "publish.details.format", "publish.level.EXPERT", "publish.units.kg", "publish.units.m2",
    "publish.units.m3", "publish.units.l", "publish.preview.price", "exchanges.terms.quantity",
    "exchanges.page.impact", "exchanges.page.kg", "exchanges.messages.title",
    "exchanges.messages.from", "exchanges.messages.label", "exchanges.notifications.title",
    "exchanges.notifications.kind.EXCHANGE_MESSAGE", "exchanges.notifications.hours",
    "photos.legend", "photos.item", "places.sources.title", "territory.kicker.COMMUNE",
    "agreements.versions.title", "agreements.versions.number", "publish.training.summary",
}  # fmt: skip


def _untranslated() -> list[str]:
    def flat(node: object, prefix: str = "") -> dict[str, object]:
        if isinstance(node, dict):
            out: dict[str, object] = {}
            for key, value in node.items():
                out |= flat(value, f"{prefix}{key}.")
            return out
        return {prefix.rstrip("."): node}

    def load(lang: str) -> dict[str, object]:
        messages = flat(json.loads(Path(LOCALES / f"{lang}.json").read_text()))
        for area in sorted((LOCALES / lang).glob("*.json")):
            messages |= flat(json.loads(area.read_text()), f"{area.stem}.")
        return messages

    french, english = load("fr"), load("en")
    missing = [f"{key} (missing from en)" for key in french if key not in english]
    same = [
        f"{key} (en = fr: {text!r})"
        for key, text in french.items()
        if english.get(key) == text and key not in SAME_IN_BOTH
    ]
    return missing + same
