"""The app and its open-data API in one process: `streamlit run dashboard/server.py`.

Streamlit finds the ASGI ``app`` below and serves the pages of ``app.py`` together with the
``/api/v1`` routes of ``dashboard.api``.
"""

import os
from pathlib import Path

import streamlit as st

from dashboard import config, open_data
from dashboard.api import routes

app = st.App(Path(__file__).resolve().parent / "app.py", routes=routes)
# The public tables are prepared in the background whenever the ledger changes.
open_data.keep_warm(config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE)))
