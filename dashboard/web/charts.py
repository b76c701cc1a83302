"""Plotly figures from the tidy frames of ``queries``: one template, one colour per meaning.

Every chart has a title that says what is shown, labelled axes and rupiah in its units.
Numbers on hover are formatted by Babel (``dashboard.core.formatting``), never by hand.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import orjson
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from dashboard.core import labels
from dashboard.core.formatting import number, percent, rupiah
from dashboard.core.i18n import DEFAULT_LANGUAGE, translator
from dashboard.core.months import first_day, month_of

pio.templates["lingkaran"] = go.layout.Template(
    layout=go.Layout(
        font={"family": "Source Sans Pro, Arial, sans-serif", "size": 14, "color": "#262730"},
        title={"font": {"size": 18}, "x": 0, "xanchor": "left"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        xaxis={"showgrid": False, "linecolor": "#BBBBBB"},
        yaxis={"gridcolor": "#EEEEEE", "zeroline": False},
        # At the foot of the whole figure (container), not of the plot area: Plotly then
        # makes room for it below the x axis's title instead of drawing over "Bulan".
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
        },
        hoverlabel={"bgcolor": "white"},
        colorway=["#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#56B4E9", "#999999"],
        yaxis_tickformat=",d",
    )
)
# Plotly's own template with Lingkaran's on top, merged once and made the default: every
# figure then carries it from its creation. Giving it to each figure instead
# (update_layout(template="plotly+lingkaran")) merged and validated both templates again
# for every figure on every page run: 20 ms a figure, against under 1.5 ms.
# Streamlit makes its own template plotly's default when its chart element is first imported
# (its colours are placeholders the browser fills with Streamlit's theme); imported here
# first, whatever imported what before, so that the default set below is the one that stays.
importlib.import_module("streamlit.elements.plotly_chart")
TEMPLATE = "lingkaran-app"
pio.templates[TEMPLATE] = pio.templates.merge_templates(
    pio.templates["plotly"], pio.templates["lingkaran"]
)
pio.templates.default = TEMPLATE
# Plotly's decimal then thousands separator, as Babel writes numbers in each language.
SEPARATORS = {"id": ",.", "en": ".,"}  # 1.234.567,5 and 1,234,567.5
TOP_PROVINCES = 8
# A month's bar on a date axis, in milliseconds. Left to itself Plotly makes a bar as wide
# as the smallest gap between bars: a donor's only donation of a year got 1 ms, drawn as
# nothing, while the legend still named it (BUMN-001, 29 December 2024).
MONTH_BAR_MS = 20 * 24 * 60 * 60 * 1000
# Sankey labels: dark text with a white halo, readable over the grey bands they cross.
SANKEY_LABEL_FONT = {"color": "#1A1A1A", "size": 13, "shadow": "0 0 3px white"}


class FrozenFigure(go.Figure):
    """A finished chart kept as the JSON text of its plain form (``to_dict``), made once.

    ``st.plotly_chart`` turns every figure it draws into a dict with ``to_dict()``, which
    deep-copies it and encodes each array in base64: with the charts built once per ledger
    version (``shell.built``), that conversion was still half of a donor page run's CPU (37
    of 76 ms). A frozen figure parses its text instead (orjson, tens of microseconds), and
    the dict it hands over holds only JSON's own types, so Plotly encodes it again without
    first walking it to clean it. Kept as one string, a chart is no longer a thousand small
    objects for Python's collector to walk on every full pass, and each draw gets a dict of
    its own (Plotly removes trace ids from the dict it is given). The figure itself is left
    empty: nothing but ``to_dict`` is asked of a kept chart."""

    def __init__(self, figure: go.Figure) -> None:
        super().__init__()
        self._text = pio.to_json(figure, validate=False)

    def to_dict(self) -> dict:
        return orjson.loads(self._text)


def frozen(value):
    """``value`` (a chart, or a tuple, list or dict holding charts among other things) with
    each chart frozen."""
    if isinstance(value, go.Figure) and not isinstance(value, FrozenFigure):
        return FrozenFigure(value)
    if isinstance(value, tuple):
        parts = [frozen(part) for part in value]
        return type(value)(*parts) if hasattr(value, "_fields") else tuple(parts)
    if isinstance(value, list):
        return [frozen(part) for part in value]
    if isinstance(value, dict):
        return {name: frozen(part) for name, part in value.items()}
    return value


def style(figure: go.Figure, lang: str = DEFAULT_LANGUAGE, **layout) -> go.Figure:
    """The language's digit separators and ``layout`` on any figure (the Lingkaran template
    is every figure's default)."""
    figure.update_layout(separators=SEPARATORS[lang], **layout)
    return figure


