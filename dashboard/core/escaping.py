"""The one path by which a text from the ledger reaches a screen, an e-mail or a file: no
markup, no link, no spreadsheet formula, no control or direction-changing character."""

from __future__ import annotations

import html
import re

# Characters no name or reference needs, which change how text around them shows: the C0/C1
# controls (a NUL, an escape, a line break inside a name) and the bidirectional embeddings,
# overrides and isolates (a right-to-left override can make "exe.pdf" read "fdp.exe").
INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def visible(text: str) -> str:
    """A name as every screen and file shows it: without the control and direction-changing
    characters that import refuses today but a ledger written earlier may still hold."""
    return INVISIBLE.sub("", text)


# Markdown (Streamlit) and mail programs turn a bare web address into a link even when every
# special character is escaped: an invisible word joiner after a scheme's name and after
# "www" breaks the pattern and leaves the text as it reads. E-mail addresses are left alone:
# a joiner would break copying one (the signed-in user's own, say), and a mailto link opens
# nothing by itself.
_AUTOLINK = re.compile(r"(?i)\b(?:https|http|ftp|mailto|xmpp)(?=:)|\bwww(?=\.)")
WORD_JOINER = "\u2060"


def unlinked(text: str) -> str:
    """``text`` with nothing a reader's program would make a link of."""
    return _AUTOLINK.sub(lambda match: match.group() + WORD_JOINER, text)


def mail_text(text: str) -> str:
    """A ledger text (a donor's name) as a plain-text e-mail carries it."""
    return unlinked(visible(text))


def mail_html(text: str) -> str:
    """A ledger text as an HTML e-mail carries it: escaped, never markup or a link."""
    return html.escape(mail_text(text), quote=True)


# A cell that starts with one of these is a formula to a spreadsheet program (and openpyxl
# writes a text starting with "=" as one): =HYPERLINK(...) from a donor's name would be live.
FORMULA_STARTS = ("=", "+", "-", "@")  # tab and CR are removed with the controls


def inert_text(cell: object) -> object:
    """One cell as a file carries it: a text loses control and direction-changing characters
    (a ledger written before import refused them; openpyxl refuses to write some at all)
    and never starts like a formula; anything else is left as it is."""
    if not isinstance(cell, str):
        return cell
    cell = INVISIBLE.sub("", cell)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def inert(frame):
    """A table (pandas) with every text cell made inert (``inert_text``); numbers stay
    numbers. Every file the project writes from ledger text goes through here."""
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(inert_text)
    return frame
