"""Streamlit entry point: `streamlit run dashboard/app.py`, on LINGKARAN_DATABASE_URL.

(`lingkaran demo` runs `dashboard/server.py`, which serves these pages and the /api/v1
routes in one process.)
"""

from pathlib import Path

import streamlit as st

from dashboard import shell

PAGES = Path(__file__).resolve().parent.parent / "pages"


def page(file: str, title: str, icon: str, url_path: str | None = None, **options) -> st.Page:
    return st.Page(
        PAGES / file, title=title, icon=f":material/{icon}:", url_path=url_path, **options
    )


st.set_page_config(page_title="Lingkaran", page_icon=":material/volunteer_activism:", layout="wide")
navigation = st.navigation(
    {
        "Publik": [
            page("overview.py", "Ringkasan program", "home", default=True),
            page("donors_wall.py", "Dinding donatur", "groups", "donors"),
            page("methodology.py", "Metodologi", "menu_book", "methodology"),
            page("open_data.py", "Data terbuka", "dataset", "open-data"),
            page("presentation.py", "Presentasi", "slideshow", "presentation"),
            page("verify.py", "Verifikasi pernyataan", "verified", "verify"),
        ],
        "Donatur": [
            page("donor_impact.py", "Dampak donasi", "volunteer_activism", "donor"),
            page("donor_compare.py", "Bandingkan periode", "compare_arrows", "compare"),
        ],
    }
)
with shell.friendly_failures():
    navigation.run()