def quarter_label(year: int, quarter: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """A quarter as the language writes it: K3 2024 (id), Q3 2024 (en)."""
    _ = translator(lang)
    return _("Q{quarter} {year}").format(quarter=quarter, year=year)


def bar_gap(columns: int) -> float:
    """Room between bars: a few columns stay narrow instead of filling the whole chart."""
    return max(0.2, 1 - 0.1 * columns)


def _translucent(colour: str, alpha: float = 0.45) -> str:
    """``#RRGGBB`` as rgba with ``alpha``: a band in its node's colour, lighter."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _figure(title: str, lang: str) -> go.Figure:
    return style(go.Figure(), lang, title=title)


@dataclass
class _SankeyNodes:
    """The Sankey's nodes in the order first named: label, colour and column (0 donations,
    1 provinces, 2 occupations, 3 outcomes); ``node`` names one and gives its index."""

    names: list[str] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)

    def node(self, label: str, colour: str = labels.MONEY_COLOUR, column: int = 0) -> int:
        if label not in self.names:
            self.names.append(label)
            self.colours.append(colour)
            self.columns.append(column)
        return self.names.index(label)


FLOW_STAGES = (
    ("donation_label", "province_label"),
    ("province_label", "occupation_label"),
    ("occupation_label", "outcome_label"),
)


def _labelled_flow(flow: pd.DataFrame, others: str, donated_in: str, lang: str) -> pd.DataFrame:
    """The flow with each stage's label: the largest provinces by name, the rest pooled."""
    flow = flow.copy()
    by_province = flow.groupby("province")["allocated_idr"].sum().sort_values(ascending=False)
    kept = set(by_province.index[:TOP_PROVINCES])
    flow["province_label"] = [labels.province(p) if p in kept else others for p in flow["province"]]
    flow["donation_label"] = [donated_in.format(year=year) for year in flow["year"]]
    flow["occupation_label"] = [labels.occupation(o, lang) for o in flow["occupation"]]
    flow["outcome_label"] = [labels.outcome(o, lang) for o in flow["outcome"]]
    return flow


def _share_label(label: str, amount: int, whole: int, lang: str) -> str:
    """An outcome named with its share of the money: a paid claim's coverage is a sliver of
    the whole and its band a hairline, so the label carries the figure."""
    share = Fraction(amount, whole)
    shown = percent(share, lang) if share >= Fraction(1, 1000) else f"< {percent(0.001, lang)}"
    return f"{label} · {shown}"


def _node_places(
    columns: list[int], sources: list[int], targets: list[int], values: list[int]
) -> tuple[list[float], list[float]]:
    """Fixed places keep the reading order (years ascending, largest groups first); left to
    itself Plotly reorders nodes to shorten links. A node's y is the middle of its share of
    its column, so big nodes get room, and small nodes' labels do not overlap."""
    leaving, arriving = [0] * len(columns), [0] * len(columns)
    for source, target, value in zip(sources, targets, values, strict=True):
        leaving[source] += value
        arriving[target] += value
    size = [max(out, into) for out, into in zip(leaving, arriving, strict=True)]
    xs = [0.001 + 0.998 * column / 3 for column in columns]
    ys = [0.5] * len(columns)
    gap = 0.035  # the node padding, as a share of the plot's height
    label_room = 0.05  # one line of label, as a share of the plot's height
    for column in set(columns):
        members = [i for i, placed in enumerate(columns) if placed == column]
        total = sum(size[i] for i in members) or 1
        room = max(0.3, 1 - gap * (len(members) - 1))
        before = 0
        for place, i in enumerate(members):
            ys[i] = min(0.999, 0.001 + room * (before + size[i] / 2) / total + gap * place)
            before += size[i]
        # Push down, then back up from the bottom.
        for above, below in itertools.pairwise(members):
            ys[below] = max(ys[below], ys[above] + label_room)
        ys[members[-1]] = min(ys[members[-1]], 0.999)
        for above, below in reversed(list(itertools.pairwise(members))):
            ys[above] = min(ys[above], ys[below] - label_room)
    return xs, ys


