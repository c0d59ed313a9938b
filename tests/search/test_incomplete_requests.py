"""A request whose details are incomplete is imported, published, indexed and matched (issue 15);
an offer that lacks what its kind requires is still refused, naming the line and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.importers.listings import import_listings
from core.models import Listing, ListingStatus
from search.client import SearchClient
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now
from tests.search.test_matching import MATCHES
from tests.search.test_search_api import a_lab, publish


def _row(ref: str, direction: str, title: str, details: Any) -> dict[str, Any]:
    return {
        "ref": ref,
        "direction": direction,
        "kind": "MATERIAL",
        "title": title,
        "organization": "Chantier du lycée Favard",
        "commune": "23096",
        "details": details,
    }


async def test_requests_without_a_quantity_import_and_match_an_offer(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
    tmp_path: Path,
) -> None:
    rows = [  # as a spreadsheet or a database export writes them: every key, some empty
        _row("lycee:briques", "REQUEST", "Cherche briques de réemploi", {"quantity": None}),
        _row(
            "lycee:b2", "REQUEST", "Briques pleines", {"quantity": "", "unit": "", "pickup": None}
        ),
        _row("lycee:b3", "REQUEST", "Briques anciennes", None),
        _row("lycee:tuiles", "OFFER", "Tuiles de réemploi", {"quantity": None, "unit": "m2"}),
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    offer = await publish(
        search_api,
        await a_lab(session),
        kind="MATERIAL",
        title="Briques de réemploi",
        commune="Guéret",
        details={"material": {"quantity": 500, "unit": "unit"}},
    )

    report = await import_listings(session, path)
    await session.commit()
    await index_now(database, search_client)
    data = await search_api.execute(MATCHES, {"id": offer})

    assert report.lines() == [
        "line 4: details.quantity: Field required",
        "3 imported, 0 updated, 1 rejected",
    ]
    imported = (await session.exec(select(Listing).where(Listing.ref.startswith("lycee:")))).all()  # type: ignore[union-attr]
    assert {(x.ref, x.status) for x in imported} == {
        (ref, ListingStatus.PUBLISHED) for ref in ("lycee:briques", "lycee:b2", "lycee:b3")
    }
    assert {m["listing"]["title"] for m in data["node"]["matches"]} == {
        "Cherche briques de réemploi",
        "Briques pleines",
        "Briques anciennes",
    }
