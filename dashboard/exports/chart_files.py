"""A chart's data and image as files that say where they come from.

Every chart the app draws can be downloaded as CSV, JSON, PNG or SVG (``shell.chart``); each
file carries the chart's title, its source, the release it was drawn from, the licence and
the citation line shown under the chart, so a figure copied into a report keeps its
provenance (issue 29, after Our World in Data's grapher). The data is the figure's own (what
Plotly sends to the browser): nothing is queried again, and a download holds exactly what
the chart shows.

- CSV: the metadata first, as ``# name: value`` lines, then the data in long form
  (``series``, then the figure's own columns: ``x``/``y``, ``label``/``value``...);
  ``pandas.read_csv(file, comment="#")`` reads the data alone.
- JSON: ``{"title", "source", "release", "licence", "citation", "link", "data": [...]}``.
- PNG: the source line and link drawn under the chart, and the metadata as PNG text chunks
  (``Title``, ``Source``, ``Release``, ``Copyright``, ``Description``).
- SVG: the same line drawn, and ``<title>``, ``<desc>`` and Dublin Core ``<metadata>``.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.core.escaping import inert, inert_text, visible
from dashboard.core.formatting import date_text
from dashboard.core.i18n import translator
from dashboard.exports.images import chart_image

LICENCE = "CC BY 4.0"  # the open data's licence (docs/open-data.md, the data package)
DUBLIN_CORE = "http://purl.org/dc/terms/"
SVG = "http://www.w3.org/2000/svg"
IMAGE_SIZE = (1200, 600)  # the chart itself; the source lines are drawn below it
SOURCE_BAND = 80  # pixels under the chart for the source line and the link


@dataclass(frozen=True)
class Citation:
    """Where a chart comes from, as its files and its citation line say it."""

    title: str
    source: str
    release: str | None  # None: not a public release (a donor's own figures)
    licence: str
    link: str
    text: str  # the citation line: "GN Lingkaran (2026). <title>. Release 2026-11, ..."


def citation(
    title: str, link: str, lang: str, release: str | None, as_of: dt.date, today: dt.date
) -> Citation:
    """The citation of a chart of the public release ``release`` (data to ``as_of``), or,
    when ``release`` is None, of figures shown on ``today`` that are not open data."""
    _ = translator(lang)
    title = visible(title)
    if release is not None:
        source = _(
            "Source: GN Lingkaran, release {release} (data to {date}), licence {licence}."
        ).format(release=release, date=date_text(as_of, lang, "long"), licence=LICENCE)
        text = _(
            "GN Lingkaran ({year}). {title}. Release {release}, data to {date}. {link}. {licence}."
        ).format(
            year=as_of.year,
            title=title,
            release=release,
            date=date_text(as_of, lang, "long"),
            link=link,
            licence=LICENCE,
        )
        return Citation(title, source, release, LICENCE, link, text)
    licence = _("Not open data: for the donor's own reports.")
    source = _("Source: GN Lingkaran ledger, as shown on {date}.").format(
        date=date_text(today, lang, "long")
    )
    text = _("GN Lingkaran ({year}). {title}. Ledger figures as shown on {date}. {link}.").format(
        year=today.year, title=title, date=date_text(today, lang, "long"), link=link
    )
    return Citation(title, source, None, licence, link, text)


def values(array) -> list:
    """A Plotly data array as a list: numeric arrays come as base64 (``bdata``). The chart's
    files and its words for screen readers (``dashboard.web.chart_text``) both read it."""
    if array is None:
        return []
    if isinstance(array, dict) and "bdata" in array:
        decoded = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:
            decoded = decoded.reshape([int(n) for n in str(array["shape"]).split(",")])
        return decoded.tolist()
    return list(array)


# The columns a trace's points have, by the attribute that holds them (a bar's x and y, a
# pie's labels and values, a map's locations and z), in the order a reader reads them.
_POINT_COLUMNS = {
    "x": "x",
    "y": "y",
    "labels": "label",
    "values": "value",
    "locations": "location",
    "z": "z",
}


def chart_rows(spec: dict) -> pd.DataFrame:
    """The figure's data, one row per point: ``series`` (the trace's name) and the trace's
    own columns; a Sankey's links as ``source``, ``target``, ``value`` (by node label); a
    heatmap's cells as ``x``, ``y``, ``z``. Whole numbers stay integers (rupiah never float)."""
    rows: list[dict] = []
    for trace in spec.get("data", []):
        series = visible(str(trace.get("name") or ""))
        if trace.get("type") == "sankey":
            labels = values(trace.get("node", {}).get("label"))
            link = trace.get("link", {})
            for source, target, value in zip(
                values(link.get("source")),
                values(link.get("target")),
                values(link.get("value")),
                strict=False,
            ):
                rows.append(
                    {
                        "series": series,
                        "source": labels[int(source)],
                        "target": labels[int(target)],
                        "value": value,
                    }
                )
            continue
        if trace.get("type") == "heatmap" and trace.get("z") is not None:
            xs, ys = values(trace.get("x")), values(trace.get("y"))
            for row, line in enumerate(values(trace.get("z"))):
                for column, cell in enumerate(line):
                    rows.append(
                        {
                            "series": series,
                            "x": xs[column] if column < len(xs) else column,
                            "y": ys[row] if row < len(ys) else row,
                            "z": cell,
                        }
                    )
            continue
        columns = {
            name: values(trace.get(attribute))
            for attribute, name in _POINT_COLUMNS.items()
            if trace.get(attribute) is not None
        }
        length = max((len(points) for points in columns.values()), default=0)
        for point in range(length):
            row = {"series": series}
            for name, points in columns.items():
                row[name] = points[point] if point < len(points) else None
            rows.append(row)
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        whole = numbers.notna() & (numbers == numbers.round())
        if frame[column].notna().any() and whole.sum() == frame[column].notna().sum():
            frame[column] = numbers.astype("Int64")
    return frame


