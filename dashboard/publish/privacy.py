"""The suppression threshold k and how a withheld count reads.

A public cell that counts fewer than ``k`` workers is withheld, with whatever else must go
so that it cannot be worked out from the rest: ``dashboard/publish/disclosure.py`` decides that for
the whole publication at once (``dashboard/publish/open_data.py``).
"""

from __future__ import annotations

import os

import pandas as pd

from dashboard.core.formatting import number
from dashboard.core.i18n import DEFAULT_LANGUAGE

DEFAULT_K = 10
K_VARIABLE = "LINGKARAN_SUPPRESSION_K"


def suppression_k() -> int:
    """The threshold in force: ``LINGKARAN_SUPPRESSION_K`` or 10 (never below 2)."""
    raw = os.environ.get(K_VARIABLE, "")
    return max(2, int(raw)) if raw.strip().isdigit() else DEFAULT_K


def shown_count(value, k: int | None = None, lang: str = DEFAULT_LANGUAGE) -> str:
    """How a possibly withheld count reads on a page: the number in the page's language, or
    ``< 10`` when it is withheld (missing) or counts fewer than k but some."""
    k = suppression_k() if k is None else k
    return f"< {k}" if pd.isna(value) or 0 < value < k else number(int(value), lang)
