"""One directory of places from several open sources (`core/importers/sources/`).

Each row of a source becomes, or updates, its `SpaceSourceRecord` (keyed by source and the
source's own id). A new record joins an existing place when a dedupe rule says they are the same
(`core/importers/dedupe.py`; the merge is written with its rule and reason), else it makes a
place of its own. A record already known stays with its place: importing a newer file updates
the records and their places, and never makes a second place.

A place shows what its records say (`compose_place`): its first record gives the name, address,
commune and position (the first record with a position of its own, if the first has none); the
others fill what is blank; typologies add up. A place an organization has claimed speaks for
itself: imports record what the sources say, and leave its details alone.

Rows are checked whole before anything is written: a rejected row leaves nothing behind; a file
without the columns its adapter needs is refused whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.dedupe import Candidate, Directory, Said
from core.importers.place_communes import CommuneIndex
from core.importers.report import ImportReport
from core.importers.sources.base import SourceRow, SpaceSource, read_source
from core.models import Commune, Space, SpaceMerge, SpaceSourceRecord
from core.models.base import utcnow

_CHUNK = 500


@dataclass
class DirectoryReport(ImportReport):
    """`imported` counts the new places, `merged` the new records that joined a place, `updated`
    the records already known."""

    rows: int = 0
    merged: int = 0

    def lines(self) -> list[str]:
        rows = [f"line {r.line}: {r.reason}" for r in self.rejected]
        rows.append(
            f"{self.rows} rows: {self.merged} merged, {self.imported} new, "
            f"{self.updated} updated, {len(self.rejected)} rejected"
        )
        return rows


def said_at_of(day: date | None) -> datetime:
    """The moment a source said what it said: its file's date (midnight UTC), or now."""
    return utcnow() if day is None else datetime.combine(day, time(), tzinfo=UTC)


async def import_source(
    session: AsyncSession,
    source: SpaceSource,
    path: Path,
    said_on: date | None = None,
    communes: CommuneIndex | None = None,
) -> DirectoryReport:
    """Import or update every valid row of `path`; rejected rows are reported by line. Several
    imports in a row may share one `communes` index (the communes table does not change)."""
    report = DirectoryReport()
    parsed = read_source(source, path)
    if parsed.refused is not None:
        report.refuse(parsed.refused.line, parsed.refused.reason)
        return report
    report.rows = len(parsed.rows) + len(parsed.rejected)
    for rejected in parsed.rejected:
        report.reject(rejected.line, rejected.reason)
    communes = communes or await CommuneIndex.load(session)
    importer = _Importer(session, source, said_at_of(said_on))
    await importer.load()
    for row in parsed.rows:
        commune = await communes.resolve(session, row)
        if commune is None:
            report.reject(row.line, f"commune: none found for {_where(row)}")
            continue
        outcome = importer.take(row, commune)
        if outcome == "updated":
            report.updated += 1
        elif outcome == "merged":
            report.merged += 1
        else:
            report.imported += 1
    await importer.write()
    report.rejected.sort(key=lambda r: r.line)
    return report


def _where(row: SourceRow) -> str:
    parts = [f"INSEE {row.insee_code}" if row.insee_code else "", row.postcode, row.city]
    return " ".join(p for p in parts if p) or "a row with no postcode, city nor position"


