"""The app and its open-data API in one process: `streamlit run dashboard/server.py`.

Streamlit finds the ASGI ``app`` below and serves the pages of ``app.py`` together with the
``/api/v1`` routes of ``dashboard.api``.
"""

import gc
import os
from pathlib import Path

import streamlit as st

# What every page run uses, imported before the freeze below.
import dashboard.charts  # noqa: F401
import queries.donor  # noqa: F401
import queries.public  # noqa: F401
from dashboard import config, open_data
from dashboard.api import routes

app = st.App(Path(__file__).resolve().parent / "app.py", routes=routes)
# The public tables are prepared in the background whenever the ledger changes.
open_data.keep_warm(config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE)))
# The libraries' own objects live as long as the process: kept out of the collector's full
# passes, which otherwise walked them every few page runs (a donor page at 2,000,000 workers
# took 60 ms, and 130 to 210 ms whenever a full collection fell inside it).
gc.freeze()
