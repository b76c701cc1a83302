"""What every page shares: the ledger engine, cached queries and figures, who is looking,
and a friendly failure. The widgets pages share are in `dashboard.web.controls`."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import TypeVar

import streamlit as st
from cachetools import LRUCache, TTLCache
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard.core import config
from dashboard.core.caching import shared
from dashboard.core.errors import LedgerError, LedgerMoved
from dashboard.core.escaping import unlinked
from dashboard.core.i18n import DEFAULT_LANGUAGE, translator
from dashboard.ledger.db import served_ledger
from dashboard.publish import open_data
from queries.figures import LedgerFigures, ledger_figures


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return served_ledger(url)  # the process's one engine, which the API shares


def database_url() -> str:
    return config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE))


def ledger() -> Engine:
    """The engine for this app's ledger, created once per process."""
    return _engine(database_url())


VERSION_SECONDS = 1.0  # how long a ledger version read is trusted before it is asked again
# The version each session's current script run reads at: session id -> (the run's cursors,
# the version). Streamlit gives every run a new ``cursors`` dict, so a pin held with another
# run's dict is stale. A few thousand sessions at most are remembered, least recent out.
_PINNED_MAX = 4096
_PINNED: LRUCache[str, tuple[object, tuple]] = LRUCache(maxsize=_PINNED_MAX)
_PINNED_LOCK = threading.Lock()  # around each get and set: an LRUCache is not thread-safe
_forgotten = 0  # how many times the versions read were forgotten: part of their key


def ledger_version() -> tuple:
    """Changes whenever an import or an allocation lands: part of every cache key.

    One script run reads at one version from start to end: its first ask pins the version
    for the rest of the run, so a page never shows figures of two versions side by side
    (a cached answer of the old one above a new one of the next). A figure not yet cached
    is read and then checked against that version (``_checked``); when the ledger has moved
    on, the page runs again, on the new version (``friendly_failures``).

    One query per process at most once a second, shared by every session: a donor page asks
    for the version about twenty times a run (each cached query and each kept chart), and
    through ``st.cache_data`` each ask hashed its key and unpickled the answer. One thread
    asks the database at a time; the others wait for its answer instead of asking too.
    """
    run = get_script_run_ctx()
    if run is not None:
        with _PINNED_LOCK:
            pinned = _PINNED.get(run.session_id)
        if pinned is not None and pinned[0] is run.cursors:
            return pinned[1]
    version = _latest_version()
    if run is not None:
        with _PINNED_LOCK:
            _PINNED[run.session_id] = (run.cursors, version)
    return version


def _latest_version() -> tuple:
    return _version_read(database_url(), _forgotten)


def _clock() -> float:
    return time.monotonic()  # what VERSION_SECONDS is counted on (tests move it on)


@shared(TTLCache(maxsize=64, ttl=VERSION_SECONDS, timer=lambda: _clock()))
def _version_read(url: str, forgotten: int) -> tuple:
    """The ledger's version, read once per ``VERSION_SECONDS`` (and asked by one thread at
    a time). ``forgotten`` is in the key so that a read under way while the versions are
    forgotten (``forget_version``) is kept where no later ask looks."""
    from queries.public import ledger_version as version_of

    return version_of(_engine(url))


