"""Streamlit entry point: `streamlit run dashboard/app.py`, on LINGKARAN_DATABASE_URL."""

from pathlib import Path

import streamlit as st

from dashboard import shell

PAGES = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="Lingkaran", page_icon="🤝", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Ringkasan program", icon="🏠", default=True),
    ]
)
with shell.friendly_failures():
    navigation.run()