def _metadata(about: Citation) -> dict[str, str | None]:
    return {
        "title": about.title,
        "source": about.source,
        "release": about.release,
        "licence": about.licence,
        "citation": about.text,
        "link": about.link,
    }


def csv_file(spec: dict, about: Citation) -> bytes:
    """The chart's data as CSV: ``# name: value`` lines, then the data (UTF-8 with BOM)."""
    lines = [
        "# " + inert_text(f"{name}: {value or ''}").replace("\n", " ")
        for name, value in _metadata(about).items()
    ]
    data = inert(chart_rows(spec)).to_csv(index=False)
    return ("\n".join(lines) + "\n" + data).encode("utf-8-sig")


def json_file(spec: dict, about: Citation) -> bytes:
    """The chart's data as JSON: the metadata and ``data``, a list of the rows."""
    rows = chart_rows(spec).astype(object).where(lambda frame: frame.notna(), None)
    document = {**_metadata(about), "data": rows.to_dict(orient="records")}
    return json.dumps(document, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def _captioned(spec: dict, about: Citation) -> go.Figure:
    """The figure with the source line and the link drawn under it."""
    figure = go.Figure(spec)
    margin = figure.layout.margin.b if figure.layout.margin.b is not None else 80
    figure.update_layout(margin={"b": margin + SOURCE_BAND})
    figure.add_annotation(
        text=html.escape(about.source) + "<br>" + html.escape(about.link),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-(margin + 10),
        showarrow=False,
        align="left",
        font={"size": 11, "color": "#444"},
    )
    return figure


def png_file(spec: dict, about: Citation) -> bytes:
    """The chart as PNG, its source drawn under it and its metadata in text chunks."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    width, height = IMAGE_SIZE
    drawn = chart_image(_captioned(spec, about), "png", width, height + SOURCE_BAND)
    chunks = PngInfo()
    for name, value in (
        ("Title", about.title),
        ("Source", about.source),
        ("Release", about.release or ""),
        ("Copyright", about.licence),
        ("Description", about.text),
        ("URL", about.link),
    ):
        chunks.add_itxt(name, value)
    out = io.BytesIO()
    Image.open(io.BytesIO(drawn)).save(out, format="PNG", pnginfo=chunks)
    return out.getvalue()


def svg_file(spec: dict, about: Citation) -> bytes:
    """The chart as SVG, its source drawn under it, with ``<title>``, ``<desc>`` and
    ``<metadata>`` (Dublin Core terms) first in the document."""
    from lxml import etree

    width, height = IMAGE_SIZE
    drawn = chart_image(_captioned(spec, about), "svg", width, height + SOURCE_BAND)
    root = etree.fromstring(drawn, etree.XMLParser(resolve_entities=False, no_network=True))
    title = etree.Element(f"{{{SVG}}}title")
    title.text = about.title
    desc = etree.Element(f"{{{SVG}}}desc")
    desc.text = about.text
    metadata = etree.Element(f"{{{SVG}}}metadata", nsmap={"dcterms": DUBLIN_CORE})
    for term, value in (
        ("title", about.title),
        ("source", about.source),
        ("hasVersion", about.release or ""),
        ("rights", about.licence),
        ("bibliographicCitation", about.text),
        ("identifier", about.link),
    ):
        etree.SubElement(metadata, f"{{{DUBLIN_CORE}}}{term}").text = value
    for place, element in enumerate((title, desc, metadata)):
        root.insert(place, element)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
