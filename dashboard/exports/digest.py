"""The monthly digest: one e-mail a month to every donor user who has not opted out, in their
language, with each of their donors' figures for the month, the change against the month
before, whose protection ends in the 60 days after it (counts by month, never a worker) and a
link to the donor page.

``lingkaran digest --month 2026-11`` writes the messages to a folder for review;
``--send`` sends them through the SMTP server of the secrets' ``[smtp]`` table. Each address
gets a month once: its delivery is recorded as ``sending`` before the server is asked and
``sent`` when it accepted, and removed when it refused, so the next run tries that address
again and sends nobody else twice.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from dashboard.accounts.access import Access, normalise_email
from dashboard.core import labels
from dashboard.core.errors import LedgerError
from dashboard.core.escaping import mail_html, mail_text
from dashboard.core.formatting import month_text, number, rupiah
from dashboard.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translator
from dashboard.core.months import first_day, month_label, month_of
from dashboard.exports.sentences import lapse_sentences
from dashboard.ledger.schema import DigestDelivery, DigestSetting, Donor, Membership
from queries import donor
from queries.figures import connected

SENDING, SENT = "sending", "sent"
DONOR_PAGE = "donor"  # the donor page's address under the app's URL


# ── Who gets it, in which language ──────────────────────────────────────────────────────────


@connected
def digest_setting(conn: Connection, email: str) -> tuple[str, bool]:
    """(language, receives) for ``email``: Indonesian and yes unless they chose otherwise."""
    row = conn.execute(
        select(DigestSetting.language, DigestSetting.receives).where(
            DigestSetting.email == normalise_email(email)
        )
    ).first()
    return (row.language, row.receives) if row else (DEFAULT_LANGUAGE, True)


def set_digest(
    engine: Engine, email: str, *, language: str | None = None, receives: bool | None = None
) -> tuple[str, bool]:
    """Change what ``email`` chose (the donor page's "monthly digest" setting)."""
    email = normalise_email(email)
    if language is not None and language not in LANGUAGES:
        raise LedgerError(f"the digest is in {' or '.join(LANGUAGES)}, not {language!r}")
    with engine.begin() as conn:
        current_language, current_receives = digest_setting(conn, email)
        chosen = (
            language or current_language,
            current_receives if receives is None else receives,
        )
        conn.execute(delete(DigestSetting).where(DigestSetting.email == email))
        conn.execute(
            insert(DigestSetting).values(email=email, language=chosen[0], receives=chosen[1])
        )
    return chosen


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    donor_ids: tuple[str, ...]


def recipients(conn: Connection) -> list[Recipient]:
    """Every donor user (not admins: they have no donor of their own) who has not opted out,
    with their donors, in e-mail order."""
    rows = conn.execute(
        select(Membership.email, Donor.donor_id)
        .join(Donor, Donor.id == Membership.donor_key)
        .where(Membership.role == "donor")
        .order_by(Membership.email, Donor.donor_id)
    ).all()
    donors_of: dict[str, list[str]] = {}
    for email, donor_id in rows:
        donors_of.setdefault(email, []).append(donor_id)
    chosen = {
        row.email: (row.language, row.receives)
        for row in conn.execute(
            select(DigestSetting.email, DigestSetting.language, DigestSetting.receives)
        )
    }
    found = []
    for email, donor_ids in donors_of.items():
        language, receives = chosen.get(email, (DEFAULT_LANGUAGE, True))
        if receives:
            found.append(Recipient(email, language, tuple(donor_ids)))
    return found


# ── What it says ────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Digest:
    """One recipient's e-mail for one month, in plain text and HTML."""

    email: str
    language: str
    month: int
    subject: str
    text: str
    html: str
    donor_ids: tuple[str, ...]

    def message(self, sender: str) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = self.subject
        message["From"] = sender
        message["To"] = self.email
        message["Date"] = formatdate(localtime=False)
        # The domain of the sender's address, not of "Name <user@domain>" as written.
        domain = parseaddr(sender)[1].rpartition("@")[2]
        message["Message-ID"] = make_msgid(domain=domain or None)
        message["Content-Language"] = self.language
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        return message


@dataclass(frozen=True)
class _Line:
    label: str
    now: str
    before: str
    change: str


def _change(now: int, before: int, lang: str, money: bool = False) -> str:
    _ = translator(lang)
    if now == before:
        return _("no change")
    difference = abs(now - before)
    shown = rupiah(difference, lang) if money else number(difference, lang)
    return ("+" if now > before else "−") + shown


def _section(
    conn: Connection, access: Access, donor_id: str, month: int, lang: str, link: str | None
) -> tuple[str, str, list[_Line], list[str], str | None]:
    """(name, type, figure lines, lapse sentences, link) of one donor for ``month``."""
    _ = translator(lang)
    info = donor.donor_info(conn, access, donor_id)
    frame = donor.monthly(conn, access, donor_id)
    by_month = {
        month_of(day): row
        for day, row in zip(frame["month"], frame.itertuples(index=False), strict=True)
    }
    # As of the month's last day (docs/contract.md "As of"): a claim paid after it shows in the
    # next month's digest (in its column for this month), as the figures of that day say.
    claims = donor.claims_by_month(
        conn, access, donor_id, month - 1, month, first_day(month + 1) - dt.timedelta(days=1)
    )

    def figure(m: int, column: str) -> int:
        row = by_month.get(m)
        return int(getattr(row, column)) if row is not None else 0

    lines = []
    for label, column in (
        (_("Workers protected"), "protected_workers"),
        (_("Donated"), "donated_idr"),
        (_("Contributions paid from donations"), "allocated_idr"),
    ):
        money = column.endswith("_idr")
        now, before = figure(month, column), figure(month - 1, column)
        shown = (lambda v: rupiah(v, lang)) if money else (lambda v: number(v, lang))
        lines.append(_Line(label, shown(now), shown(before), _change(now, before, lang, money)))
    (count, amount), (count_before, amount_before) = (
        claims.get(month, (0, 0)),
        claims.get(month - 1, (0, 0)),
    )
    lines.append(
        _Line(
            _("Claims paid (incident in the month)"),
            number(count, lang),
            number(count_before, lang),
            _change(count, count_before, lang),
        )
    )
    lines.append(
        _Line(
            _("Benefits paid"),
            rupiah(amount, lang),
            rupiah(amount_before, lang),
            _change(amount, amount_before, lang, money=True),
        )
    )
    ending = donor.lapses(conn, access, donor_id, first_day(month + 1))
    lapses = lapse_sentences(ending, lang) or [
        _("Nobody's protection from you ends in the {days} days after this month.").format(
            days=(ending.until - ending.since).days
        )
    ]
    query = urlencode({"donor": donor_id, "lang": lang})
    page = f"{link.rstrip('/')}/{DONOR_PAGE}?{query}" if link else None
    return (
        info.name,
        labels.donor_type(info.type, lang),
        lines,
        lapses,
        page,
    )


def digest_for(
    conn: Connection, recipient: Recipient, month: int, link: str | None = None
) -> Digest:
    """The e-mail of ``recipient`` for ``month`` (a month index), as its plain text and HTML.
    Only their own donors are read (their memberships are the access)."""
    lang = recipient.language
    _ = translator(lang)
    access = Access(recipient.email, frozenset(recipient.donor_ids))
    this, previous = first_day(month), first_day(month - 1)
    title = _("Lingkaran monthly digest: {month}").format(month=month_text(this, lang))
    heading = _("{month} against {previous}").format(
        month=month_text(this, lang), previous=month_text(previous, lang)
    )
    text = [title, "", heading, ""]
    html = [
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{mail_html(title)}</title></head>",
        '<body style="font-family: sans-serif; color: #1f2937">',
        f"<h2>{mail_html(title)}</h2>",
        f"<p>{mail_html(heading)}</p>",
    ]
    open_page = _("Open your donor page")
    for donor_id in recipient.donor_ids:
        name, kind, lines, lapses, page = _section(conn, access, donor_id, month, lang, link)
        text += [f"{mail_text(name)} · {kind}", ""]
        html.append(f"<h3>{mail_html(name)} · {mail_html(kind)}</h3>")
        html.append('<table cellpadding="4" style="border-collapse: collapse">')
        html.append(
            "<tr>"
            + "".join(
                f'<th style="text-align: {align}">{mail_html(cell)}</th>'
                for cell, align in (
                    ("", "left"),
                    (month_text(this, lang), "right"),
                    (month_text(previous, lang), "right"),
                    (_("Change"), "right"),
                )
            )
            + "</tr>"
        )
        for line in lines:
            text.append(
                f"  {line.label}: {line.now} ({month_text(previous, lang)}: {line.before}; "
                f"{line.change})"
            )
            html.append(
                f"<tr><td>{mail_html(line.label)}</td>"
                + "".join(
                    f'<td style="text-align: right">{mail_html(cell)}</td>'
                    for cell in (line.now, line.before, line.change)
                )
                + "</tr>"
            )
        html.append("</table>")
        text.append("")
        text += [f"  {sentence}" for sentence in lapses]
        html += [f"<p>{mail_html(sentence)}</p>" for sentence in lapses]
        if page:
            text += ["", "  " + _("Your donor page: {link}").format(link=page)]
            html.append(
                # Our own address, the donor's id URL-encoded in it: escaped, not unlinked.
                f'<p><a href="{escape(page, quote=True)}">{mail_html(open_page)}</a></p>'
            )
        text.append("")
    footer = _(
        "You receive this digest as a donor user of Lingkaran. To stop it or to change its "
        'language, use "Monthly digest" on your donor page, or ask an administrator.'
    )
    text.append(footer)
    html.append(f'<p style="color: #6b7280; font-size: small">{mail_html(footer)}</p>')
    html.append("</body></html>")
    return Digest(
        email=recipient.email,
        language=lang,
        month=month,
        subject=title,
        text="\n".join(text) + "\n",
        html="\n".join(html) + "\n",
        donor_ids=recipient.donor_ids,
    )


def digests(engine: Engine, month: int, link: str | None = None) -> list[Digest]:
    """Every recipient's digest for ``month``."""
    with engine.connect() as conn:
        return [digest_for(conn, recipient, month, link) for recipient in recipients(conn)]


def write_digests(found: Iterable[Digest], folder: Path, sender: str) -> list[Path]:
    """Each digest as an ``.eml`` file (what would be sent) for review."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for digest in found:
        path = folder / f"{month_label(digest.month)}-{digest.email}.eml"
        path.write_bytes(bytes(digest.message(sender)))
        written.append(path)
    return written


# ── Sending ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SmtpSettings:
    """The ``[smtp]`` table of the secrets: host, port, starttls, user, password, from."""

    host: str
    port: int
    sender: str
    starttls: bool = True
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_secrets(cls, secrets: dict) -> SmtpSettings:
        table = secrets.get("smtp")
        if not isinstance(table, dict):
            raise LedgerError(
                "no [smtp] table in .streamlit/secrets.toml: sending the digest needs host, "
                "port, from (and starttls, user, password as the server wants)"
            )
        missing = [key for key in ("host", "port", "from") if not table.get(key)]
        if missing:
            raise LedgerError(f"[smtp] in .streamlit/secrets.toml lacks {', '.join(missing)}")
        try:
            port = int(table["port"])
        except (TypeError, ValueError):
            raise LedgerError(f"[smtp] port is not a number: {table['port']!r}") from None
        return cls(
            host=str(table["host"]),
            port=port,
            sender=str(table["from"]),
            starttls=bool(table.get("starttls", True)),
            user=table.get("user") or None,
            password=table.get("password") or None,
        )


@dataclass
class Deliveries:
    """What a sending run did, address by address."""

    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # a run stopped while sending these


def _claim(engine: Engine, email: str, month: int) -> str | None:
    """Record that ``email``'s digest of ``month`` is being sent; None when it may go, else
    the status an earlier run left."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(DigestDelivery).values(
                    email=email, month=month, status=SENDING, at=dt.datetime.now(dt.UTC)
                )
            )
        return None
    except IntegrityError:
        with engine.connect() as conn:
            return conn.execute(
                select(DigestDelivery.status).where(
                    DigestDelivery.email == email, DigestDelivery.month == month
                )
            ).scalar_one()


