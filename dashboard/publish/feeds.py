"""The Atom feed of releases (RFC 4287): one entry per stored release, the latest first, with
what changed in the reader's language, so that a partner hears of a release without coming
to look. Served as ``GET /api/v1/releases.atom?lang=id|en`` (``dashboard/publish/api.py``).

Written with ElementTree: every text is escaped by the serializer, never by hand.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from dashboard.core.escaping import visible
from dashboard.core.i18n import translator
from dashboard.publish import open_data, releases

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _utc(moment: dt.datetime) -> str:
    """RFC 3339 in UTC (SQLite hands back the stored UTC time without its zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def tag_uri(base: str, info: open_data.ReleaseInfo) -> str:
    """A release's permanent id (RFC 4151): the same in both languages' feeds and on every
    fetch, from the site's host and the release's id, so a reader never shows it twice."""
    host = urlsplit(base).hostname or "localhost"
    return f"tag:{host},{info.as_of.year}:lingkaran/release/{info.id}"


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = visible(text)
    return element


def summary_text(info: open_data.ReleaseInfo, lang: str) -> str:
    """What changed, in words: the releases page's sentence and the headline's changes."""
    _ = translator(lang)
    headline = _("Workers protected: {workers}; claims paid: {claims}.").format(
        workers=releases.headline_change(info, "covered_workers", lang),
        claims=releases.headline_change(info, "claims_paid_count", lang),
    )
    return f"{releases.changes_in_words(info, lang)} {headline}"


def releases_feed(listed: list[open_data.ReleaseInfo], base: str, lang: str) -> bytes:
    """The feed of ``listed`` (the latest first) for the site at ``base``, in ``lang``."""
    _ = translator(lang)
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: lang})  # every element in Atom's
    _add(feed, "id", _feed_link(base, lang))
    _add(feed, "title", _("GN Lingkaran: public releases"))
    _add(feed, "subtitle", _("Each release of the programme's public figures and what changed."))
    updated = max((info.published_at for info in listed), default=None)
    _add(feed, "updated", _utc(updated) if updated else "1970-01-01T00:00:00+00:00")
    author = _add(feed, "author")
    _add(author, "name", "GN Lingkaran")
    _add(feed, "link", rel="self", type="application/atom+xml", href=_feed_link(base, lang))
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base}/releases?lang={lang}")
    _add(feed, "rights", "CC BY 4.0")
    for info in listed:
        entry = _add(feed, "entry")
        _add(entry, "id", tag_uri(base, info))
        _add(entry, "title", _("Release {release}").format(release=info.id))
        _add(entry, "updated", _utc(info.published_at))
        _add(entry, "published", _utc(info.published_at))
        _add(entry, "summary", summary_text(info, lang), type="text")
        _add(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{base}/releases?release={info.id}&lang={lang}",
        )
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _feed_link(base: str, lang: str) -> str:
    return f"{base}/api/v1/releases.atom?lang={lang}"
