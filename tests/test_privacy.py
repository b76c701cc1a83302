"""Small-cell suppression: hand-checked tables and the invariant on random ones."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.privacy import shown_count, suppress, suppression_k


def table(rows):
    return pd.DataFrame(rows, columns=["province", "occupation", "workers", "allocated_idr"])


def test_a_small_cell_is_withheld_with_its_figures():
    result = suppress(
        table(
            [
                ("ID-JB", "farmer", 4, 400),
                ("ID-JB", "fisher", 30, 3000),
                ("ID-JB", "other", 12, 1200),
            ]
        ),
        ["province", "occupation"],
        figures=["allocated_idr"],
        k=10,
    )
    first = result.iloc[0]
    assert bool(first["suppressed"])
    assert pd.isna(first["workers"]) and pd.isna(first["allocated_idr"])


def test_complementary_suppression_hides_the_smallest_other_cell_of_the_line():
    """Row ID-JB publishes 4 + 30 + 12: with only the 4 hidden, 46 - 30 - 12 recovers it."""
    result = suppress(
        table(
            [
                ("ID-JB", "farmer", 4, 400),
                ("ID-JB", "fisher", 30, 3000),
                ("ID-JB", "other", 12, 1200),
            ]
        ),
        ["province", "occupation"],
        figures=["allocated_idr"],
        k=10,
    )
    assert list(result["suppressed"]) == [True, False, True]
    assert result.loc[1, "workers"] == 30


def test_complementary_suppression_runs_along_rows_and_columns():
    #            farmer fisher
    # ID-JB        3      40
    # ID-MA       50      60
    result = suppress(
        table(
            [
                ("ID-JB", "farmer", 3, 1),
                ("ID-JB", "fisher", 40, 1),
                ("ID-MA", "farmer", 50, 1),
                ("ID-MA", "fisher", 60, 1),
            ]
        ),
        ["province", "occupation"],
        k=10,
    )
    # Row ID-JB forces ID-JB/fisher; column farmer forces ID-MA/farmer; then column fisher
    # and row ID-MA each hold one hidden cell, so ID-MA/fisher must go as well.
    cells = zip(result["province"], result["occupation"], strict=True)
    hidden = dict(zip(cells, result["suppressed"], strict=True))
    assert hidden[("ID-JB", "farmer")] and hidden[("ID-JB", "fisher")]
    assert hidden[("ID-MA", "farmer")]
    assert hidden[("ID-MA", "fisher")]  # else column fisher would hold a single hidden cell


def test_nothing_is_hidden_when_every_cell_is_large():
    result = suppress(
        table([("ID-JB", "farmer", 10, 1), ("ID-MA", "farmer", 11, 1)]),
        ["province", "occupation"],
        k=10,
    )
    assert not result["suppressed"].any()


def test_the_threshold_is_configurable(monkeypatch):
    monkeypatch.setenv("LINGKARAN_SUPPRESSION_K", "5")
    assert suppression_k() == 5
    assert shown_count(pd.NA) == "< 5"
    monkeypatch.setenv("LINGKARAN_SUPPRESSION_K", "nonsense")
    assert suppression_k() == 10
    assert shown_count(12345) == "12.345"


cells = st.lists(
    st.tuples(st.sampled_from("ABCD"), st.sampled_from("wxyz"), st.integers(1, 40)),
    min_size=1,
    max_size=16,
    unique_by=lambda c: (c[0], c[1]),
)


@settings(max_examples=200, deadline=None)
@given(cells)
def test_no_line_ever_holds_a_single_withheld_cell(drawn):
    frame = pd.DataFrame(drawn, columns=["province", "occupation", "workers"])
    result = suppress(frame, ["province", "occupation"], k=10)
    assert (result.loc[frame["workers"] < 10, "suppressed"]).all()
    for dimension in ("province", "occupation"):
        for _, line in result.groupby(dimension):
            assert line["suppressed"].sum() != 1 or len(line) == 1
    shown = result[~result["suppressed"]]
    assert (shown["workers"] >= 10).all()
