"""Listings from JSON Lines (`.jsonl`) or CSV (`.csv`); the format is in docs/IMPORT.md.

Each row goes through the same `ListingDraft` validation as `listingPublish`, so problems read
the same and name the field as the file spells it (`lat`, not `latitude`). Each row is written
inside its own SAVEPOINT: a rejected row leaves nothing behind (not even the organization it
would have created) while the rows around it are kept. A `ref` already in the database updates
that listing when it belongs to the same organization; nothing is ever duplicated.

Organizations, places, communes and existing refs are looked up once per import and cached,
so a row costs only its own writes (the listing and its outbox event) inside its SAVEPOINT.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ImportErrorCode, OrganizationErrorCode
from core.errors import DomainError, FieldProblem, InvalidInput
from core.importers.file_checks import FileRefused
from core.importers.listing_files import FIELDS, LISTING_FIELDS, Row, read_rows
from core.importers.report import ImportReport
from core.models import Commune, Listing, Organization, OrganizationKind, Space
from core.services.communes import nearest_commune, resolve_commune
from core.services.listing_commands import ListingDraft
from core.services.listings import add_listing, replace_listing
from core.services.organizations import OrganizationDraft, add_organization, organization_by_siret
from core.services.validation import normalize_siret, parse, siret_problem

# The command's names for what the file calls otherwise, and back for the problems.
_TO_DRAFT = {"lat": "latitude", "lon": "longitude"}
_TO_FILE = {"latitude": "lat", "longitude": "lon", "space_id": "space_ref"}
_ORGANIZATION_TO_FILE = {
    "name": "organization",
    "kind": "organization_kind",
    "siret": "organization_siret",
}
_REF_CHUNK = 500


@dataclass(frozen=True)
class _OrganizationKey:
    siret: str | None
    name: str | None
    kind: str | None
    siret_field: str = "organization_siret"


async def import_listings(
    session: AsyncSession, path: Path, organization: str | None = None
) -> ImportReport:
    """Create or update a listing per valid row; every rejected row is reported with its line.
    A file that cannot be read as a whole (`FileRefused`) writes nothing."""
    try:
        rows = list(read_rows(path))
    except FileRefused as refusal:
        report = ImportReport()
        report.refuse(refusal.line, refusal.reason)
        return report
    return await import_rows(session, rows, organization)


async def import_rows(
    session: AsyncSession, rows: list[Row], organization: str | None = None
) -> ImportReport:
    """`import_listings` for rows already read (the living demo generates its rows)."""
    report = ImportReport()
    importer = _Importer(session, organization)
    await importer.load_refs(rows)
    for row in rows:
        if row.data is None:
            report.reject(row.line, row.problem or "unreadable row")
            continue
        try:
            updated = await importer.import_row(row.data)
        except InvalidInput as error:
            report.reject(row.line, _reason(error.problems))
        except DomainError as error:
            report.reject(row.line, error.message)
        except (IntegrityError, DataError) as error:
            report.reject(row.line, f"the database refused the row: {_first_line(error.orig)}")
        else:
            if updated:
                report.updated += 1
            else:
                report.imported += 1
    return report


class _Importer:
    """The caches of one import, and the steps of one row."""

    def __init__(self, session: AsyncSession, default_organization: str | None) -> None:
        self.session = session
        self.default = _default_key(default_organization)
        self.refs: dict[str, tuple[int, int]] = {}  # ref -> (listing id, organization id)
        self.organizations: dict[tuple[str, str], Organization | None] = {}
        self.spaces: dict[str, Space | None] = {}
        self.communes: dict[str, Commune] = {}
        self.nearest: dict[tuple[float, float], Commune | None] = {}
        # The session's identity map holds objects weakly: these keep cached rows in it.
        self._held: list[object] = []

    async def load_refs(self, rows: list[Row]) -> None:
        refs = sorted(
            {r.data["ref"].strip() for r in rows if r.data and isinstance(r.data.get("ref"), str)}
        )
        for start in range(0, len(refs), _REF_CHUNK):
            statement = select(Listing).where(Listing.ref.in_(refs[start : start + _REF_CHUNK]))  # type: ignore[union-attr]
            for listing in (await self.session.exec(statement)).all():
                self._remember(listing)

    async def import_row(self, data: dict[str, Any]) -> bool:
        """Write one row; True when it updated an existing listing. Raises on a bad row."""
        draft, key = self._validate(data)
        assert draft.ref is not None
        await self._place(draft, data.get("space_ref"))
        created: list[tuple[tuple[str, str], Organization]] = []
        async with self.session.begin_nested():
            organization = await self._organization(key, created)
            assert organization.id is not None
            existing = self.refs.get(draft.ref)
            if existing is None:
                listing = await add_listing(self.session, organization.id, draft)
            elif existing[1] != organization.id:
                raise InvalidInput.one("ref", ImportErrorCode.REF_OF_ANOTHER_ORGANIZATION)
            else:
                found = await self.session.get(Listing, existing[0])
                assert found is not None
                listing = await replace_listing(self.session, found, draft)
        # Only now is the row for good: cache what it created.
        for cache_key, new in created:
            self.organizations[cache_key] = new
            self._hold(new)
        self._remember(listing)
        return existing is not None

    def _validate(self, data: dict[str, Any]) -> tuple[ListingDraft, _OrganizationKey]:
        problems = [
            FieldProblem(k, ImportErrorCode.UNKNOWN_COLUMN) for k in sorted(data.keys() - FIELDS)
        ]
        if not data.get("ref"):
            problems.append(FieldProblem("ref", ImportErrorCode.REF_MISSING))
        draft: ListingDraft | None = None
        fields = {_TO_DRAFT.get(k, k): v for k, v in data.items() if k in LISTING_FIELDS}
        fields.pop("space_ref", None)
        if not data.get("ref"):
            fields.pop("ref", None)
        try:
            draft = parse(ListingDraft, fields)
        except InvalidInput as error:
            problems += error.problems
        key, key_problems = self._organization_key(data)
        problems += key_problems
        if problems or draft is None or key is None:
            raise InvalidInput(problems)
        return draft, key

    def _organization_key(
        self, data: dict[str, Any]
    ) -> tuple[_OrganizationKey | None, list[FieldProblem]]:
        kind, name, siret = (
            data.get("organization_kind"),
            data.get("organization"),
            data.get("organization_siret"),
        )
        problems = []
        if kind is not None and (
            not isinstance(kind, str) or kind not in OrganizationKind.__members__
        ):
            choices = ", ".join(OrganizationKind.__members__)
            problems.append(
                FieldProblem(
                    "organization_kind", ImportErrorCode.NOT_AN_ORGANIZATION_KIND, value=choices
                )
            )
        for field, value in (("organization", name), ("organization_siret", siret)):
            if value is not None and not isinstance(value, str):
                problems.append(FieldProblem(field, ImportErrorCode.CELL_NOT_TEXT))
        if problems:
            return None, problems
        if siret is not None:
            siret = normalize_siret(siret)
            if problem := siret_problem(siret):
                return None, [FieldProblem("organization_siret", problem)]
        name = (name or "").strip() or None
        if siret or name:
            return _OrganizationKey(siret or None, name, kind), []
        if self.default is None:
            return None, [FieldProblem("organization", ImportErrorCode.ORGANIZATION_MISSING)]
        return self.default, []

    async def _organization(
        self, key: _OrganizationKey, created: list[tuple[tuple[str, str], Organization]]
    ) -> Organization:
        """The organization a row names; if unknown, created unverified inside the SAVEPOINT."""
        if key.siret:
            found = await self._cached_organization(("siret", key.siret))
            if found is not None:
                return found
            if not key.name:
                code = OrganizationErrorCode.UNKNOWN_SIRET
                raise InvalidInput.one(key.siret_field, code, value=key.siret)
        else:
            assert key.name is not None
            found = await self._cached_organization(("name", key.name))
            if found is not None:
                return found
        fields = {
            "name": key.name,
            "kind": key.kind or OrganizationKind.TIERS_LIEU,
            "siret": key.siret,
        }
        try:
            organization = await add_organization(self.session, parse(OrganizationDraft, fields))
        except InvalidInput as error:
            renamed = [
                replace(p, field=_ORGANIZATION_TO_FILE.get(p.field, p.field))
                for p in error.problems
            ]
            raise InvalidInput(renamed) from None
        created.append((("name", organization.name), organization))
        if organization.siret:
            created.append((("siret", organization.siret), organization))
        return organization

    async def _cached_organization(self, cache_key: tuple[str, str]) -> Organization | None:
        if cache_key not in self.organizations:
            kind, value = cache_key
            if kind == "siret":
                found = await organization_by_siret(self.session, value)
            else:
                statement = select(Organization).where(Organization.name == value)
                found = (await self.session.exec(statement.order_by(Organization.id))).first()  # type: ignore[arg-type]
            self.organizations[cache_key] = found
            self._hold(found)
        return self.organizations[cache_key]

    async def _place(self, draft: ListingDraft, space_ref: Any) -> None:
        """Resolve the space and commune through the caches, leaving `locate` no query to make.

        The draft then names its commune by INSEE code, which the location service finds in the
        session's identity map, so placement runs the very code `listingPublish` runs.
        """
        if space_ref is not None:
            draft.space_id = (await self._space(space_ref)).id
        if draft.commune:
            draft.commune = (await self._commune(draft.commune)).code_insee
        elif draft.latitude is not None and draft.longitude is not None:
            point = (draft.latitude, draft.longitude)
            if point not in self.nearest:
                self.nearest[point] = await nearest_commune(self.session, *point)
                self._hold(self.nearest[point])
            if (nearest := self.nearest[point]) is not None:
                draft.commune = nearest.code_insee

    async def _space(self, ref: Any) -> Space:
        if not isinstance(ref, str) or not ref.strip():
            raise InvalidInput.one("space_ref", ImportErrorCode.BAD_SPACE_REF)
        ref = ref.strip()
        if ref not in self.spaces:
            statement = select(Space).where(Space.ref == ref)
            self.spaces[ref] = (await self.session.exec(statement)).first()
            self._hold(self.spaces[ref])
        space = self.spaces[ref]
        if space is None:
            message = f"no place with ref {ref!r}"
            raise InvalidInput.one(
                "space_ref", ImportErrorCode.UNKNOWN_SPACE_REF, message, value=ref
            )
        return space

    async def _commune(self, text: str) -> Commune:
        if text not in self.communes:
            self.communes[text] = await resolve_commune(self.session, text)
            self._hold(self.communes[text])
        return self.communes[text]

    def _remember(self, listing: Listing) -> None:
        assert listing.ref is not None
        assert listing.id is not None
        self.refs[listing.ref] = (listing.id, listing.organization_id)
        self._hold(listing)

    def _hold(self, row: object | None) -> None:
        if row is not None:
            self._held.append(row)


def _default_key(value: str | None) -> _OrganizationKey | None:
    """`--organization`: 14 digits are a SIRET, anything else an organization's exact name."""
    if value is None or not value.strip():
        return None
    siret = normalize_siret(value)
    if siret.isdigit() and len(siret) == 14:
        return _OrganizationKey(siret, None, None, siret_field="--organization")
    return _OrganizationKey(None, value.strip(), None)


def _reason(problems: list[FieldProblem]) -> str:
    return "; ".join(f"{_file_field(p.field)}: {p.message}" for p in problems)


def _file_field(field: str) -> str:
    head, dot, rest = field.partition(".")
    return _TO_FILE.get(head, head) + dot + rest


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if error and str(error).strip() else "constraint"
