"""The web app's documents, known at build time, accepted by hash (trusted documents).

`npm run build` (`make frontend`) writes `frontend/dist/trusted-documents.json`: the build's
plugin that inlines each `graphql(...)` document (`frontend/vite.config.ts`) maps each operation's
id, `sha256:<hex>` of the very text the app holds, to that text (graphql-codegen's client preset
`persistedDocuments` hashes a sorted reprint instead, which the app never sends, so a WebSocket or
a fallback sending the text could not be matched). The app reads it at start from the built web
app it serves (`Settings.trusted_documents_path`), not from a committed file: the manifest always
matches the bundle browsers run, with nothing to keep in step by hand; a missing or unreadable file
leaves the list empty (an API-only deployment) and the API answers as before.

The web app then posts `{"documentId": "sha256:<hex>", "operationName": ..., "variables": ...}`
(the GraphQL-over-HTTP draft's persisted documents), and `api/graphql_app.py` hands Strawberry the
manifest's own text, which `RequestLimits` (`schema/request_limits.py`) finds in a dict (the very
same string, its hash kept): each document is parsed and validated once, at its first use, and
its measure (cost, depth, aliases, fields) computed once per shape of the variables it reads
(`variables_shape`), so a request by id skips parsing, the validation rules, the walk of
`schema/cost.py` and hashing its syntax tree, yet pays its cost to the caller's budget and meets
the same limits as any text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import DocumentNode, GraphQLError

from schema.cost import Measure

logger = logging.getLogger("entrelieux.trusted_documents")

DOCUMENT_ID = re.compile(r"sha256:[0-9a-f]{64}")
"""The ids the manifest holds: the draft's `sha256:` prefix and a lowercase hex digest."""

MEASURES_PER_DOCUMENT = 64
"""Page sizes a document is measured at, remembered; past that each request measures anew."""

VariablesShape = tuple[tuple[str, Any], ...]


@dataclass(eq=False)
class TrustedDocument:
    id: str
    text: str
    document: DocumentNode | None = None
    """Parsed at first use (`schema/request_limits.py`), then shared by every request."""
    parse_errors: tuple[GraphQLError, ...] = ()
    validation: dict[tuple[Any, ...], tuple[GraphQLError, ...]] = field(default_factory=dict)
    """graphql-core's verdict, by the rules it ran (introspection off or on)."""
    measures: dict[VariablesShape, Measure] = field(default_factory=dict)


class TrustedDocuments:
    """The manifest: documents by id, and by their own text (the one handed to Strawberry)."""

    def __init__(self, documents: Mapping[str, str], source: Path | None = None) -> None:
        self.source = source
        self.by_id = {key: TrustedDocument(key, text) for key, text in documents.items()}
        self.by_text = {entry.text: entry for entry in self.by_id.values()}

    def __len__(self) -> int:
        return len(self.by_id)

    @classmethod
    def load(cls, path: Path) -> TrustedDocuments:
        """The manifest at `path`; empty (logged) when there is none or it is not one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            logger.info("no trusted documents at %s: the web app is not built", path)
            return cls({}, path)
        except (OSError, ValueError) as error:
            logger.warning("trusted documents at %s not read: %s", path, error)
            return cls({}, path)
        if not isinstance(data, dict):
            logger.warning("trusted documents at %s: not an object of ids to texts", path)
            return cls({}, path)
        documents = {
            key: text
            for key, text in data.items()
            if DOCUMENT_ID.fullmatch(key) and isinstance(text, str) and _id_of(text) == key
        }
        if len(documents) != len(data):
            logger.warning(
                "trusted documents at %s: %d entries skipped (an id that is not the sha256 of "
                "its text)",
                path,
                len(data) - len(documents),
            )
        return cls(documents, path)


def _id_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def variables_shape(variables: Mapping[str, Any] | None) -> VariablesShape:
    """What `schema/cost.py` reads of the variables, and nothing more: each variable given
    (given as null is not absent: an operation's default applies only to an absent one), an
    integer's value (a page size; any other scalar counts as the page limit), and of an object
    (a filter, a search input) the names it sets and the same of its `first`. Two requests of
    one document with the same shape have the same measure."""
    if not variables:
        return ()
    return tuple((name, _shape(value, nested=True)) for name, value in variables.items())


def _shape(value: Any, nested: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if nested and isinstance(value, dict):
        named = frozenset(key for key, inner in value.items() if inner is not None)
        return (named, _shape(value.get("first"), nested=False))
    return "other"