def _checked(url: str, version: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, known to have read the ledger at ``version`` (else LedgerMoved, and
    nothing is kept: st.cache_data keeps no exception)."""
    from queries.public import at_version

    return at_version(_engine(url), version, compute)


@st.cache_data(show_spinner=False, max_entries=256)
def _programme_figures(url: str, version: tuple, as_of: dt.date) -> LedgerFigures:
    return _checked(url, version, lambda: ledger_figures(_engine(url), None, as_of))


def public_release() -> tuple[open_data.ReleaseInfo, LedgerFigures]:
    """The release a public page shows: the one its link names (``?release=2026-10``) or
    the latest, with its programme figures, named under the page's title with a link to
    the releases page. Before the first release the page says so and stops."""
    _ = translator(language())
    asked = st.query_params.get("release") or None
    try:
        info, figures = query(open_data.release_figures, release=asked)
    except open_data.NoRelease:
        if asked is None:
            st.info(
                _(
                    "No public release has been published yet: the public pages show releases "
                    "only. An administrator publishes one with `lingkaran release` or from the "
                    "admin console."
                )
            )
            st.stop()
        st.warning(_("There is no release {release}: showing the latest.").format(release=asked))
        del st.query_params["release"]
        return public_release()
    st.caption(release_line(info))
    from dashboard.web.sharing import shown_release  # its charts cite this release

    shown_release(info)
    return info, figures


def release_line(info: open_data.ReleaseInfo) -> str:
    """``Release 2026-10, data to 31 October 2026 · All releases`` (a link)."""
    from dashboard.core.formatting import date_text

    lang = language()
    _ = translator(lang)
    text = _("Release {release}, data to {date}.").format(
        release=info.id, date=date_text(info.as_of, lang, "long")
    )
    every = _("All releases")
    return f"{text} [{every}](/releases)"


def current_figures(as_of: dt.date | None = None) -> LedgerFigures:
    """The programme's public totals (a donor's figures go through queries.donor and Access)."""
    return _programme_figures(database_url(), ledger_version(), as_of or dt.date.today())


@contextlib.contextmanager
def friendly_failures() -> Iterator[None]:
    """A database that cannot be reached or read becomes a message, never a traceback."""
    from dashboard.accounts.access import AccessDenied

    try:
        yield
    except LedgerMoved:
        # An import or an allocation landed during this run: run the page again, on the new
        # version, rather than show figures of two.
        forget_version()
        st.rerun()
    except AccessDenied:  # a PermissionError, so before the OSError below
        _ = translator(language())
        st.error(_("Your account may not see these figures."))
    except (SQLAlchemyError, LedgerError, OSError) as problem:
        logging.getLogger("lingkaran").exception("page failed")
        shown = make_url(database_url()).render_as_string(hide_password=True)
        _ = translator(language())
        st.error(
            _(
                "The ledger database cannot be opened or read ({database}). Check "
                "LINGKARAN_DATABASE_URL or run `lingkaran init-db`."
            ).format(database=shown)
            + "\n\n"
            + _("Details: {kind}").format(kind=type(problem).__name__)
        )


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(url: str, version: tuple, name: str, args: tuple, kwargs: tuple):
    module, function = name.rsplit(".", 1)
    answer = getattr(importlib.import_module(module), function)
    return _checked(url, version, lambda: answer(_engine(url), *args, **dict(kwargs)))


def query(function, *args, **kwargs):
    """``function(engine, *args, **kwargs)`` from ``queries``, cached on its inputs.

    The key holds the database, the ledger version (so an import or an allocation makes
    every cached answer stale) and the arguments (donor, period, ...): small results only.
    """
    name = f"{function.__module__}.{function.__name__}"
    # By keyword: for each positional argument, st.cache_data looks up the function's
    # signature again (inspect.signature), a tenth of a cached donor page run.
    return _cached_query(
        url=database_url(),
        version=ledger_version(),
        name=name,
        args=args,
        kwargs=tuple(sorted(kwargs.items())),
    )


T = TypeVar("T")
PUBLIC = "public"  # the scope of what every visitor may see, for `built`
BUILT_ENTRIES = 512  # charts and formatted tables kept per process, least recently used out


def built(name: str, scope: Hashable, key: tuple, build: Callable[[], T]) -> T:
    """What ``build()`` returns (a chart, a formatted table), made once per ledger version,
    language, access scope and key and then shared by every session of this process.

    A page run re-draws what it finds here instead of building it again: building the
    donor page's charts was half of its CPU. ``scope`` is who may see it (the viewer's
    ``Access``, or ``PUBLIC`` with the suppression threshold in ``key``), so nothing built
    for one account or one language is served to another; a new ledger version (an import,
    an allocation) makes every entry stale. What is returned is shared: never change it.
    Two sessions asking for the same missing entry build it once: the second waits.
    """
    return _built((database_url(), ledger_version(), language(), scope, name, key), build)


@shared(LRUCache(maxsize=BUILT_ENTRIES), key=lambda full, build: full)
def _built(full: tuple, build: Callable[[], T]) -> T:
    # Charts are frozen, so that drawing one again does not convert it again
    # (charts.FrozenFigure).
    from dashboard.web.charts import frozen  # plotly: imported by the pages that draw charts

    return frozen(build())


def forget_built() -> None:
    """Empty the cache of `built` and forget the ledger versions read (tests that rebuild a
    ledger at the same address within a second)."""
    _built.cache_clear()
    _forget_versions()
    with _PINNED_LOCK:
        _PINNED.clear()


def forget_version() -> None:
    """Ask the database for the ledger's version again at the next ask: this run's pin and
    the process's memo are dropped (other sessions' runs keep theirs to their end)."""
    _forget_versions()
    run = get_script_run_ctx()
    if run is not None:
        with _PINNED_LOCK:
            _PINNED.pop(run.session_id, None)


def _forget_versions() -> None:
    global _forgotten
    with _version_read.cache_lock:
        _forgotten += 1
        _version_read.cache.clear()


def ledger_written() -> None:
    """After this run wrote to the ledger (the admin console's import or allocation): the
    rest of the run reads the new version, and nothing cached of the old one is kept."""
    st.cache_data.clear()
    forget_version()


DEMO_VISITOR = "demo visitor"  # who the audit log names in demo mode (not translated there)


def language() -> str:
    """The language chosen in the sidebar for this session."""
    return st.session_state.get("lang") or DEFAULT_LANGUAGE


def viewer():
    """Who is looking. Demo mode: anyone sees every donor. Production: the logged-in user's
    memberships (by the e-mail the identity provider verified), or nobody."""
    from dashboard.accounts.access import DEMO, NOBODY, Access, mode, verified_email

    if mode() == DEMO:
        return Access.everything(DEMO_VISITOR, admin=True)
    user = st.user
    if not user.is_logged_in:
        return NOBODY
    email = verified_email(user)
    if email is None:
        return NOBODY
    return _memberships(database_url(), email)


@st.cache_data(ttl=5, show_spinner=False, max_entries=1024)
def _memberships(url: str, email: str):
    """One membership query per user every few seconds, not one per call: the app shell and
    the page both ask on every rerun. A membership removed takes effect within 5 s."""
    from dashboard.accounts.access import access_for

    return access_for(_engine(url), email)


def require_member(*, admin: bool = False):
    """The viewer's Access for a donor (or admin) page; otherwise a login prompt and a stop."""
    _ = translator(language())
    access = viewer()
    if access.donor_ids is None and (access.admin or not admin):
        return access
    if not st.user.is_logged_in:
        st.info(_("Donor pages are private: log in with your organisation's account."))
        if st.button(_("Log in"), key="login"):
            st.login()
        st.stop()
    from dashboard.accounts.access import verified_email

    if verified_email(st.user) is None:
        st.warning(
            _(
                "Your identity provider did not confirm that your e-mail address is verified, "
                "so no donor's pages can open. Ask an administrator."
            )
        )
        st.button(_("Log out"), key="logout", on_click=st.logout)
        st.stop()
    if admin and not access.admin:
        st.error(_("This page is for administrators."))
        st.stop()
    if not access.donor_ids:
        st.warning(
            _(
                "Your account ({email}) has no access to any donor yet: ask an administrator."
            ).format(email=access.who)
        )
        st.button(_("Log out"), key="logout", on_click=st.logout)
        st.stop()
    return access


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


# Plotly's mode bar put eight buttons per chart in the Tab order (about 50 stops before the
# overview's third chart) and covered chart titles on phones; zoom and pan stay on the mouse,
# and the presentation page has its own image downloads.
CHART_CONFIG = {"displayModeBar": False, "displaylogo": False}
# Charts that cannot be read narrower than this keep their width on a phone and scroll
# sideways in their own box (static/reader.css): the Sankey's labels and the tile map's
# province names collided at 390 px. By the trace type that draws them.
ROOMY_TRACES = ("sankey", "heatmap")


def chart(figure, key: str, place=None) -> None:
    """Draw a chart as every chart is drawn: without Plotly's toolbar, with its figures said in
    words for screen readers (``chart_text.describe``, the chart's ``alt``), and under it its
    link, citation and downloads (``sharing.share``)."""
    from dashboard.web.chart_text import describe  # plotly: imported by pages that draw
    from dashboard.web.sharing import share

    spec = figure.to_dict()
    place = place or st
    shown = place
    if {trace.get("type") for trace in spec.get("data", [])} & set(ROOMY_TRACES):
        shown = place.container(key=f"roomy-{key}")
    shown.plotly_chart(figure, key=key, config=CHART_CONFIG, alt=describe(spec, language()))
    share(spec, key, place, language())


def plain(text: object) -> str:
    """User-provided text (a donor's name, a file name) made inert inside Markdown: every
    character Markdown or HTML would act on is escaped, and addresses are kept from turning
    into links, so it renders as the text it is."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", unlinked(str(text)))
