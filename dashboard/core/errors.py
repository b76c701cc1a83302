"""Errors a user can act on: which file, line, column, value, and why."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LISTED = 50


@dataclass(frozen=True)
class ValidationError:
    """One problem in an input file. ``line`` counts the header as line 1."""

    file: str
    line: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.column is not None:
            where += f": column {self.column}"
        if self.value is not None:
            where += f": value {self.value!r}"
        return f"{where}: {self.reason}"


class ImportRefused(Exception):
    """A file was refused as a whole; nothing of it was written."""

    def __init__(self, file: str, errors: list[ValidationError], bad_rows: int) -> None:
        self.file = file
        self.errors = errors[:MAX_LISTED]
        self.bad_rows = bad_rows
        super().__init__(self.summary())

    def summary(self) -> str:
        return f"{self.file}: refused, nothing was written ({self.bad_rows} bad row(s))"

    def report(self) -> str:
        lines = [self.summary(), *(f"  {error}" for error in self.errors)]
        if self.bad_rows > len({error.line for error in self.errors}):
            lines.append(f"  ... only the first {MAX_LISTED} problems are listed")
        return "\n".join(lines)


class LedgerError(Exception):
    """A command cannot run on this ledger (unknown donor, no rates ...); the message says why."""


class LedgerMoved(Exception):
    """An import or an allocation landed while figures of the version before it were being
    read: what was read may mix the two, so it is neither kept nor shown. The page runs
    again on the new version; the API and the publication read again."""


class NoDonation(LedgerError):
    """A donor's document (statement, deck, report pack) for a period without a donation of
    theirs: it would only show zeros, so it is refused, as the donor page shows no figures
    for it. ``period`` reads after "in" ("the period 2025", "fiscal year 2025/26")."""

    def __init__(self, donor_id: str, period: str, document: str, choose: str) -> None:
        super().__init__(
            f"{donor_id} made no donation in {period}: the {document} would only show zeros. "
            f"Choose a period with donations ({choose})."
        )
