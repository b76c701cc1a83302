"""Small-cell suppression for every public surface (pages, downloads, API).

A public cell that counts fewer than ``k`` workers is withheld: its figures become missing
and it is marked ``suppressed``. So that a withheld cell cannot be recovered by subtracting
the others from a published total, every line of the table (the cells that differ in one
dimension only) that holds exactly one withheld cell gets a second one: the smallest cell
still shown (complementary suppression). Cells with no workers at all are not published.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from dashboard.formatting import number

DEFAULT_K = 10
K_VARIABLE = "LINGKARAN_SUPPRESSION_K"


def suppression_k() -> int:
    """The threshold in force: ``LINGKARAN_SUPPRESSION_K`` or 10 (never below 2)."""
    raw = os.environ.get(K_VARIABLE, "")
    return max(2, int(raw)) if raw.strip().isdigit() else DEFAULT_K


def suppress(
    frame: pd.DataFrame,
    dimensions: Sequence[str],
    count: str = "workers",
    figures: Sequence[str] = (),
    k: int | None = None,
) -> pd.DataFrame:
    """``frame`` with cells of fewer than ``k`` ``count`` withheld, complementary included.

    ``dimensions`` name the cell (e.g. province, occupation); ``figures`` are the other
    columns that are withheld with the count. Adds a boolean ``suppressed`` column; withheld
    values become missing (nullable integers), never zero.
    """
    k = suppression_k() if k is None else k
    frame = frame.reset_index(drop=True).copy()
    hidden = frame[count] < k
    # Complementary suppression, repeated until no line has a single withheld cell: hiding
    # one more cell in a line can leave a single withheld cell in a crossing line.
    changed = True
    while changed:
        changed = False
        for varying in dimensions:
            fixed = [d for d in dimensions if d != varying]
            keys = [frame[d] for d in fixed] if fixed else [pd.Series(0, index=frame.index)]
            lines = pd.DataFrame({"hidden": hidden, "count": frame[count]}).groupby(
                keys, dropna=False
            )
            withheld = lines["hidden"].transform("sum")
            size = lines["hidden"].transform("size")
            lonely = (withheld == 1) & (size > 1) & ~hidden
            if not lonely.any():
                continue
            # In each such line, the smallest cell still shown (ties: the first) goes too.
            candidates = frame.loc[lonely, [count]].assign(
                line=lines.ngroup()[lonely], order=frame.index[lonely]
            )
            partners = candidates.sort_values([count, "order"]).groupby("line").head(1).index
            hidden[partners] = True
            changed = True
    frame["suppressed"] = hidden
    for column in (count, *figures):
        frame[column] = frame[column].astype("Int64").mask(hidden)
    return frame


def shown_count(value, k: int | None = None) -> str:
    """How a possibly withheld count reads on a page: the number, or ``< 10``."""
    k = suppression_k() if k is None else k
    return f"< {k}" if pd.isna(value) else number(int(value))
