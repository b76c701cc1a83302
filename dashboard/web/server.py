"""The app and its open-data API in one process: `streamlit run dashboard/web/server.py`.

Streamlit finds the ASGI ``app`` below and serves the pages of ``app.py`` together with the
``/api/v1`` routes of ``dashboard.publish.api``.
"""

import gc
import importlib
import logging
import os
import pkgutil
from pathlib import Path

import streamlit as st

# Streamlit checks each st.cache_data's settings as it is declared and, its runtime not
# started yet, warns "No runtime found, using MemoryCacheStorageManager" on the operator's
# console; the caches are the runtime's at every call, so the warning (the only one that
# module gives) says nothing true. Declared by the imports below and by import_everything.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

import dashboard  # noqa: E402 - after the logger's level, which its imports' caches need
import queries  # noqa: E402
from dashboard.core import config, vocabulary  # noqa: E402
from dashboard.publish import api, embeds, open_data  # noqa: E402
from dashboard.web import slides  # noqa: E402

# Not imported here: the scripts Streamlit runs, and Alembic's migration environment.
NOT_LIBRARY = ("dashboard.web.app", "dashboard.web.server", "dashboard.ledger.migrations")


def import_everything() -> None:
    """Every module of the project and the libraries they use (python-pptx, fpdf2, openpyxl,
    ...), and pycountry's table of provinces, loaded before the freeze below: imported by a
    first page run instead, their 150,000 objects were walked by each full collection, a
    pause of 70 to 115 ms every forty donor page runs under 20 sessions at once."""
    for package in (dashboard, queries):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.startswith(NOT_LIBRARY):
                importlib.import_module(module.name)
    vocabulary.provinces()


app = st.App(
    Path(__file__).resolve().parent / "app.py", routes=[*api.routes, *embeds.routes, *slides.routes]
)
# The public tables are prepared in the background whenever the ledger changes.
open_data.keep_warm(config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE)))
# The libraries' own objects live as long as the process: kept out of the collector's full
# passes, which otherwise walked them every few page runs (a donor page at 2,000,000 workers
# took 60 ms, and 130 to 210 ms whenever a full collection fell inside it).
import_everything()
gc.freeze()
# A young-generation pass every 10,000 new objects, not Python's 700: a page run's own
# objects (a session's elements, messages, frames) then mostly die before one, instead of
# being promoted and walked again by the full passes. Under 20 donor page sessions at once:
# 0.8 ms of collection a run instead of 1.7, and one full pass in 1,160 runs instead of 28
# (bench/sessions.py, issue 15).
gc.set_threshold(10_000, 10, 10)
