"""Varied first pages: at most two listings of one owner with one title on the first page.

Five identical lots of one owner used to fill the first five hits, above other owners' matches
(issue 15). Meilisearch's `distinct` would keep one document of a group and hide the others
altogether, so the rule is a re-rank after the search instead, with nothing lost:

- the *first page* is the first `FIRST_PAGE` positions of the order, the web app's page size
  (`frontend/src/search/params.ts` `PAGE_SIZE`) and `Query.search`'s default `first`;
- a *group* is one owner (`organization_id`) with one title, folded (case, accents, punctuation);
- the third and later hits of a group that Meilisearch ranks inside the first page move to just
  after it; the first page fills up with the next hits instead. Only the first `WINDOW` positions
  are ever reordered; from there on the order is Meilisearch's, so any page size and any offset
  cut the same order: every listing appears exactly once across pages, and the total is unchanged;
- *unless the query names them*: a search restricted to organizations (the person asked for those
  owners' listings) is not re-ranked, and a group whose folded title has exactly the query's words
  is exempt (the person typed that title).

The cost is one bigger page from Meilisearch while the page asked for starts inside the window
(ids, titles and owners only; `bench/diversity_latency.py` measures it), none past it; a short
first page (a listing's matches) asks for three times its size, and for the window only when
duplicates crowd that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from search.text import folded_words

FIRST_PAGE = 20
PER_GROUP = 2
WINDOW = 3 * FIRST_PAGE
"""Room to demote in: the first page plus two pages of hits to fill it from."""
PREFIX = 3
"""A short first page asks for this many times its size first (see `fetch_range`)."""
FIELDS = ("organization_id", "title")
"""What a hit must carry for the re-rank."""


def fetch_range(offset: int, limit: int, *, whole: bool = False) -> tuple[int, int]:
    """The offset and limit to ask Meilisearch for so that the page `offset, limit` can be cut
    from the re-ranked order: all of the window (and up to the page's end) while the page starts
    inside it, the page itself past it. A first page shorter than `FIRST_PAGE` (a listing's 10
    matches) asks for `PREFIX` times its size first: the hits it picks are the window's first
    picks, so they settle it unless duplicates fill that prefix (`diverse_page` says so, and the
    caller asks again with `whole`)."""
    if offset >= WINDOW:
        return offset, limit
    if offset == 0 and limit * PREFIX < WINDOW and not whole:
        return 0, limit * PREFIX
    return 0, max(WINDOW, offset + limit)


def diverse_page(
    hits: Sequence[dict[str, Any]], offset: int, limit: int, text: str, *, whole: bool = False
) -> list[dict[str, Any]] | None:
    """The page `offset, limit` of the re-ranked order; `hits` are what Meilisearch answered to
    `fetch_range(offset, limit, whole=whole)`. None when they were a prefix too crowded to settle
    the page: ask again with `whole`."""
    if offset >= WINDOW:
        return list(hits)
    order, picked = _rerank(hits, text)
    asked = fetch_range(offset, limit, whole=whole)[1]
    if picked < limit and len(hits) == asked < WINDOW:
        return None
    return order[offset : offset + limit]


def rerank(hits: Sequence[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """Meilisearch's order with the first page's excess duplicates moved to just after it."""
    return _rerank(hits, text)[0]


def _rerank(hits: Sequence[dict[str, Any]], text: str) -> tuple[list[dict[str, Any]], int]:
    """The re-ranked order, and how many hits the first page picked in it."""
    named = _words(text)
    first_page: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    seen: Counter[tuple[Any, str]] = Counter()
    for hit in hits[:WINDOW]:
        group = (hit.get("organization_id"), " ".join(folded_words(str(hit.get("title", "")))))
        full = len(first_page) == FIRST_PAGE
        if full or (seen[group] >= PER_GROUP and set(group[1].split()) != named):
            held.append(hit)
            continue
        seen[group] += 1
        first_page.append(hit)
    return first_page + held + list(hits[WINDOW:]), len(first_page)


def _words(text: str) -> set[str]:
    return set(folded_words(text)) or {""}
