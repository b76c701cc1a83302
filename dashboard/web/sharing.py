"""Every chart shareable and citable: under each chart, one small "Share & download"
popover with the chart's link, its citation line and its files (issue 29).

The link restores what the reader sees: the page, and everything the page keeps in its
link already (``?donor=``, ``?from=&to=``, ``?lang=``, ``?release=``), with the release a
public page shows pinned (so the link still shows these figures after the next release)
and ``?chart=KEY``, which scrolls the chart into view when the link is opened. It grants
nothing: a donor page opened from it still asks who is looking. The files are the figure's
own data (``dashboard.exports.chart_files``), built only when a button is clicked.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from urllib.parse import urlencode, urlsplit

import streamlit as st
from cachetools import LRUCache
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard.core import config
from dashboard.core.i18n import translator
from dashboard.publish import open_data

CHART_PARAMETER = "chart"
# The public release each session's current run shows (``shown_release``): session id ->
# (the run's cursors, the release). A new run has new cursors, so a donor page opened after
# a public one does not cite the public page's release.
_SHOWN: LRUCache[str, tuple[object, open_data.ReleaseInfo]] = LRUCache(maxsize=4096)
_SHOWN_LOCK = threading.Lock()


def shown_release(info: open_data.ReleaseInfo) -> None:
    """Remember that this run's page shows the public release ``info`` (``public_release``)."""
    run = get_script_run_ctx()
    if run is not None:
        with _SHOWN_LOCK:
            _SHOWN[run.session_id] = (run.cursors, info)


def _release_shown() -> open_data.ReleaseInfo | None:
    run = get_script_run_ctx()
    if run is None:
        return None
    with _SHOWN_LOCK:
        shown = _SHOWN.get(run.session_id)
    return shown[1] if shown is not None and shown[0] is run.cursors else None


def page_address() -> str:
    """This page's address: ``LINGKARAN_PUBLIC_URL`` and the page's path when it is set,
    else the address in the reader's browser (without its query)."""
    browser = st.context.url or ""
    page = urlsplit(browser).path.rstrip("/").rsplit("/", 1)[-1]
    public = config.public_url()
    if public:
        return f"{public}/{page}"
    return browser.rstrip("/") + ("" if page else "/") if browser else f"/{page}"


def chart_link(key: str, release: str | None) -> str:
    """The link that reopens this page as it is, at this chart (and at ``release``)."""
    state = {
        name: value for name, value in st.query_params.to_dict().items() if name != CHART_PARAMETER
    }
    if release is not None:
        state["release"] = release
    state[CHART_PARAMETER] = key
    return f"{page_address()}?{urlencode(state)}"


def share(spec: dict, key: str, place, lang: str) -> None:
    """The chart's popover: link, citation line and downloads (CSV, JSON, PNG, SVG)."""
    from dashboard.exports import chart_files  # plotly: imported by the pages that draw
    from dashboard.exports.images import browser_path
    from dashboard.web.chart_text import chart_title

    _ = translator(lang)
    info = _release_shown()
    title = chart_title(spec) or key
    link = chart_link(key, info.id if info else None)
    about = chart_files.citation(
        title,
        link,
        lang,
        info.id if info else None,
        info.as_of if info else dt.date.today(),
        dt.date.today(),
    )
    box = place.popover(
        _("Share & download"), icon=":material/share:", type="tertiary", key=f"share-{key}"
    )
    box.caption(_("Link to this chart"))
    box.code(link, language=None, wrap_lines=True)
    box.caption(_("Cite as"))
    box.code(about.text, language=None, wrap_lines=True)
    buttons = box.container(horizontal=True)
    name = f"lingkaran-{key}" + (f"-{info.id}" if info else "")
    files = {
        "csv": ("text/csv", lambda: chart_files.csv_file(spec, about)),
        "json": ("application/json", lambda: chart_files.json_file(spec, about)),
        "png": ("image/png", lambda: _image(chart_files.png_file, spec, about)),
        "svg": ("image/svg+xml", lambda: _image(chart_files.svg_file, spec, about)),
    }
    drawable = browser_path() is not None
    for fmt, (mime, build) in files.items():
        image = fmt in ("png", "svg")
        buttons.download_button(
            f"⬇ {fmt.upper()}",
            build,  # built on click only: an image takes kaleido a second or two
            file_name=f"{name}.{fmt}",
            mime=mime,
            on_click="ignore",
            key=f"share-{key}-{fmt}",
            disabled=image and not drawable,
            help=_("Chart images need Chromium on the server.") if image and not drawable else None,
        )
    if st.query_params.get(CHART_PARAMETER) == key:
        _scroll_to(key)


def _image(render, spec: dict, about) -> bytes:
    """The image, or an empty file if the browser failed (a click must not raise)."""
    from dashboard.exports.images import ChartImageUnavailable

    try:
        return render(spec, about)
    except ChartImageUnavailable:
        return b""


def _scroll_to(key: str) -> None:
    """Bring the chart the link names into view, once per visit (not on every rerun)."""
    seen = f"_scrolled-{key}"
    if st.session_state.get(seen):
        return
    st.session_state[seen] = True
    selector = json.dumps(f".st-key-{key}")  # a key of the page's own code, quoted for JS
    st.html(
        f"""<script>
        (function bring(tries) {{
          const chart = document.querySelector({selector});
          if (chart && chart.querySelector('.main-svg')) {{
            chart.scrollIntoView({{block: 'center'}});
            chart.setAttribute('data-linked', 'true');
          }} else if (tries > 0) {{
            setTimeout(() => bring(tries - 1), 250);
          }}
        }})(120);
        </script>""",
        unsafe_allow_javascript=True,
    )