class _Importer:
    def __init__(self, session: AsyncSession, source: SpaceSource, said_at: datetime) -> None:
        self.session, self.source, self.said_at = session, source, said_at
        self.directory = Directory()
        self.candidates: dict[int, Candidate] = {}  # by space id
        self.records: dict[str, SpaceSourceRecord] = {}  # this source's, by key
        self.touched: dict[int, Space] = {}  # id(space) -> space
        self.pending: list[tuple[SpaceSourceRecord, Space, Candidate | None, str, str]] = []
        self.refs: set[str] = set()
        self.spaces: dict[int, Space] = {}

    async def load(self) -> None:
        """Every place, imported or made in the app, with what the matcher needs."""
        spaces = {s.id: s for s in (await self.session.exec(select(Space))).all() if s.id}
        self.refs = {s.ref for s in spaces.values() if s.ref}
        records = (await self.session.exec(select(SpaceSourceRecord))).all()
        refused = (
            await self.session.exec(
                select(SpaceMerge).where(col(SpaceMerge.undone_at).is_not(None))
            )
        ).all()
        sources: dict[int, set[str]] = {}
        located: dict[int, bool] = {}
        for record in records:
            sources.setdefault(record.space_id, set()).add(record.source)
            located[record.space_id] = located.get(record.space_id, False) or record.located
            if record.source == self.source.name:
                self.records[record.key] = record
        for space_id, space in spaces.items():
            assert space_id is not None
            candidate = Candidate(
                space_id=space_id,
                said=_said_of_space(space, located.get(space_id, True)),
                sources=sources.get(space_id, set()),
            )
            self.candidates[space_id] = candidate
            self.directory.add(candidate)
        for merge in refused:
            if merge.space_id in self.candidates:
                self.candidates[merge.space_id].refused_records.add(merge.record_id)
        self.spaces = spaces

    def take(self, row: SourceRow, commune: Commune) -> str:
        said = said_of_row(row, commune)
        record = self.records.get(row.key)
        if record is not None:
            _refresh_record(record, row, said, self.said_at)
            self.session.add(record)
            space = self.spaces.get(record.space_id)
            if space is not None:
                self.touched[id(space)] = space
            return "updated"
        record = SpaceSourceRecord(
            space_id=0,
            source=self.source.name,
            key=row.key,
            said_at=self.said_at,
        )
        _refresh_record(record, row, said, self.said_at)
        self.records[row.key] = record
        match = self.directory.match(_said_for_match(said, row.located), self.source.name)
        if match is not None:
            candidate = self.candidates[match.space_id]
            candidate.sources.add(self.source.name)
            space = self.spaces[match.space_id]
            self.pending.append((record, space, candidate, match.rule, match.reason))
            self.touched[id(space)] = space
            return "merged"
        space = Space(ref=self._free_ref(f"{self.source.ref_prefix}:{row.key}"), name=row.name)
        self.session.add(space)
        self.pending.append((record, space, None, "", ""))
        self.touched[id(space)] = space
        # Not a candidate for the rows after it: they are of the same source (see dedupe.py).
        return "new"

    def _free_ref(self, ref: str) -> str:
        ref = ref[:100]
        candidate, n = ref, 2
        while candidate in self.refs:
            candidate = f"{ref[:95]}~{n}"
            n += 1
        self.refs.add(candidate)
        return candidate

    async def write(self) -> None:
        """Places first (for their ids), then records, then merges; then the places' fields."""
        await self.session.flush()
        for record, space, _candidate, _rule, _reason in self.pending:
            assert space.id is not None
            record.space_id = space.id
            self.session.add(record)
        await self.session.flush()
        for record, space, candidate, rule, reason in self.pending:
            if candidate is not None:
                assert record.id is not None
                assert space.id is not None
                self.session.add(
                    SpaceMerge(record_id=record.id, space_id=space.id, rule=rule, reason=reason)
                )
        await compose_places(self.session, list(self.touched.values()))


def said_of_row(row: SourceRow, commune: Commune) -> dict[str, Any]:
    """What the source said, normalized: what a record keeps and a place is composed from."""
    own = row.located and row.latitude is not None and row.longitude is not None
    return {
        "name": row.name,
        "typologies": [t.value for t in row.typologies],
        "address": row.address,
        "postcode": row.postcode or (commune.postcodes.split("|")[0] if commune.postcodes else ""),
        "city": row.city,
        "commune_insee": commune.code_insee,
        "commune_name": commune.name,
        "department_code": commune.department_code,
        "region_code": commune.region_code,
        "latitude": row.latitude if own else commune.latitude,
        "longitude": row.longitude if own else commune.longitude,
        "website": row.website,
        "siret": row.siret,
        "fablabs_slug": row.fablabs_slug,
    }


