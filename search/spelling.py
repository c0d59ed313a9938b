"""French misspellings: a phonetic key, and a lexicon that puts the known word back in a query.

People write what they hear: "kincaillerie", "fotocopieuse", "ettagère", "carelage". Meilisearch
forgives one typo from 4 letters and two only from 8, and a typo on the first letter counts
double, so these miss. `Lexicon.correct` replaces each unknown query word by the known word that
sounds the same (same `phonetic_key`), before the query reaches Meilisearch.

Why the query is corrected rather than a phonetic field indexed (`title_phonetic` searched with
the query's keys): Meilisearch sends one `q` to every searchable attribute, so searching keys
needs a second query on every search (a multi-search merged by hand, or federation), and keys
collide ("porte", "port", "portes") in a way no ranking rule separates. Measured on the list of
`tests/search/misspellings.csv`, one document per word in a real Meilisearch: the intended
document first for 300 of 314 misspellings corrected, 295 searched by keys (251 as typed); in the
first five 305 against 312; but correctly spelled words keep their document first 191 of 193
times as typed or corrected, and only 149 times searched by keys. The correction costs one dict
lookup per unknown word, leaves known words alone, and keeps the ranking Meilisearch already has.
Words one typo from their known word are left to Meilisearch's own typo tolerance, which also
ranks an exact word first ("planche" is not turned into "plancher").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from core.settings import DEFAULT_DATA_DIR
from search import vocabulary
from search.text import fold

# The rules of `phonetic_key`, applied in this order to a folded word (lower case, no accents,
# letters only). Upper-case letters stand for a sound with several spellings, so a later rule
# never rewrites them. Each line says which confusion it absorbs.
RULES: tuple[tuple[str, str, str], ...] = (
    (r"([aeiouy])m(?=[bp])", r"\1n", "m before b/p is the n of a nasal: emballage/enballage"),
    (r"([^aeiouy])\1+", r"\1", "doubled consonants: carrelage/carelage, ettagère/étagère"),
    (r"ph", "f", "ph/f: photocopieuse/fotocopieuse, graphisme/grafisme"),
    (r"qu?", "k", "qu/q/k: quincaillerie/kincaillerie, étiqueteuse/étiketeuse"),
    (r"ck", "k", "ck/k"),
    (r"sc(?=[eiy])", "s", "sc/s before e, i: scie/sie"),
    (r"c(?=[eiy])", "s", "soft c/s: cintreuse/sintreuse"),
    (r"ch(?=[lnr])", "k", "ch before a consonant is k: technique/teknique, chrome/krome"),
    (r"s?ch", "C", "ch/sh/sch: one sound"),
    (r"sh", "C", "ch/sh"),
    (r"c", "k", "hard c/k: carrelage/karrelage"),
    (r"gu(?=[eiy])", "g", "gu/g before e, i: guide/gide"),
    (r"g(?=[eiy])|j", "J", "soft g/j: étagère/étajère, géotextile/jéotextile"),
    (r"x$", "s", "final x is a silent plural mark, as s"),
    (r"x", "ks", "x/ks/cs: texte/tekste"),
    (r"eau|au", "o", "o/au/eau: rouleau/roulo, taupe/tope"),
    (r"ou", "U", "ou, one sound"),
    (r"oi|oy", "W", "oi/oy: one sound"),
    (r"[ae]in(?=[^aeiouy]|$)", "I", "ain/ein/in: peinture/pinture"),
    (r"[iy]n(?=[^aeiouy]|$)", "I", "in/yn nasal"),
    (r"[ae]n(?=[^aeiouy]|$)", "A", "an/en nasal: entrepôt/antrepôt, ensemble/ansemble"),
    (r"ai|ei|ay|ey", "e", "ai/ei/è/é: peinture/pénture, maison/mèson"),
    (r"y", "i", "y/i: polystyrène/polistirène"),
    (r"h", "", "silent h: hangar/angar, thermique/termique"),
    (r"w", "v", "w/v: wagon/vagon"),
    (r"z", "s", "z/s: gazon/gason"),
    (r"t(?=ion)", "s", "-tion/-sion: isolation/isolasion"),
    (r"([^aeiouy])\1+", r"\1", "doubled again after the rewrites: accès -> akses"),
    (r"(?:er|ez|et|e)?[sxtdpz]*$", "", "silent endings: atelier/atelié, portes/porte, é/er/ez/et"),
)
_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement, _ in RULES)

MIN_LETTERS = 4
"""Shorter words are left as typed: their keys collide too often to choose."""
MAX_CANDIDATES = 6
"""More known words than this under one key is ambiguous: the word is left as typed."""

_WORD = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"[^"]*"')


@lru_cache(maxsize=65_536)
def phonetic_key(word: str) -> str:
    """The word as it sounds, roughly: two spellings a French reader says alike share a key."""
    key = re.sub(r"[^a-z]", "", fold(word))
    for pattern, replacement in _COMPILED:
        key = pattern.sub(replacement, key)
    return key


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance; only run between a word and the few known words of its key."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Lexicon:
    """Known words (folded), and the known words of each phonetic key, tier by tier: a word is
    put back to a word of the first tier that has one with its key (the domain's words before
    the taxonomies' general ones), never to a word that is only known (a commune's name)."""

    words: frozenset[str]
    tiers: tuple[dict[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, *tiers: Iterable[str], known_only: Iterable[str] = ()) -> Lexicon:
        folded = [frozenset(fold(word) for word in tier) for tier in tiers]
        known = frozenset().union(*folded, (fold(word) for word in known_only))
        return cls(known, tuple(_by_key(tier) for tier in folded))

    def correct(self, text: str) -> str:
        """The text with each unknown word of 4 letters or more replaced by the known word that
        sounds the same; quoted phrases, numbers, known words and ambiguous words as typed."""
        parts = []
        start = 0
        for quoted in _QUOTED.finditer(text):
            parts.append(_WORD.sub(self._replace, text[start : quoted.start()]))
            parts.append(quoted.group())
            start = quoted.end()
        parts.append(_WORD.sub(self._replace, text[start:]))
        return "".join(parts)

    def correct_word(self, word: str) -> str:
        folded = fold(word)
        if len(folded) < MIN_LETTERS or not folded.isalpha() or folded in self.words:
            return word
        key = phonetic_key(folded)
        for by_key in self.tiers:
            if candidates := by_key.get(key, ()):
                return _closest(word, folded, candidates)
        return word

    def _replace(self, match: re.Match[str]) -> str:
        return self.correct_word(match.group())


def _by_key(words: frozenset[str]) -> dict[str, tuple[str, ...]]:
    by_key: dict[str, set[str]] = {}
    for word in words:
        if len(word) >= MIN_LETTERS and word.isalpha():
            for key in _keys_of_known(word):
                by_key.setdefault(key, set()).add(word)
    return {key: tuple(sorted(group)) for key, group in by_key.items()}


def _closest(word: str, folded: str, candidates: tuple[str, ...]) -> str:
    """The candidate `word` is a misspelling of, or `word` when none is clearly it."""
    if len(candidates) > MAX_CANDIDATES:
        return word
    ranked = sorted((edit_distance(folded, known), known) for known in candidates)
    (distance, closest), *others = ranked
    if others and others[0][0] == distance:
        return word  # two known words as close: no way to choose
    if distance * 2 > max(len(folded), len(closest)):
        return word  # more than half the letters differ: the same key by accident
    if distance == 1 and closest[0] == folded[0]:
        return word  # Meilisearch's one typo finds it, and still ranks an exact word first
    return closest


def _keys_of_known(word: str) -> set[str]:
    """A known word is also found under the spellings its key cannot hear: a folded word lost
    its cedillas ("facade" is heard "fassade"), and a writer drops the u of "gu" ("gitare")."""
    variants = {word, re.sub(r"(?<=.)c(?=[aou])", "s", word), re.sub(r"gu(?=[eiy])", "g", word)}
    return {phonetic_key(variant) for variant in variants}


def domain_words() -> frozenset[str]:
    """The words corrections lead to first: the search vocabulary's (`data/search/
    concepts.csv`, its hand-written synonyms included) and the shipped categories' labels."""
    labels = (DEFAULT_DATA_DIR / "taxonomy.csv").read_text(encoding="utf-8")
    return vocabulary.words() | frozenset(_WORD.findall(fold(labels)))


def taxonomy_words() -> frozenset[str]:
    """Then every word of the taxonomies (`data/search/lexicon.txt`, `dev/build_lexicon.py`):
    ROME's trades, ADEME's objects, the 2011 order's materials, machine brands."""
    return frozenset((DEFAULT_DATA_DIR / "search" / "lexicon.txt").read_text().split())


def place_words() -> frozenset[str]:
    """Known, never led to: the communes' names (a place typed in the text is no misspelling)."""
    with (DEFAULT_DATA_DIR / "communes.csv").open(encoding="utf-8", newline="") as handle:
        names = " ".join(row["nom"] for row in csv.DictReader(handle))
    return frozenset(_WORD.findall(fold(names)))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.of(domain_words(), taxonomy_words(), known_only=place_words())


def correct(text: str) -> str:
    """The query as `search_body` sends it: misspelled words put back to the known word."""
    return default_lexicon().correct(text)
