"""When two open sources describe the same place: the rules, as a person reads them.

A record arriving from a source joins an existing place when the FIRST of these rules holds:

1. SIRET      both carry the same SIRET (14 digits), wherever they are.
2. FABLABS_IO both point to the same fablabs.io lab (its slug, e.g. `ping`).
3. WEBSITE    both have a website on the same domain (its last two labels: `fablab.pingbase.net`
              is `pingbase.net`; three under `asso.fr`, `gouv.fr`, `co.uk`...) AND are in the
              same commune. Domains that host many unrelated sites never count: social networks
              (facebook.com, twitter.com, instagram.com, linkedin.com, ...) and site builders or
              blog hosts (wordpress.com, wixsite.com, sites.google.com, over-blog.com, ...), see
              `SHARED_DOMAINS`.
4. NAME       same commune, names similar at `NAME_THRESHOLD` (0.85) or more, and at most
              `NEAR_METRES` (300 m) apart; or the very same name (the same words once the
              common ones below are left out, and at least one left: not "Espace numérique")
              at most `FAR_METRES` (3 km) apart, as some sources put a lab at its town's
              centre. When either
              position is only its commune's centroid (the source gave no coordinates), the
              distance cannot say anything: the names must then be similar at
              `NAME_THRESHOLD_WITHOUT_POSITION` (0.95).
              Names are compared folded (no accents, no case, no punctuation), without small
              words (le, la, de, ...), words every such place has (coworking, fablab, espace,
              tiers-lieu, ...) and the commune's own name; the score is difflib's ratio of what
              is left, or 1.0 when every remaining word of one name is in the other ("Hubsy" and
              "Hubsy Café"). A name that says it is an organization (association, coopérative,
              SCIC, collectif, ...) never joins a name that does not: a fablab and the association
              that runs it are two things.

And never:
- into a place that already holds a record of the same source (a source that lists two places
  means two places);
- into a place this record was split from by an administrator (an undone merge).

Among several places a rule allows, the most similar name wins, then the nearest. Each merge is
written with its rule and a French reason with the figures ("nom similaire à 0,93, à 40 m, même
commune"); see `core/models/space_sources.py`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from core.services.communes import haversine_km

NAME_THRESHOLD = 0.85
NAME_THRESHOLD_WITHOUT_POSITION = 0.95
NEAR_METRES = 300.0
FAR_METRES = 3000.0

SMALL_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "de",
        "du",
        "des",
        "d",
        "et",
        "and",
        "a",
        "au",
        "aux",
        "en",
        "the",
        "of",
        "chez",
        "sur",
        "sous",
        "un",
        "une",
    ]
)
GENERIC_WORDS = frozenset(
    [
        "coworking",
        "coworkings",
        "cowork",
        "co",
        "working",
        "espace",
        "espaces",
        "tiers",
        "lieu",
        "lieux",
        "fablab",
        "fablabs",
        "fab",
        "lab",
        "labs",
        "makerspace",
        "hackerspace",
        "cafe",
        "telecentre",
        "centre",
        "numerique",
    ]
)
ORGANIZATION_WORDS = frozenset(
    [
        "association",
        "asso",
        "cooperative",
        "coop",
        "scic",
        "scop",
        "sarl",
        "sas",
        "collectif",
        "federation",
        "syndicat",
        "fondation",
    ]
)
SHARED_DOMAINS = frozenset(
    [
        "facebook.com",
        "fb.com",
        "fb.me",
        "twitter.com",
        "x.com",
        "instagram.com",
        "linkedin.com",
        "youtube.com",
        "meetup.com",
        "helloasso.com",
        "eventbrite.fr",
        "eventbrite.com",
        "linktr.ee",
        "wordpress.com",
        "blogspot.com",
        "blogspot.fr",
        "wixsite.com",
        "wix.com",
        "google.com",
        "sites.google.com",
        "goo.gl",
        "over-blog.com",
        "over-blog.fr",
        "overblog.com",
        "canalblog.com",
        "jimdo.com",
        "jimdofree.com",
        "jimdosite.com",
        "e-monsite.com",
        "weebly.com",
        "webnode.fr",
        "webnode.com",
        "tumblr.com",
        "free.fr",
        "wanadoo.fr",
        "orange.fr",
        "sfr.fr",
        "github.io",
        "gitlab.io",
        "fablabs.io",
        "business.site",
        "site123.me",
        "sitew.com",
        "strikingly.com",
        "simplesite.com",
        "pagesjaunes.fr",
    ]
)

SECOND_LEVEL = frozenset(["asso", "gouv", "co", "com", "org", "net", "ac", "nom", "tm", "presse"])
"""`mon-lieu.asso.fr` is a domain of its own, not `asso.fr`."""


@dataclass(frozen=True)
class Said:
    """What the matcher compares of a record or a place."""

    name: str
    commune_insee: str | None
    commune_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    located: bool = True
    siret: str | None = None
    fablabs_slug: str | None = None
    website: str | None = None


@dataclass
class Candidate:
    """A place as the matcher sees it: what its records say, and who may not join it."""

    space_id: int
    said: Said
    sources: set[str] = field(default_factory=set)
    refused_records: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Match:
    space_id: int
    rule: str
    reason: str


class Directory:
    """The places already known, indexed for the four rules."""

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self.by_siret: dict[str, list[Candidate]] = {}
        self.by_slug: dict[str, list[Candidate]] = {}
        self.by_commune: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            self.add(candidate)

    def add(self, candidate: Candidate) -> None:
        said = candidate.said
        if said.siret:
            self.by_siret.setdefault(said.siret, []).append(candidate)
        if said.fablabs_slug:
            self.by_slug.setdefault(said.fablabs_slug.lower(), []).append(candidate)
        if said.commune_insee:
            self.by_commune.setdefault(said.commune_insee, []).append(candidate)

    def match(self, said: Said, source: str, record_id: int | None = None) -> Match | None:
        def allowed(candidate: Candidate) -> bool:
            return source not in candidate.sources and (
                record_id is None or record_id not in candidate.refused_records
            )

        if said.siret:
            for candidate in filter(allowed, self.by_siret.get(said.siret, [])):
                return Match(candidate.space_id, "SIRET", f"même SIRET {said.siret}")
        if said.fablabs_slug:
            for candidate in filter(allowed, self.by_slug.get(said.fablabs_slug.lower(), [])):
                reason = f"même fiche fablabs.io « {said.fablabs_slug} »"
                return Match(candidate.space_id, "FABLABS_IO", reason)
        neighbours = [c for c in self.by_commune.get(said.commune_insee or "", []) if allowed(c)]
        domain = website_domain(said.website)
        if domain:
            for candidate in neighbours:
                if website_domain(candidate.said.website) == domain:
                    reason = f"même site web {domain}, même commune"
                    return Match(candidate.space_id, "WEBSITE", reason)
        return _by_name(said, neighbours)


def _by_name(said: Said, neighbours: list[Candidate]) -> Match | None:
    best: tuple[float, float, Candidate, float | None] | None = None
    for candidate in neighbours:
        score = name_similarity(said.name, candidate.said.name, said.commune_name)
        metres = _metres(said, candidate.said)
        threshold = NAME_THRESHOLD if metres is not None else NAME_THRESHOLD_WITHOUT_POSITION
        reach = FAR_METRES if _same_name(said, candidate.said) else NEAR_METRES
        if score < threshold or (metres is not None and metres > reach):
            continue
        if _is_organization(said.name) != _is_organization(candidate.said.name):
            continue
        closeness = -(metres or 0.0)
        if best is None or (score, closeness) > best[:2]:
            best = (score, closeness, candidate, metres)
    if best is None:
        return None
    score, _, candidate, metres = best
    where = "position de la commune seulement" if metres is None else f"à {metres:.0f} m"
    reason = f"nom similaire à {score:.2f}".replace(".", ",") + f", {where}, même commune"
    return Match(candidate.space_id, "NAME", reason)


def _same_name(a: Said, b: Said) -> bool:
    """The very same words of their own ("Artilect FabLab Toulouse" twice), not only common ones."""
    words = set(_distinctive(a.name, a.commune_name))
    return bool(words) and words == set(_distinctive(b.name, a.commune_name))


def _metres(a: Said, b: Said) -> float | None:
    """Metres between two positions given by their sources; None when either is a centroid."""
    if not (a.located and b.located):
        return None
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    assert a.latitude is not None
    assert a.longitude is not None
    assert b.latitude is not None
    assert b.longitude is not None
    return 1000.0 * haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def fold_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [w for w in re.split(r"[^a-z0-9]+", folded) if w]


def _distinctive(name: str, commune_name: str) -> list[str]:
    commune = set(fold_words(commune_name))
    return [
        w
        for w in fold_words(name)
        if w not in SMALL_WORDS and w not in GENERIC_WORDS and w not in commune
    ]


def name_similarity(a: str, b: str, commune_name: str = "") -> float:
    """1.0 for the same name; see rule 4 at the top of this module."""
    words_a, words_b = _distinctive(a, commune_name), _distinctive(b, commune_name)
    if not words_a or not words_b:
        words_a, words_b = fold_words(a), fold_words(b)
    text_a, text_b = " ".join(words_a), " ".join(words_b)
    shorter, longer = sorted((words_a, words_b), key=len)
    if len("".join(shorter)) >= 3 and set(shorter) <= set(longer):
        return 1.0
    return round(difflib.SequenceMatcher(None, text_a, text_b).ratio(), 2)


def _is_organization(name: str) -> bool:
    return any(w in ORGANIZATION_WORDS for w in fold_words(name))


def website_domain(url: str | None) -> str | None:
    """`https://www.Example.org/page` -> `example.org`; None for shared hosts and non-URLs."""
    if not url or not url.strip():
        return None
    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        host = (urlsplit(text).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    labels = host.removeprefix("www.").split(".")
    if len(labels) < 2 or not all(labels):
        return None
    if any(".".join(labels[i:]) in SHARED_DOMAINS for i in range(len(labels))):
        return None
    keep = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])
