"""dashboard.web.charts: what a reader sees on the axes, checked on the figure itself."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import namedtuple

import pandas as pd
import pytest

from dashboard.core import labels
from dashboard.web.charts import (
    claims_by_program,
    compared_protection,
    flow_sankey,
    province_map,
    ranked_bars,
    style,
)


def claims(*months: dt.date) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_month": list(months),
            "program": ["JKK"] * len(months),
            "amount_idr": [6_855_000] * len(months),
        }
    )


def test_quiet_quarters_between_claims_show_as_gaps():
    figure = claims_by_program(claims(dt.date(2024, 3, 1), dt.date(2025, 2, 1)), "t", "en")
    assert list(figure.layout.xaxis.categoryarray) == [
        "Q1 2024",
        "Q2 2024",
        "Q3 2024",
        "Q4 2024",
        "Q1 2025",
    ]
    assert list(figure.data[0].x) == ["Q1 2024", "Q1 2025"]


def test_a_lone_quarter_is_a_narrow_bar_not_the_whole_chart():
    figure = claims_by_program(claims(dt.date(2024, 3, 1)), "t", "id")
    assert list(figure.layout.xaxis.categoryarray) == ["K1 2024"]
    assert figure.layout.bargap >= 0.8


def test_digits_are_grouped_as_the_language_writes_them():
    assert claims_by_program(claims(dt.date(2024, 3, 1)), "t", "id").layout.separators == ",."
    assert claims_by_program(claims(dt.date(2024, 3, 1)), "t", "en").layout.separators == ".,"


def test_every_figure_sent_to_the_browser_carries_the_lingkaran_template():
    """The template is plotly's default, not set figure by figure: what goes to the browser
    (the figure's JSON) must still hold Lingkaran's font and colours over plotly's."""
    import json

    import plotly.graph_objects as go

    for figure in (
        style(go.Figure(go.Bar(x=["a"], y=[1])), "en"),
        claims_by_program(claims(dt.date(2024, 3, 1)), "Claims", "id"),
    ):
        template = json.loads(figure.to_json())["layout"]["template"]["layout"]
        assert template["colorway"][:2] == ["#0072B2", "#009E73"]
        assert template["font"]["family"].startswith("Source Sans Pro")
        assert "xaxis" in template and "hoverlabel" in template  # plotly's own, underneath


def test_age_bands_are_drawn_youngest_on_top_whatever_their_counts():
    from dashboard.core.vocabulary import AGE_BAND_ORDER, AGE_BANDS, age_band_label

    assert AGE_BAND_ORDER == ("< 15", *(age_band_label(low, high) for low, high in AGE_BANDS))
    frame = pd.DataFrame({"band": ["45–54", "15–24", "65+", "25–34"], "workers": [50, 3, 9, 70]})
    figure = ranked_bars(frame, "band", "Age", "#000", order=AGE_BAND_ORDER)
    # plotly draws the first category at the bottom: reversed, youngest on top
    assert list(figure.data[0].y)[::-1] == ["15–24", "25–34", "45–54", "65+"]
    assert list(figure.data[0].x)[::-1] == [3, 70, 50, 9]


def _months(first: str, counts: list[int]) -> pd.DataFrame:
    start = pd.Timestamp(first)
    return pd.DataFrame(
        {
            "month": [(start + pd.DateOffset(months=i)).date() for i in range(len(counts))],
            "protected_workers": counts,
        }
    )


def test_months_paid_ahead_are_named_not_shown_as_history():
    from dashboard.exports.sentences import outlook_sentence

    today = dt.date(2026, 11, 25)
    # protected now (November) and paid through March 2027
    ahead = _months("2026-09-01", [5, 5, 7, 7, 7, 7, 4])
    assert outlook_sentence(ahead, today, "en") == (
        "Paid ahead: 7 workers are protected next month, and protection is paid until "
        "March 2027. Later months on the chart are already paid for, not yet lived."
    )
    # nobody now, the next block starts in December
    resumes = _months("2026-09-01", [3, 0, 0, 620, 620])
    assert outlook_sentence(resumes, today, "en") == (
        "Nobody is protected by these donations this month: protection resumes in "
        "December 2026 for 620 workers and is paid until January 2027."
    )
    # nobody yet: the donations' first block begins in December (the README's example of a
    # year read at its end, whose protection "resumed" though it had never started)
    begins = _months("2026-11-01", [0, 620, 620])
    assert outlook_sentence(begins, today, "en") == (
        "Nobody is protected by these donations yet: protection begins in December 2026 "
        "for 620 workers and is paid until January 2027."
    )
    ended = _months("2025-06-01", [4, 4, 4, 0])
    assert outlook_sentence(ended, today, "en") == (
        "Protection paid by these donations ended after August 2025."
    )
    assert outlook_sentence(_months("2026-10-01", [3, 3]), today, "en") is None  # up to now


def test_the_protection_chart_draws_months_paid_ahead_dotted():
    from dashboard.web.charts import protection_over_time

    monthly = _months("2026-09-01", [5, 5, 7, 7, 7]).assign(donated_idr=0)
    figure = protection_over_time(monthly, "t", "en", dt.date(2026, 11, 25))
    lines = [trace for trace in figure.data if trace.type == "scatter"]
    assert [(t.name, t.line.dash, len(t.x)) for t in lines] == [
        ("Workers protected", "solid", 3),
        ("Paid ahead (not yet lived)", "dot", 3),
    ]


def _tiles(figure) -> dict[str, str]:
    """Every tile's hover text by the province named in it, over all the map's traces."""
    said = {}
    for trace in figure.data:
        for row in trace.customdata:
            for text in row:
                if text:
                    name, _colon, value = text.partition(": ")
                    said[name] = value
    return said


def test_the_province_map_draws_every_province_and_withholds_as_the_bars_do():
    shown = pd.DataFrame(
        {"province": ["ID-JB", "ID-PE"], "workers": [12_345, 40], "allocated_idr": [9, 8]}
    )
    figure = province_map(shown, "t", "id", withheld=["ID-PA"], k=10)
    tiles = _tiles(figure)
    assert len(tiles) == 38
    assert tiles["Jawa Barat"] == "12.345 pekerja, Rp 9"
    assert tiles["Papua Pegunungan"] == "40 pekerja, Rp 8"
    assert tiles["Papua"] == "< 10"
    assert tiles["Aceh"] == "tidak ada pekerja"
    texts = [t for trace in figure.data for row in trace.text for t in row if t]
    assert "<b>Jabar</b><br>12.345" in texts and "<b>Papua</b><br>< 10" in texts
    # A withheld province's figure appears nowhere in the figure, not even as a shade.
    withheld = next(trace for trace in figure.data if "< 10" in str(trace.text))
    assert {v for row in withheld.z for v in row if v is not None} == {1.0}


def test_the_sankey_names_each_outcome_with_its_share_and_keeps_labels_apart():
    flow = pd.DataFrame(
        {
            "year": [2024, 2024, 2024],
            "province": ["ID-JB", "ID-JB", "ID-JT"],
            "occupation": ["farmer", "farmer", "fisher"],
            "outcome": ["protected", "JKM", "JKK"],
            "allocated_idr": [9_960_000, 20_000, 10_000],
        }
    )
    figure = flow_sankey(flow, {2024: 10_000}, "t", "en")
    node = figure.data[0].node
    outcomes = [i for i, x in enumerate(node.x) if x > 0.9]
    assert [node.label[i] for i in outcomes] == [
        "Protected, no claim · 99.6%",
        "JKK (work accident) claim paid · 0.1%",
        "JKM (death) claim paid · 0.2%",
        "Unspent balance · 0.1%",
    ]
    ys = sorted(node.y[i] for i in outcomes)
    assert all(b - a >= 0.05 - 1e-9 for a, b in itertools.pairwise(ys))


def test_the_compared_years_draw_months_paid_ahead_dotted():
    months = [dt.date(2026, m, 1) for m in range(9, 13)] + [dt.date(2027, 1, 1)]
    monthly = pd.DataFrame({"month": months, "protected_workers": [5, 5, 7, 7, 7]})
    figure = compared_protection([("2026", monthly, "#009E73")], "t", "en", dt.date(2026, 11, 24))
    drawn = {trace.name: (trace.line.dash, [str(x) for x in trace.x]) for trace in figure.data}
    assert drawn == {
        "2026": ("solid", ["2026-09-01", "2026-10-01", "2026-11-01"]),
        "2026, paid ahead": ("dot", ["2026-11-01", "2026-12-01", "2027-01-01"]),
    }


def test_a_frozen_chart_draws_exactly_as_the_chart_it_was_made_from():
    """shell.built freezes the charts it keeps: st.plotly_chart must get the same spec."""
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go
    import plotly.io as pio
    import plotly.tools

    from dashboard.web.charts import FrozenFigure, frozen

    chart = go.Figure(go.Scatter(x=np.arange(50), y=np.arange(50) * 2.5, name="<b>x</b>"))
    # What made Plotly clean a figure before encoding it: text, dates and pandas values.
    months = pd.Series(pd.date_range("2026-01-01", periods=3, freq="MS"))
    chart.add_trace(go.Bar(x=months, y=pd.array([1, 2, 3], dtype="Int64"), text=["a", "b", "c"]))
    chart.update_layout(title="Pekerja terlindungi", height=420)
    table = pd.DataFrame({"a": [1]})
    kept = frozen((table, chart, {"chart": chart}, [chart]))
    assert kept[0] is table
    Kept = namedtuple("Kept", "table chart")
    named = frozen(Kept(table, chart))  # a named tuple keeps its names
    assert isinstance(named, Kept) and isinstance(named.chart, FrozenFigure)
    for copy in (kept[1], kept[2]["chart"], kept[3][0]):
        assert isinstance(copy, FrozenFigure)
        drawn = plotly.tools.return_figure_from_figure_or_data(copy, validate_figure=True)
        assert pio.to_json(drawn, validate=False) == pio.to_json(chart, validate=False)
        assert json.loads(json.dumps(drawn)) == drawn  # JSON's own types only: no cleaning
        drawn["data"].clear()  # what one draw does to its dict, the next never sees
        assert copy.to_dict()["data"]
    assert frozen(kept[1]) is kept[1]  # not frozen twice


def monthly_gift(months: list[dt.date], gifts: dict[dt.date, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": months,
            "protected_workers": [0] + [3] * (len(months) - 1),
            "donated_idr": [gifts.get(month, 0) for month in months],
            "allocated_idr": [0] * len(months),
        }
    )


def test_a_lone_donation_is_a_bar_a_few_weeks_wide_not_a_millisecond():
    """BUMN-001's only donation of 2024 (29 December) was a bar as wide as the gap between
    bars: with no other bar, 1 ms of a date axis, drawn as nothing."""
    from dashboard.web.charts import MONTH_BAR_MS, protection_over_time

    months = [dt.date(2024, 12, 1)] + [dt.date(2025, m, 1) for m in range(1, 7)]
    figure = protection_over_time(
        monthly_gift(months, {dt.date(2024, 12, 1): 227_000_000}),
        "t",
        "en",
        dt.date(2024, 12, 31),
    )
    (bar,) = [trace for trace in figure.data if trace.type == "bar"]
    assert list(bar.x) == [dt.date(2024, 12, 1)] and list(bar.y) == [227_000_000]
    assert list(bar.width) == [MONTH_BAR_MS] == [20 * 86_400_000]  # twenty days


def test_legends_sit_at_the_foot_of_the_figure_below_the_axis_title():
    from dashboard.web.charts import protection_over_time

    months = [dt.date(2025, m, 1) for m in range(1, 7)]
    figure = protection_over_time(monthly_gift(months, {months[0]: 1_000_000}), "t", "id")
    legend = figure.to_dict()["layout"]["template"]["layout"]["legend"]
    # Container-referenced: Plotly makes room below "Bulan" instead of drawing over it.
    assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom")
    assert figure.layout.xaxis.title.text == "Bulan"


def test_sankey_labels_are_dark_with_a_white_halo_over_the_grey_bands():
    flow = pd.DataFrame(
        {
            "year": [2024],
            "province": ["ID-JB"],
            "occupation": ["farmer"],
            "outcome": ["protected"],
            "allocated_idr": [1_000_000],
        }
    )
    sankey = flow_sankey(flow, {}, "t", "id").data[0]
    assert sankey.textfont.color == "#1A1A1A" and sankey.textfont.size == 13
    assert "white" in sankey.textfont.shadow
    grey_bands = {c for c in sankey.link.color if c.startswith("rgba(170")}
    assert grey_bands == {"rgba(170,170,170,0.3)"}  # the middle stages stay light


@pytest.mark.parametrize(("lang", "separators"), [("id", ",."), ("en", ".,")])
def test_presentation_charts_group_the_digits_of_their_value_axis(lang, separators):
    from dashboard.exports.presentation import Chart
    from dashboard.web.charts import presentation_chart

    bar = Chart("province", "bar", "t", "", ["Jawa Barat", "Bali"], {"w": [12_345, 1_500]}, "")
    line = Chart("protected", "line", "t", "", ["2025-01", "2025-02"], {"w": [1_500, 2_000]}, "")
    drawn_bar, drawn_line = presentation_chart(bar, lang), presentation_chart(line, lang)
    assert drawn_bar.layout.separators == drawn_line.layout.separators == separators
    assert drawn_bar.layout.xaxis.tickformat == ",d"  # the horizontal bars' values
    assert drawn_line.layout.yaxis.tickformat == ",d"
    assert list(drawn_bar.data[0].y) == ["Bali", "Jawa Barat"]  # largest on top


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("id", ["JKK (kecelakaan kerja)", "JKM (kematian)"]),
        ("en", ["JKK (work accident)", "JKM (death)"]),
    ],
)
def test_programs_carry_their_gloss_in_deck_charts_and_sankey(lang, names):
    from dashboard.exports.presentation import _claims_chart

    claims = pd.DataFrame({"program": ["JKK", "JKM"], "claims": [2, 1], "amount_idr": [5, 7]})
    assert _claims_chart(claims, lang).categories == names
    flow = pd.DataFrame(
        {
            "year": [2024, 2024],
            "province": ["ID-JB", "ID-JB"],
            "occupation": ["farmer", "farmer"],
            "outcome": ["JKK", "JKM"],
            "allocated_idr": [1_000, 1_000],
        }
    )
    outcomes = [label for label in flow_sankey(flow, {}, "t", lang).data[0].node.label]
    assert [label.split(" · ")[0] for label in outcomes[-2:]] == [
        labels.outcome("JKK", lang),
        labels.outcome("JKM", lang),
    ]
    glosses = [name.split(" (")[1] for name in names]  # "work accident)", "death)"
    assert all(gloss in label for gloss, label in zip(glosses, outcomes[-2:], strict=True))
