"""Errors a user can act on: which file, line, column, value, and why, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.core.formatting import number, rupiah
from dashboard.core.i18n import translator

MAX_LISTED = 50


class Rupiah(int):
    """A rupiah amount among a ``Message``'s values: written as the reader's language writes
    money (``Rp 220.800``, ``IDR 220,800``)."""

    def render(self, lang: str) -> str:
        return rupiah(int(self), lang)


class Count(int):
    """A count among a ``Message``'s values: written as the reader's language writes
    numbers (``2.651`` in Indonesian, ``2,651`` in English). Plain ints stay as they are,
    since some are years or line numbers."""

    def render(self, lang: str) -> str:
        return number(int(self), lang)


@dataclass(frozen=True)
class Message:
    """A sentence kept as its English text (the catalogs' msgid, marked with ``N_``) and its
    named values, so each reader gets it in their language: the same refusal reads in
    Indonesian on the console and in English in a CI log."""

    text: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self, lang: str) -> str:
        translated = translator(lang)(self.text)
        if not self.params:
            return translated
        values = {
            name: value.render(lang) if isinstance(value, Message | Rupiah | Count) else value
            for name, value in self.params
        }
        return translated.format(**values)

    def __str__(self) -> str:
        return self.render("en")


def message(text: str, **params: object) -> Message:
    return Message(text, tuple(params.items()))


def as_message(reason: str | Message) -> Message:
    """A plain string is a sentence without values (translated if the catalogs have it)."""
    return reason if isinstance(reason, Message) else Message(reason)


@dataclass(frozen=True)
class ValidationError:
    """One problem in an input file. ``line`` counts the header as line 1. ``suggestion``
    is the fix, where one is obvious ("write ID-JB")."""

    file: str
    line: int
    column: str | None
    value: str | None
    reason: str | Message
    suggestion: Message | None = None

    def reason_text(self, lang: str = "en") -> str:
        return as_message(self.reason).render(lang)

    def suggestion_text(self, lang: str = "en") -> str:
        return "" if self.suggestion is None else self.suggestion.render(lang)

    def advice(self, lang: str = "en") -> str:
        """The reason and, where there is one, the fix: ``not its name; write ID-JB``."""
        if self.suggestion is None:
            return self.reason_text(lang)
        return f"{self.reason_text(lang)}; {self.suggestion_text(lang)}"

    def text(self, lang: str = "en") -> str:
        _ = translator(lang)
        where = f"{self.file}:{self.line}"
        if self.column is not None:
            where += ": " + _("column {column}").format(column=self.column)
        if self.value is not None:
            where += ": " + _("value {value}").format(value=repr(self.value))
        return f"{where}: {self.advice(lang)}"

    def __str__(self) -> str:
        return self.text("en")


class ImportRefused(Exception):
    """A file was refused as a whole; nothing of it was written."""

    def __init__(self, file: str, errors: list[ValidationError], bad_rows: int) -> None:
        self.file = file
        # Found cell by cell as a chunk is parsed, then row by row as it is applied: listed
        # by line, so a row's problems stand together.
        self.errors = sorted(errors[:MAX_LISTED], key=lambda error: error.line)
        self.bad_rows = bad_rows
        super().__init__(self.summary())

    def summary(self, lang: str = "en") -> str:
        _ = translator(lang)
        return _("{file}: refused, nothing was written ({rows} bad row(s))").format(
            file=self.file, rows=self.bad_rows
        )

    def report(self, lang: str = "en") -> str:
        _ = translator(lang)
        lines = [self.summary(lang), *(f"  {error.text(lang)}" for error in self.errors)]
        if self.bad_rows > len({error.line for error in self.errors}):
            listed = _("... only the first {count} problems are listed").format(count=MAX_LISTED)
            lines.append(f"  {listed}")
        return "\n".join(lines)


class LedgerError(Exception):
    """A command cannot run on this ledger (unknown donor, no rates ...); the message says
    why. Raised with a ``Message`` (``LedgerError(message(N_("..."), ...))``), it reads in
    each reader's language; ``str()`` of it is the English."""

    def render(self, lang: str) -> str:
        """The reason in ``lang`` where it was raised as a ``Message``; else as raised."""
        reason = self.args[0] if len(self.args) == 1 else None
        return reason.render(lang) if isinstance(reason, Message) else str(self)


class LedgerBusy(LedgerError):
    """Another import or allocation held the ledger for longer than a
    writer waits (dashboard/ledger/db.py ``writing``): nothing was written."""


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
