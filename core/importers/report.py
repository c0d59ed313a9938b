"""What an import did: counts, and one line per rejected row."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Rejection:
    line: int
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    refused: Rejection | None = None
    """The whole file refused (unreadable, a bad header, over a limit): nothing was written."""

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append(Rejection(line, reason))

    def refuse(self, line: int, reason: str) -> None:
        self.refused = Rejection(line, reason)
        self.reject(line, reason)

    def add(self, other: ImportReport) -> None:
        """Count another file's rows in this report."""
        self.imported += other.imported
        self.updated += other.updated
        self.rejected.extend(other.rejected)
        self.refused = self.refused or other.refused

    @property
    def ok(self) -> bool:
        return not self.rejected

    def lines(self) -> list[str]:
        rows = [f"line {r.line}: {r.reason}" for r in self.rejected]
        rows.append(
            f"{self.imported} imported, {self.updated} updated, {len(self.rejected)} rejected"
        )
        return rows
