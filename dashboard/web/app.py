"""Streamlit entry point: `streamlit run dashboard/web/app.py`, on LINGKARAN_DATABASE_URL.

(`lingkaran demo` runs `dashboard/web/server.py`, which serves these pages and the /api/v1
routes in one process.)
"""

import contextlib
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.errors import StreamlitSecretNotFoundError

from dashboard.accounts.access import DEMO, mode
from dashboard.core.errors import LedgerError
from dashboard.core.i18n import translator
from dashboard.web import controls, corrections, shell
from dashboard.web.production import production_problems

PAGES = Path(__file__).resolve().parents[2] / "pages"


def page(file: str, title: str, icon: str, url_path: str | None = None, **options) -> st.Page:
    return st.Page(
        PAGES / file, title=title, icon=f":material/{icon}:", url_path=url_path, **options
    )


# A shipped file: a Material icon as favicon is fetched by the browser from a font host
# outside the app on every page (issue 12: nothing is fetched from outside).
FAVICON = Path(__file__).parent / "static" / "favicon.svg"
# Contrast, phones and print (static/reader.css), and charts scaled to the paper when printed
# (static/reader.js): read once per process.
READER_CSS = (Path(__file__).parent / "static" / "reader.css").read_text(encoding="utf-8")
READER_JS = (Path(__file__).parent / "static" / "reader.js").read_text(encoding="utf-8")
st.set_page_config(page_title="Lingkaran", page_icon=str(FAVICON), layout="wide")
with st.sidebar:
    _ = translator(controls.language_picker())
st.html(f"<style>{READER_CSS}</style>")  # styles only: no element on the page
# The document's language is the page's (screen readers pronounce by it; Streamlit's own
# page says "en" whatever the text): a fixed script, the language code its only input.
st.html(
    f"<script>document.documentElement.lang = {shell.language()!r};\n{READER_JS}</script>",
    unsafe_allow_javascript=True,
)
if mode() == DEMO:
    st.warning(
        _(
            "Demo mode: fictional data, no login; any donor can be picked. Run with "
            "LINGKARAN_MODE=production behind an identity provider for real data."
        ),
        icon=":material/science:",
    )
else:
    try:
        secrets = st.secrets.to_dict()
    except StreamlitSecretNotFoundError:  # no .streamlit/secrets.toml at all
        secrets = {}
    problems = production_problems(secrets)
    if problems:
        st.error(_("Lingkaran refuses to start in production mode:"))
        st.markdown("\n".join(f"- {problem}" for problem in problems))
        st.stop()
    if st.user.is_logged_in:  # who is signed in, and the way out, on every page
        with st.sidebar:
            st.caption(_("Signed in as {who}").format(who=shell.plain(st.user.get("email", ""))))
            st.button(_("Log out"), key="sidebar-logout", on_click=st.logout)
viewer_is_admin = False
# An unreachable ledger is left to the page, which says so in words (shell.friendly_failures).
with contextlib.suppress(SQLAlchemyError, LedgerError, OSError):
    viewer_is_admin = shell.viewer().admin
public_pages = [
    page("overview.py", _("Programme overview"), "home", default=True),
    page("donors_wall.py", _("Donors wall"), "groups", "donors"),
    page("methodology.py", _("Methodology"), "menu_book", "methodology"),
    page("open_data.py", _("Open data"), "dataset", "open-data"),
    page("releases.py", _("Releases"), "history", "releases"),
    page("presentation.py", _("Presentation"), "slideshow", "presentation"),
    page("verify.py", _("Verify a statement"), "verified", "verify"),
]
navigation = st.navigation(
    {
        _("Public"): public_pages,
        _("Donors"): [
            page("donor_impact.py", _("Donation impact"), "volunteer_activism", "donor"),
            page("donor_compare.py", _("Compare periods"), "compare_arrows", "compare"),
            # Listed for admins only; anyone else who opens /admin is told it is not theirs.
            page(
                "admin.py",
                _("Admin console"),
                "admin_panel_settings",
                "admin",
                visibility="visible" if viewer_is_admin else "hidden",
            ),
        ],
    }
)
# "Report a problem" on every public page (issue 29), in the sidebar: drawn before the page,
# so a page that stops early (no release yet) still offers it.
if navigation.url_path in {public.url_path for public in public_pages}:
    with st.sidebar, shell.friendly_failures():
        corrections.report_problem(navigation.url_path or "overview", navigation.title)
with shell.friendly_failures():
    navigation.run()
