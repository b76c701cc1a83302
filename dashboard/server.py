"""The app and its open-data API in one process: `streamlit run dashboard/server.py`.

Streamlit finds the ASGI ``app`` below and serves the pages of ``app.py`` together with the
``/api/v1`` routes of ``dashboard.api``.
"""

from pathlib import Path

import streamlit as st

from dashboard.api import routes

app = st.App(Path(__file__).resolve().parent / "app.py", routes=routes)