def _refresh_record(
    record: SpaceSourceRecord, row: SourceRow, said: dict[str, Any], said_at: datetime
) -> None:
    record.said = said
    record.url = row.url[:500] if row.url else None
    record.located = bool(row.located and row.latitude is not None)
    record.said_at = said_at
    record.seen_at = utcnow()


def _said_for_match(said: dict[str, Any], located: bool) -> Said:
    return Said(
        name=said["name"],
        commune_insee=said["commune_insee"],
        commune_name=said["commune_name"],
        latitude=said["latitude"],
        longitude=said["longitude"],
        located=located and said["latitude"] is not None,
        siret=said.get("siret"),
        fablabs_slug=said.get("fablabs_slug"),
        website=said.get("website"),
    )


def _said_of_space(space: Space, located: bool) -> Said:
    return Said(
        name=space.name,
        commune_insee=space.commune_insee,
        commune_name=space.commune_name,
        latitude=space.latitude,
        longitude=space.longitude,
        located=located,
        siret=space.siret,
        fablabs_slug=space.fablabs_slug,
        website=space.website,
    )


async def records_of(
    session: AsyncSession, space_ids: Sequence[int]
) -> dict[int, list[SpaceSourceRecord]]:
    out: dict[int, list[SpaceSourceRecord]] = {}
    ids = sorted(set(space_ids))
    for start in range(0, len(ids), _CHUNK):
        statement = (
            select(SpaceSourceRecord)
            .where(col(SpaceSourceRecord.space_id).in_(ids[start : start + _CHUNK]))
            .order_by(col(SpaceSourceRecord.id))
        )
        for record in (await session.exec(statement)).all():
            out.setdefault(record.space_id, []).append(record)
    return out


async def compose_places(session: AsyncSession, spaces: Iterable[Space]) -> None:
    """Set each unclaimed place's details from its source records (see the module's doc)."""
    spaces = [s for s in spaces if s.id is not None]
    by_space = await records_of(session, [s.id for s in spaces if s.id is not None])
    for space in spaces:
        records = by_space.get(space.id or 0, [])
        if records and space.organization_id is None:
            compose_place(space, records)
            session.add(space)
    await session.flush()


def compose_place(space: Space, records: Sequence[SpaceSourceRecord]) -> None:
    first = records[0].said
    placed = next((r.said for r in records if r.located), first)
    address, postcode = first.get("address") or "", first.get("postcode") or ""
    if placed is not first or not address:
        address, postcode = placed.get("address") or address, placed.get("postcode") or postcode
    typologies: list[str] = []
    for record in records:
        typologies += [t for t in record.said.get("typologies", []) if t not in typologies]
    composed = {
        "name": first["name"][:200],
        "address": address[:300],
        "postcode": postcode[:5],
        "commune_insee": placed["commune_insee"],
        "commune_name": placed["commune_name"],
        "department_code": placed["department_code"],
        "region_code": placed["region_code"],
        "latitude": placed["latitude"],
        "longitude": placed["longitude"],
        "typologies": typologies,
        "website": _first(records, "website"),
        "siret": _first(records, "siret") or space.siret,
        "fablabs_slug": _first(records, "fablabs_slug"),
    }
    # Only what changed is written: an unchanged place is neither updated nor indexed again.
    changed = {k: v for k, v in composed.items() if getattr(space, k) != v}
    for key, value in changed.items():
        setattr(space, key, value)
    if changed:
        space.updated_at = utcnow()


def _first(records: Sequence[SpaceSourceRecord], field: str) -> Any:
    return next((r.said[field] for r in records if r.said.get(field)), None)
