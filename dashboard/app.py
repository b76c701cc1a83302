"""Streamlit entry point: `streamlit run dashboard/app.py`, on LINGKARAN_DATABASE_URL."""

from pathlib import Path

import streamlit as st

from dashboard import shell

PAGES = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="Lingkaran", page_icon=":material/volunteer_activism:", layout="wide")
navigation = st.navigation(
    [
        st.Page(
            PAGES / "overview.py", title="Ringkasan program", icon=":material/home:", default=True
        ),
        st.Page(
            PAGES / "donor_impact.py",
            title="Dampak donasi",
            icon=":material/volunteer_activism:",
            url_path="donor",
        ),
        st.Page(
            PAGES / "donor_compare.py",
            title="Bandingkan periode",
            icon=":material/compare_arrows:",
            url_path="compare",
        ),
    ]
)
with shell.friendly_failures():
    navigation.run()
