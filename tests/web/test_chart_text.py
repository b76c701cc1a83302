"""A chart in words: each kind of chart the pages draw, described from its own data."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.web import charts
from dashboard.web.chart_text import describe


def test_a_line_over_time_says_its_span_its_ends_and_its_highest():
    growth = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
            "protected_workers": [1204.0, 50210.0, 48310.0],
        }
    )
    figure = charts.protected_each_month(growth, "Workers protected each month", "Now", "en")
    assert describe(figure, "en") == (
        "Workers protected each month: Now, January 2025 to March 2025: from 1,204 to "
        "48,310, highest 50,210 in February 2025."
    )
    said = describe(figure, "id")  # in the page's language, Babel's digits
    assert "Januari 2025 sampai Maret 2025: dari 1.204 menjadi 48.310" in said
    assert "tertinggi 50.210 pada Februari 2025" in said


def test_a_withheld_month_is_left_out_not_read_as_zero():
    growth = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
            "protected_workers": [None, 12.0, 15.0],
        }
    )
    figure = charts.protected_each_month(growth, "Workers", "Now", "en")
    assert describe(figure, "en") == "Workers: Now, February 2025 to March 2025: from 12 to 15."


def test_ranked_bars_are_read_from_the_top_and_the_rest_counted():
    frame = pd.DataFrame({"label": [f"Group {n}" for n in range(10)], "workers": range(10, 20)})
    said = describe(charts.ranked_bars(frame, "label", "By group", "#000000", "en"), "en")
    assert said == (
        "By group: Group 9 19, Group 8 18, Group 7 17, Group 6 16, Group 5 15, Group 4 14, "
        "Group 3 13, Group 2 12 and 2 more."
    )


def test_a_sankey_says_where_the_money_starts_and_ends():
    figure = go.Figure(
        go.Sankey(
            node={"label": ["Donations 2024", "Fisher", "Protected", "Claim paid"]},
            link={"source": [0, 1, 1], "target": [1, 2, 3], "value": [100, 90, 10]},
        ),
        layout={"title": {"text": "From donations to protection"}},
    )
    assert describe(figure, "en") == (
        "From donations to protection: from Donations 2024 100 to Protected 90, Claim paid 10."
    )


def test_a_kept_chart_is_described_like_the_chart_itself():
    frame = pd.DataFrame({"label": ["A", "B"], "workers": [3, 5]})
    figure = charts.ranked_bars(frame, "label", "By group", "#000000", "en")
    assert describe(charts.frozen(figure), "en") == describe(figure, "en") == "By group: B 5, A 3."


def test_an_empty_chart_says_so():
    assert describe(
        charts.ranked_bars(pd.DataFrame(), "label", "By group", "#000", "en"), "en"
    ) == ("By group: no data to show.")


def test_months_written_as_text_are_named_as_months():
    figure = go.Figure(go.Scatter(x=["2025-11", "2025-12"], y=[3, 4], name="Workers"))
    assert (
        describe(figure, "id") == "Workers, November 2025 sampai Desember 2025: dari 3 menjadi 4."
    )