def flow_sankey(
    flow: pd.DataFrame, balances: dict[int, int], title: str, lang: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """Donations (by year received) → province → occupation → outcome, weighted in rupiah.

    The largest provinces keep their name, the others are pooled; each year's unspent
    balance (``balances``: year -> rupiah) flows to its own node, so every rupiah shows.
    """
    _ = translator(lang)
    figure = _figure(title, lang)
    if flow.empty:
        return figure
    others, donated_in = _("Other provinces"), _("Donations {year}")
    flow = _labelled_flow(flow, others, donated_in, lang)
    nodes = _SankeyNodes()
    # Nodes in reading order: years ascending, then the largest groups first.
    for year in sorted(flow["year"].unique()):
        nodes.node(donated_in.format(year=year))
    for position, column in enumerate(("province_label", "occupation_label"), start=1):
        largest_first = flow.groupby(column)["allocated_idr"].sum().sort_values().index[::-1]
        for label in sorted(largest_first, key=lambda label: label == others):
            nodes.node(label, labels.NEUTRAL_COLOUR, position)
    unspent = sum(balance for balance in balances.values() if balance > 0)
    whole = int(flow["allocated_idr"].sum()) + unspent or 1
    outcome_names = {}
    for code in labels.OUTCOMES:
        amount = int(flow.loc[flow["outcome"] == code, "allocated_idr"].sum())
        if amount:
            name = labels.outcome(code, lang)
            outcome_names[name] = _share_label(name, amount, whole, lang)
            nodes.node(outcome_names[name], labels.OUTCOME_COLOURS[code], 3)
    flow["outcome_label"] = flow["outcome_label"].map(outcome_names)
    sources, targets, values = [], [], []
    for source, target in FLOW_STAGES:
        for (left, right), value in flow.groupby([source, target])["allocated_idr"].sum().items():
            sources.append(nodes.node(left))
            targets.append(nodes.node(right))
            values.append(int(value))
    unspent_label = _share_label(_("Unspent balance"), unspent, whole, lang)
    for year, balance in sorted(balances.items()):
        if balance > 0:
            sources.append(nodes.node(donated_in.format(year=year)))
            targets.append(nodes.node(unspent_label, "#DDDDDD", 3))
            values.append(int(balance))
    # A band takes its outcome's colour on the last stage, so claims stay visible as colour.
    link_colours = [
        _translucent(nodes.colours[target])
        if nodes.columns[target] == 3
        else "rgba(170,170,170,0.3)"
        for target in targets
    ]
    xs, ys = _node_places(nodes.columns, sources, targets, values)
    figure.add_trace(
        go.Sankey(
            arrangement="snap",
            node={
                "label": nodes.names,
                "color": nodes.colours,
                "pad": 14,
                "thickness": 16,
                "x": xs,
                "y": ys,
            },
            textfont=SANKEY_LABEL_FONT,
            link={
                "source": sources,
                "target": targets,
                "value": values,
                "color": link_colours,
                "customdata": [rupiah(v, lang) for v in values],
                "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>",
            },
            valueformat=",d",
        )
    )
    figure.update_layout(height=520)
    return figure


def _lived_and_ahead(
    monthly: pd.DataFrame, as_of: dt.date | None, names: tuple[str, str], colour: str, lang: str
) -> list[go.Scatter]:
    """Workers protected each month as two lines: months lived solid, then the months after
    ``as_of``'s month, already paid for, dotted (named by ``names``)."""
    current = first_day(month_of(as_of or dt.date.today()))
    lived = monthly[monthly["month"] <= current]
    ahead = monthly[monthly["month"] >= current]  # from this month, so the lines join
    traces = []
    for part, name, dash in ((lived, names[0], "solid"), (ahead, names[1], "dot")):
        if part.empty or (part is ahead and len(part) < 2):
            continue
        traces.append(
            go.Scatter(
                x=part["month"],
                y=part["protected_workers"],
                name=name,
                mode="lines",
                line={"color": colour, "width": 3, "dash": dash},
                customdata=[number(v, lang) for v in part["protected_workers"]],
                hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>",
            )
        )
    return traces


def protection_over_time(
    monthly: pd.DataFrame,
    title: str,
    lang: str = DEFAULT_LANGUAGE,
    as_of: dt.date | None = None,
) -> go.Figure:
    """Workers protected each month (line) with the donations received (bars), two axes.
    Months after ``as_of``'s month are already paid for, not lived: a dotted line."""
    _ = translator(lang)
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    style(figure, lang, title=title, height=420)
    if monthly.empty:
        return figure
    names = (_("Workers protected"), _("Paid ahead (not yet lived)"))
    for trace in _lived_and_ahead(monthly, as_of, names, labels.WORKERS_COLOUR, lang):
        figure.add_trace(trace, secondary_y=False)
    gifts = monthly[monthly["donated_idr"] > 0]
    figure.add_trace(
        go.Bar(
            x=gifts["month"],
            y=gifts["donated_idr"],
            width=[MONTH_BAR_MS] * len(gifts),
            name=_("Donations received (rupiah)"),
            marker={"color": labels.MONEY_COLOUR, "opacity": 0.45},
            customdata=[rupiah(v, lang) for v in gifts["donated_idr"]],
            hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>",
        ),
        secondary_y=True,
    )
    figure.update_yaxes(title_text=_("Workers protected"), secondary_y=False, rangemode="tozero")
    figure.update_yaxes(
        title_text=_("Donations (rupiah)"),
        secondary_y=True,
        showgrid=False,
        rangemode="tozero",
        tickformat=",d",
        # Its own round ticks: synced to the workers axis it read "508.010.733".
        tickmode="auto",
        nticks=5,
    )
    figure.update_xaxes(title_text=_("Month"))
    return figure


def cumulative_money(monthly: pd.DataFrame, title: str, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    _ = translator(lang)
    figure = _figure(title, lang)
    if monthly.empty:
        return figure
    for column, name, colour in (
        ("cumulative_donated_idr", _("Donated, cumulative"), labels.MONEY_COLOUR),
        ("cumulative_allocated_idr", _("Allocated, cumulative"), labels.WORKERS_COLOUR),
    ):
        figure.add_trace(
            go.Scatter(
                x=monthly["month"],
                y=monthly[column],
                name=name,
                mode="lines",
                line={"color": colour, "width": 3, "shape": "hv"},
                customdata=[rupiah(v, lang) for v in monthly[column]],
                hovertemplate="%{x|%Y-%m}: %{customdata}<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(height=380, yaxis_title=_("Rupiah"), xaxis_title=_("Month"))
    return figure


def ranked_bars(
    frame: pd.DataFrame,
    label_column: str,
    title: str,
    colour: str,
    lang: str = DEFAULT_LANGUAGE,
    order: Sequence[str] | None = None,
) -> go.Figure:
    """Workers per group, largest on top, or in ``order`` from the top when the groups have
    one of their own (age bands) (works offline: no map tiles)."""
    _ = translator(lang)
    figure = _figure(title, lang)
    if frame.empty:
        return figure
    if order is None:
        ordered = frame.sort_values("workers")
    else:  # plotly draws the first row at the bottom
        rank = {label: position for position, label in enumerate(order)}
        ordered = frame.iloc[
            sorted(range(len(frame)), key=lambda i: -rank.get(frame[label_column].iloc[i], -1))
        ]
    figure.add_trace(
        go.Bar(
            x=ordered["workers"],
            y=ordered[label_column],
            orientation="h",
            marker={"color": colour},
            text=[number(v, lang) for v in ordered["workers"]],
            textposition="outside",
            cliponaxis=False,
            customdata=(
                [rupiah(v, lang) for v in ordered["allocated_idr"]]
                if "allocated_idr" in ordered
                else None
            ),
            hovertemplate=(
                "%{y}: %{text}, %{customdata}<extra></extra>"
                if "allocated_idr" in ordered
                else "%{y}: %{text}<extra></extra>"
            ),
        )
    )
    figure.update_layout(
        height=max(260, 26 * len(ordered) + 90),
        xaxis={"range": [0, ordered["workers"].max() * 1.3], "tickformat": ",d"},
        xaxis_title=_("Workers protected"),
        yaxis_title=None,
        showlegend=False,
    )
    return figure


def claims_by_program(claims: pd.DataFrame, title: str, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Paid claims per quarter, stacked by program, in rupiah."""
    _ = translator(lang)
    figure = _figure(title, lang)
    if claims.empty:
        return figure
    frame = claims.copy()
    quarters = pd.to_datetime(frame["incident_month"]).dt.to_period("Q")
    frame["quarter"] = [quarter_label(q.year, q.quarter, lang) for q in quarters]
    frame["order"] = quarters.map(lambda q: q.ordinal)
    totals = frame.groupby(["order", "quarter", "program"], as_index=False)["amount_idr"].sum()
    totals = totals.sort_values("order")
    # Every quarter from the first claim to the last, so quiet quarters show as gaps.
    every = pd.period_range(quarters.min(), quarters.max(), freq="Q")
    axis = [quarter_label(q.year, q.quarter, lang) for q in every]
    for program, rows in totals.groupby("program"):
        figure.add_trace(
            go.Bar(
                x=rows["quarter"],
                y=rows["amount_idr"],
                name=labels.program(program, lang),
                marker={"color": labels.PROGRAM_COLOURS.get(program, labels.NEUTRAL_COLOUR)},
                customdata=[rupiah(v, lang) for v in rows["amount_idr"]],
                hovertemplate="%{x}: %{customdata}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        bargap=bar_gap(len(axis)),
        height=360,
        yaxis_title=_("Rupiah"),
        xaxis={
            "title": _("Quarter of the incident"),
            "type": "category",
            "categoryorder": "array",
            "categoryarray": axis,
            "range": [-0.5, len(axis) - 0.5],
        },
    )
    return figure


def province_map(
    frame: pd.DataFrame,
    title: str,
    lang: str = DEFAULT_LANGUAGE,
    withheld: Sequence[str] = (),
    k: int | None = None,
) -> go.Figure:
    """Workers per province on a tile grid of Indonesia's 38 provinces (nothing fetched).

    ``frame`` holds the figures that may be shown (province, workers, optionally
    allocated_idr); provinces in ``withheld`` read "< k" as in the bar chart beside it, and
    the others none. Darker tiles: more workers (square-root scale, so small ones show).
    """
    _ = translator(lang)
    figure = _figure(title, lang)
    columns = 1 + max(column for column, _row, _name in labels.PROVINCE_TILES.values())
    rows = 1 + max(row for _column, row, _name in labels.PROVINCE_TILES.values())
    shown = {row["province"]: row for row in frame.to_dict("records")}
    kinds = {"shown": [], "withheld": [], "none": []}
    for code, (column, row, short) in labels.PROVINCE_TILES.items():
        name = labels.province(code)
        if code in withheld:
            kinds["withheld"].append((column, row, short, f"< {k}", f"{name}: < {k}", 1.0))
        elif code in shown:
            workers, money = int(shown[code]["workers"]), shown[code].get("allocated_idr")
            hover = _("{province}: {workers} workers").format(
                province=name, workers=number(workers, lang)
            )
            if money is not None:
                hover += f", {rupiah(int(money), lang)}"
            kinds["shown"].append((column, row, short, number(workers, lang), hover, workers**0.5))
        else:
            none = _("{province}: no workers").format(province=name)
            kinds["none"].append((column, row, short, "–", none, 1.0))
    scales = {
        "shown": [[0, "#D6E6F2"], [1, "#00446B"]],
        "withheld": [[0, "#BDBDBD"], [1, "#BDBDBD"]],
        "none": [[0, "#F4F4F4"], [1, "#F4F4F4"]],
    }
    for kind, tiles in kinds.items():
        if not tiles:
            continue
        z = [[None] * columns for _row in range(rows)]
        text = [[""] * columns for _row in range(rows)]
        hover = [[""] * columns for _row in range(rows)]
        for column, row, short, value, said, shade in tiles:
            z[row][column] = shade
            text[row][column] = f"<b>{short}</b><br>{value}"
            hover[row][column] = said
        top = max(tile[5] for tile in tiles)
        figure.add_trace(
            go.Heatmap(
                z=z,
                x=list(range(columns)),
                y=list(range(rows)),
                text=text,
                customdata=hover,
                texttemplate="%{text}",
                textfont={"size": 10},
                hovertemplate="%{customdata}<extra></extra>",
                hoverongaps=False,
                colorscale=scales[kind],
                zmin=0,
                zmax=top or 1,
                showscale=False,
                xgap=3,
                ygap=3,
            )
        )
    key = _("Darker: more workers. “–”: none.")
    if k is not None:
        key = _("Darker: more workers. Grey “< {k}”: withheld. “–”: none.").format(k=k)
    figure.add_annotation(
        text=key,
        x=0,
        y=0,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        yshift=-6,
        showarrow=False,
        font={"size": 12, "color": "#555555"},
    )
    hidden = {"visible": False, "fixedrange": True}
    figure.update_layout(
        height=580,
        margin={"b": 40},
        xaxis={**hidden, "range": [-0.5, columns - 0.5], "constrain": "domain"},
        yaxis={**hidden, "autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
        showlegend=False,
        dragmode=False,
    )
    return figure


def compared_protection(
    series: Sequence[tuple[str, pd.DataFrame, str]],
    title: str,
    lang: str = DEFAULT_LANGUAGE,
    as_of: dt.date | None = None,
) -> go.Figure:
    """Workers protected each month, one line per (name, monthly frame, colour): months lived
    solid, months already paid ahead dotted, as on the donor page."""
    _ = translator(lang)
    figure = _figure(title, lang)
    for name, monthly, colour in series:
        names = (name, _("{name}, paid ahead").format(name=name))
        for trace in _lived_and_ahead(monthly, as_of, names, colour, lang):
            figure.add_trace(trace)
    figure.update_layout(height=400, xaxis_title=_("Month"), yaxis_title=_("Workers protected"))
    return figure


def protected_each_month(
    growth: pd.DataFrame, title: str, name: str, lang: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """The public line of workers protected each month (a withheld month is a gap)."""
    _ = translator(lang)
    figure = go.Figure(
        go.Scatter(
            x=growth["month"],
            y=growth["protected_workers"].astype("float"),
            mode="lines",
            line={"color": labels.WORKERS_COLOUR, "width": 3},
            name=name,
        )
    )
    return style(
        figure, lang, title=title, xaxis_title=_("Month"), yaxis_title=_("Workers"), height=380
    )


def donations_by_type(growth: pd.DataFrame, title: str, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Donations received so far, stacked by donor type, month by month."""
    _ = translator(lang)
    figure = go.Figure()
    for code in labels.DONOR_TYPES:
        figure.add_trace(
            go.Scatter(
                x=growth["month"],
                y=growth[f"cumulative_{code}_idr"],
                name=labels.donor_type(code, lang),
                mode="lines",
                stackgroup="donors",
                line={"color": labels.DONOR_TYPE_COLOURS[code]},
            )
        )
    return style(
        figure, lang, title=title, xaxis_title=_("Month"), yaxis_title=_("Rupiah"), height=380
    )


def benefits_by_year(
    shown: pd.DataFrame, years: tuple[int, int], title: str, lang: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """Benefits paid by year of the incident, stacked by program. Every year from the first
    claim to the last is on the axis, so a year with nothing shown is a gap, not a year
    that silently is not there."""
    _ = translator(lang)
    categories = [str(year) for year in range(years[0], years[1] + 1)]
    figure = go.Figure()
    for program, rows in shown.groupby("program"):
        figure.add_trace(
            go.Bar(
                x=rows["year"].astype(str),
                y=rows["amount_idr"].astype("int64"),
                name=labels.program(program, lang),
                marker={"color": labels.PROGRAM_COLOURS.get(program, labels.NEUTRAL_COLOUR)},
            )
        )
    return style(
        figure,
        lang,
        title=title,
        barmode="stack",
        bargap=bar_gap(len(categories)),
        xaxis={
            "title": _("Year"),
            "type": "category",
            "categoryorder": "array",
            "categoryarray": categories,
        },
        yaxis_title=_("Rupiah"),
        height=380,
        showlegend=True,  # even with one program left, say which it is
    )


def presentation_chart(chart, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """A presentation chart (``dashboard.exports.presentation.Chart``) as the page draws it.

    The value axis has digit grouping in the page's language (1.234 id, 1,234 en): left to
    Plotly it read "20k", or "1500" with no separator at all."""
    figure = go.Figure()
    for name, values in chart.series.items():
        if chart.kind == "line":
            figure.add_trace(go.Scatter(x=chart.categories, y=values, name=name, mode="lines"))
        elif chart.kind == "bar":
            figure.add_trace(
                go.Bar(x=values[::-1], y=chart.categories[::-1], name=name, orientation="h")
            )
        else:
            figure.add_trace(go.Bar(x=chart.categories, y=values, name=name))
    value_axis = "xaxis" if chart.kind == "bar" else "yaxis"
    return style(
        figure,
        lang,
        title=chart.title,
        height=380,
        **{value_axis: {"tickformat": ",d", "rangemode": "tozero"}},
    )
