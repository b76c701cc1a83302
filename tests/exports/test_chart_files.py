"""A chart's files (CSV, JSON, PNG, SVG) opened back: the release's figures and where they
come from (title, source, release, licence, citation)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.exports import chart_files
from dashboard.exports.images import browser_path, chart_image
from dashboard.publish import open_data
from dashboard.web import charts
from tests.conftest import IN_CI

LINK = "https://lingkaran.example.org/?lang=en&release=R&chart=active"


def workers_chart(engine, release: str) -> tuple[dict, pd.DataFrame, chart_files.Citation]:
    """The overview's "Workers protected each month" of ``release``, as the page draws it."""
    info, _figures = open_data.release_figures(engine, release=release)
    growth = open_data.monthly_protection(engine, info.suppression_k, release=info.id)
    figure = charts.protected_each_month(growth, "Workers protected each month", "Now", "en")
    about = chart_files.citation(
        "Workers protected each month", LINK, "en", info.id, info.as_of, dt.date.today()
    )
    return figure.to_dict(), growth, about


def shown_months(growth: pd.DataFrame) -> dict[str, int]:
    lived = growth.dropna(subset=["protected_workers"])
    return {
        str(month)[:10]: int(workers)
        for month, workers in zip(lived["month"], lived["protected_workers"], strict=True)
    }


def read_months(rows: pd.DataFrame) -> dict[str, int]:
    rows = rows.dropna(subset=["y"])
    return {str(x)[:10]: int(y) for x, y in zip(rows["x"], rows["y"], strict=True)}


def test_a_public_charts_csv_and_json_hold_the_releases_figures_and_say_where_from(
    demo_engine,
):
    listed = open_data.releases(demo_engine)
    latest, earlier = listed[0].id, listed[-1].id
    spec, growth, about = workers_chart(demo_engine, latest)

    data = pd.read_csv(io.BytesIO(chart_files.csv_file(spec, about)), comment="#")
    assert read_months(data) == shown_months(growth)
    as_written = pd.read_csv(io.BytesIO(chart_files.csv_file(spec, about)), comment="#", dtype=str)
    assert not as_written["y"].dropna().str.contains(".", regex=False).any()  # never 1234.0
    head = chart_files.csv_file(spec, about).decode("utf-8-sig").splitlines()[:6]
    assert head == [
        "# title: Workers protected each month",
        f"# source: {about.source}",
        f"# release: {latest}",
        "# licence: CC BY 4.0",
        f"# citation: {about.text}",
        f"# link: {LINK}",
    ]
    assert f"Release {latest}, data to" in about.text and about.text.endswith("CC BY 4.0.")

    document = json.loads(chart_files.json_file(spec, about))
    assert {name: document[name] for name in ("title", "release", "licence", "link")} == {
        "title": "Workers protected each month",
        "release": latest,
        "licence": "CC BY 4.0",
        "link": LINK,
    }
    assert document["citation"] == about.text
    assert read_months(pd.DataFrame(document["data"])) == shown_months(growth)

    # Controls: an earlier release's chart holds other figures, and without comment="#"
    # the metadata is not read as data.
    earlier_spec, _growth, _about = workers_chart(demo_engine, earlier)
    earlier_data = pd.read_csv(io.BytesIO(chart_files.csv_file(earlier_spec, about)), comment="#")
    assert read_months(earlier_data) != shown_months(growth)
    raw = pd.read_csv(io.BytesIO(chart_files.csv_file(spec, about)), on_bad_lines="skip")
    assert "y" not in raw.columns


def test_a_cell_that_reads_as_a_formula_is_neutralised():
    spec = go.Figure(go.Bar(x=["=HYPERLINK(1)", "JKM"], y=[3_317_824_000, 2_058_000_000])).to_dict()
    about = chart_files.citation(
        "Bars", LINK, "id", "2026-11", dt.date(2026, 11, 30), dt.date.today()
    )
    data = pd.read_csv(io.BytesIO(chart_files.csv_file(spec, about)), comment="#")
    assert list(data["x"]) == ["'=HYPERLINK(1)", "JKM"]
    assert list(data["y"]) == [3_317_824_000, 2_058_000_000]  # rupiah stay whole
    assert "Rilis 2026-11, data sampai 30 November 2026" in about.text  # the page's language


@pytest.mark.browser
def test_the_images_carry_title_source_release_and_licence():
    if browser_path() is None and not IN_CI:
        pytest.skip("no Chromium here")
    from lxml import etree
    from PIL import Image

    spec = go.Figure(go.Bar(x=["JKK", "JKM"], y=[3, 2]), {"title": {"text": "Claims"}}).to_dict()
    about = chart_files.citation(
        "Claims", LINK, "en", "2026-11", dt.date(2026, 11, 30), dt.date.today()
    )

    png = Image.open(io.BytesIO(chart_files.png_file(spec, about)))
    assert png.text["Title"] == "Claims"
    assert png.text["Release"] == "2026-11"
    assert png.text["Copyright"] == "CC BY 4.0"
    assert png.text["Source"] == about.source and png.text["Description"] == about.text

    svg = etree.fromstring(chart_files.svg_file(spec, about))
    names = {"svg": chart_files.SVG, "dcterms": chart_files.DUBLIN_CORE}
    assert svg.findtext("svg:title", namespaces=names) == "Claims"
    assert svg.findtext("svg:desc", namespaces=names) == about.text
    assert svg.findtext("svg:metadata/dcterms:hasVersion", namespaces=names) == "2026-11"
    assert svg.findtext("svg:metadata/dcterms:rights", namespaces=names) == "CC BY 4.0"
    drawn = "".join(svg.itertext())
    assert about.source in drawn  # the source line is in the picture too

    # A control: the chart's plain image says none of it.
    plain = Image.open(io.BytesIO(chart_image(go.Figure(spec), "png")))
    assert "Release" not in plain.text
