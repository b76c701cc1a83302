"""A chart in words: what a screen reader says for it, made from the figure's own data.

Every chart's text alternative states its figures ("Workers protected each month: May 2018
to November 2026, from 12 to 15,880, highest 22,512 in April 2025"), not "a chart", in the
page's language. It reads the figure as Plotly sends it to the browser (``to_dict``), so a
chart kept frozen (``charts.FrozenFigure``) is described like any other, and nothing a page
draws needs a description of its own.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

import plotly.graph_objects as go

from dashboard.core.formatting import month_text, number
from dashboard.core.i18n import translator
from dashboard.exports import chart_files

LISTED = 8  # groups named in a description; the rest are counted
_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})(?:-\d{2})?(?:[T ].*)?$")


def describe(figure: go.Figure | dict, lang: str) -> str:
    """The chart's title, then each series' figures, in ``lang`` (``figure`` may be given as
    its ``to_dict()`` already made)."""
    spec = figure if isinstance(figure, dict) else figure.to_dict()
    _ = translator(lang)
    title = chart_title(spec)
    parts = [part for trace in spec.get("data", []) if (part := _trace_text(trace, lang))]
    if not parts:
        return _("{title}: no data to show.").format(title=title) if title else ""
    return f"{title}: " + "; ".join(parts) + "." if title else "; ".join(parts) + "."


def chart_title(spec: dict) -> str:
    """The title of a figure (as ``to_dict`` gives it) without Plotly's markup (``<b>``,
    ``<br>``): what the description and the chart's citation name; "" when it has none."""
    text = (spec.get("layout", {}).get("title") or {}).get("text") or ""
    for tag in ("<br>", "<br/>", "<b>", "</b>", "<i>", "</i>"):
        text = text.replace(tag, " " if "br" in tag else "")
    return " ".join(text.split())


def _number(value, lang: str) -> str:
    return number(round(value), lang)


def _shown(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _when(value, lang: str) -> str:
    """An x value: a month for a date or a month ("2025-01-01" as JSON, a datetime that a
    figure not yet sent holds, "2025-01" on the presentation page), a number as the
    language writes it, else the value as it is."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _number(value, lang)
    text = str(value)
    if month := _MONTH.match(text):
        try:
            return month_text(dt.date(int(month["year"]), int(month["month"]), 1), lang)
        except ValueError:
            return text
    return text


def _listed(pairs: list[tuple[str, str]], lang: str) -> str:
    """``A 12, B 9, C 4 and 3 more``."""
    _ = translator(lang)
    shown = ", ".join(f"{label} {value}" for label, value in pairs[:LISTED])
    if len(pairs) > LISTED:
        shown += " " + _("and {count} more").format(count=len(pairs) - LISTED)
    return shown


def _trace_text(trace: dict, lang: str) -> str:
    kind = trace.get("type", "scatter")
    if kind == "sankey":
        return _sankey_text(trace, lang)
    if kind == "heatmap":
        return _tiles_text(trace, lang)
    if kind == "bar":
        return _bars_text(trace, lang)
    if kind == "scatter":
        return _line_text(trace, lang)
    return ""


def _line_text(trace: dict, lang: str) -> str:
    """A series over time: its span, first and last values and its highest."""
    _ = translator(lang)
    xs, ys = chart_files.values(trace.get("x")), chart_files.values(trace.get("y"))
    points = [(x, y) for x, y in zip(xs, ys, strict=False) if _shown(y)]
    if not points:
        return ""
    (start, first), (end, last) = points[0], points[-1]
    peak_at, peak = max(points, key=lambda point: point[1])
    text = _("{start} to {end}: from {first} to {last}").format(
        start=_when(start, lang),
        end=_when(end, lang),
        first=_number(first, lang),
        last=_number(last, lang),
    )
    if peak > last:  # a series that rose and fell: its highest too
        text += ", " + _("highest {peak} in {month}").format(
            peak=_number(peak, lang), month=_when(peak_at, lang)
        )
    name = trace.get("name")
    return f"{name}, {text}" if name else text


def _bars_text(trace: dict, lang: str) -> str:
    """Bars as ``label value`` pairs, largest first (a ranked list stays in its order)."""
    across = trace.get("orientation") == "h"
    labels, values = chart_files.values(trace.get("y")), chart_files.values(trace.get("x"))
    if not across:
        labels, values = values, labels
    pairs = [(label, value) for label, value in zip(labels, values, strict=False) if _shown(value)]
    if not pairs:
        return ""
    if across:  # drawn bottom to top: the top bar is the last
        pairs = pairs[::-1]
    text = _listed([(_when(label, lang), _number(value, lang)) for label, value in pairs], lang)
    name = trace.get("name")
    return f"{name}: {text}" if name else text


def _tiles_text(trace: dict, lang: str) -> str:
    """A tile map's tiles as their hover texts say them, the darkest first."""
    shades, said = chart_files.values(trace.get("z")), chart_files.values(trace.get("customdata"))
    tiles = [
        (shade, text)
        for shade_row, text_row in zip(shades, said, strict=False)
        for shade, text in zip(shade_row, text_row, strict=False)
        if _shown(shade) and text
    ]
    tiles.sort(key=lambda tile: -tile[0])
    _ = translator(lang)
    text = "; ".join(text for _shade, text in tiles[:LISTED])
    if len(tiles) > LISTED:
        text += "; " + _("and {count} more").format(count=len(tiles) - LISTED)
    return text


def _sankey_text(trace: dict, lang: str) -> str:
    """Where the flow starts and where it ends: each first and last node with its total."""
    _ = translator(lang)
    names = chart_files.values(trace.get("node", {}).get("label"))
    link = trace.get("link", {})
    sources = chart_files.values(link.get("source"))
    targets = chart_files.values(link.get("target"))
    values = chart_files.values(link.get("value"))
    leaving, arriving = [0] * len(names), [0] * len(names)
    for source, target, value in zip(sources, targets, values, strict=False):
        leaving[source] += value
        arriving[target] += value
    starts = [(names[i], leaving[i]) for i in range(len(names)) if leaving[i] and not arriving[i]]
    ends = [(names[i], arriving[i]) for i in range(len(names)) if arriving[i] and not leaving[i]]
    if not starts:
        return ""
    ends.sort(key=lambda end: -end[1])
    return _("from {starts} to {ends}").format(
        starts=_listed([(name, _number(value, lang)) for name, value in starts], lang),
        ends=_listed([(name, _number(value, lang)) for name, value in ends], lang),
    )
