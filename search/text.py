"""How search compares words: one folding for the vocabulary, the spelling lexicon, matching
and the diversity rule, so "Tuiles", "tuiles" and "tuilés" are the same word everywhere."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents dropped, ligatures spelled out ("œuvre" is "oeuvre")."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def folded_words(text: str) -> list[str]:
    """The folded text's words: runs of letters and digits."""
    return _WORD.findall(fold(text))