def _settle(engine: Engine, email: str, month: int, accepted: bool) -> None:
    where = (DigestDelivery.email == email, DigestDelivery.month == month)
    with engine.begin() as conn:
        if accepted:
            conn.execute(
                update(DigestDelivery).where(*where).values(status=SENT, at=dt.datetime.now(dt.UTC))
            )
        else:
            conn.execute(delete(DigestDelivery).where(*where))


def send_digests(
    engine: Engine,
    found: Iterable[Digest],
    settings: SmtpSettings,
    connect: Callable[[str, int], smtplib.SMTP] = smtplib.SMTP,
    timeout: float = 30.0,
) -> Deliveries:
    """Send each digest not sent before, over one SMTP session; an address the server refuses
    (or any failure while sending it) is reported and left for the next run."""
    result = Deliveries()
    pending = []
    for digest in found:
        status = _claim(engine, digest.email, digest.month)
        if status == SENT:
            result.already.append(digest.email)
        elif status == SENDING:
            result.unknown.append(digest.email)
        else:
            pending.append(digest)
    if not pending:
        return result
    try:
        server = connect(settings.host, settings.port, timeout=timeout)
    except OSError as problem:
        for digest in pending:
            _settle(engine, digest.email, digest.month, accepted=False)
            result.failed[digest.email] = f"cannot reach {settings.host}:{settings.port}: {problem}"
        return result
    with server:
        try:
            if settings.starttls:
                server.starttls(context=ssl.create_default_context())
            if settings.user:
                server.login(settings.user, settings.password or "")
        except (smtplib.SMTPException, OSError) as problem:
            for digest in pending:
                _settle(engine, digest.email, digest.month, accepted=False)
                result.failed[digest.email] = f"no session with the server: {problem}"
            return result
        for digest in pending:
            try:
                server.send_message(digest.message(settings.sender))
            except smtplib.SMTPRecipientsRefused as refused:
                code, reason = next(iter(refused.recipients.values()))
                result.failed[digest.email] = f"refused ({code} {reason.decode(errors='replace')})"
            except (smtplib.SMTPException, OSError) as problem:
                result.failed[digest.email] = f"not sent: {problem}"
            else:
                result.sent.append(digest.email)
            _settle(engine, digest.email, digest.month, digest.email in result.sent)
    return result
