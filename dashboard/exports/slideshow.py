"""The presentation as a full-screen slideshow in the browser: one HTML document that holds
every slide of the deck (the same ``Presentation``), its charts drawn as SVG from their
series, a QR code on each slide, and the keys a keyboard or a clicker sends (static/
slideshow.js). Nothing is fetched: styles, script and drawings are inline.

Built with ElementTree, which escapes every text: a donor's name is only ever text here.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from xml.etree import ElementTree as ET

from dashboard.core.escaping import visible
from dashboard.core.formatting import number, rupiah, short_rupiah
from dashboard.core.i18n import translator
from dashboard.exports import qr
from dashboard.exports.deck import methodology_lines
from dashboard.exports.presentation import Chart, Presentation, figure_link, forum_numbers

SCRIPT = (Path(__file__).parent / "static" / "slideshow.js").read_text(encoding="utf-8")
# Only this script may run, and nothing may be fetched (the hash names the script exactly).
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
POLICY = (
    f"default-src 'none'; script-src 'sha256-{SCRIPT_HASH}'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'"
)
FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
COLOURS = ("#0072B2", "#009E73")
STYLE = f"""
html,body{{margin:0;height:100%;background:#111827;font-family:{FONTS}}}
#deck{{position:fixed;inset:0;background:#fff;color:#262730;overflow:hidden}}
section.slide{{position:absolute;inset:0;padding:4vh 5vw 0;box-sizing:border-box;
 display:flex;flex-direction:column}}
section.slide[hidden]{{display:none}}
h1{{font-size:5vh;margin:0 0 1.5vh;line-height:1.15}}
.cover h1{{font-size:8vh;margin-top:18vh}}
.subtitle{{font-size:3.6vh;color:#0072B2;margin:0 0 1vh}}
.tagline{{font-size:2.6vh;color:#6B6F7B;margin:0}}
.takeaway{{font-size:3.2vh;color:#0072B2;margin:0 0 2vh;font-weight:600}}
.numbers{{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:3.5vh 3vw;margin-top:1vh}}
.numbers .label{{font-size:2.4vh;color:#6B6F7B}}
.numbers .value{{font-size:5.2vh;font-weight:700;white-space:nowrap}}
.numbers .exact{{font-size:1.8vh;color:#6B6F7B}}
ul{{font-size:3vh;line-height:1.4;padding-left:1.2em;margin:1vh 0}}
li{{margin-bottom:1.6vh}}
svg.chart{{flex:1;min-height:0;width:100%}}
footer{{display:flex;align-items:flex-end;gap:2vw;padding:1.5vh 0 2vh;margin-top:auto}}
footer .footnote{{flex:1;font-size:1.6vh;color:#6B6F7B;margin:0}}
footer .qr svg{{width:11vh;height:11vh;display:block}}
footer .qr{{text-align:center;font-size:1.3vh;color:#6B6F7B;max-width:14vh}}
footer .count{{font-size:2vh;color:#6B6F7B;min-width:6em;text-align:right}}
nav{{position:fixed;right:1vw;top:1vh;display:flex;gap:.5vw}}
nav button{{font-size:1.8vh;padding:.4vh .8vw;cursor:pointer;background:#fff;color:#4B5563;
 border:1px solid #D1D5DB;border-radius:4px}}
:fullscreen nav{{display:none}}
"""


def _amount(value: int, unit: str, lang: str) -> str:
    return short_rupiah(value, lang) if unit in ("Rp", "IDR") else number(value, lang)


def _exact(value: int, unit: str, lang: str) -> str:
    return rupiah(value, lang) if unit in ("Rp", "IDR") else f"{number(value, lang)} {unit}"


def _svg_text(parent, x, y, text, size=14, anchor="start", fill="#262730", weight="400"):
    element = ET.SubElement(
        parent,
        "text",
        {
            "x": f"{x:.1f}",
            "y": f"{y:.1f}",
            "font-size": str(size),
            "text-anchor": anchor,
            "fill": fill,
            "font-weight": weight,
        },
    )
    element.text = text
    return element


def _round_top(top: int) -> int:
    """The axis's top: the first of 1, 2, 2.5, 5 times a power of ten at least ``top``, so
    that its quarters are round numbers ("Rp 5 miliar", not "Rp 4,38 miliar")."""
    power = 1
    while power * 10 <= top:
        power *= 10
    return next(power * m // 10 for m in (10, 20, 25, 50, 100) if power * m // 10 >= top)


def chart_svg(chart: Chart, lang: str) -> ET.Element:
    """The chart drawn from its series: lines over months, bars ranked top-down, columns.
    Each mark's <title> carries its exact value (shown on hover, read by screen readers)."""
    width, height = 1200, 520
    svg = ET.Element(
        "svg",
        {
            "class": "chart",
            "viewBox": f"0 0 {width} {height}",
            "preserveAspectRatio": "xMidYMid meet",
            "role": "img",
            "aria-label": chart.title,
        },
    )
    series = list(chart.series.items())
    values = [v for _name, vs in series for v in vs]
    top = max([*values, 1])
    if chart.kind != "bar":
        top = _round_top(top)
    if chart.kind == "bar":
        left, right = 330, 150
        row = (height - 20) / max(len(chart.categories), 1)
        for n, (category, value) in enumerate(zip(chart.categories, series[0][1], strict=True)):
            y = 10 + n * row
            length = (width - left - right) * value / top
            _svg_text(svg, left - 12, y + row * 0.62, category, 20, "end")
            bar = ET.SubElement(
                svg,
                "rect",
                {
                    "x": str(left),
                    "y": f"{y + row * 0.15:.1f}",
                    "width": f"{max(length, 1):.1f}",
                    "height": f"{row * 0.7:.1f}",
                    "fill": COLOURS[0],
                },
            )
            ET.SubElement(bar, "title").text = f"{category}: {_exact(value, chart.unit, lang)}"
            _svg_text(svg, left + length + 10, y + row * 0.62, _amount(value, chart.unit, lang), 20)
        return svg
    left, bottom, plot_top = 150, 60, 20
    plot_height = height - bottom - plot_top
    for step in range(5):  # gridlines at a quarter of the top each
        level = top * step / 4
        y = plot_top + plot_height * (1 - step / 4)
        ET.SubElement(
            svg,
            "line",
            {"x1": str(left), "x2": str(width - 20), "y1": f"{y:.1f}", "y2": f"{y:.1f}"},
            stroke="#E5E7EB",
        )
        _svg_text(
            svg, left - 10, y + 6, _amount(round(level), chart.unit, lang), 16, "end", "#6B6F7B"
        )
    count = max(len(chart.categories), 1)
    span = (width - 20 - left) / count
    if chart.kind == "column":
        for n, (category, value) in enumerate(zip(chart.categories, series[0][1], strict=True)):
            bar_height = plot_height * value / top
            x = left + n * span + span * 0.15
            bar = ET.SubElement(
                svg,
                "rect",
                {
                    "x": f"{x:.1f}",
                    "y": f"{plot_top + plot_height - bar_height:.1f}",
                    "width": f"{span * 0.7:.1f}",
                    "height": f"{max(bar_height, 1):.1f}",
                    "fill": COLOURS[0],
                },
            )
            ET.SubElement(bar, "title").text = f"{category}: {_exact(value, chart.unit, lang)}"
            middle = x + span * 0.35
            _svg_text(
                svg,
                middle,
                plot_top + plot_height - bar_height - 8,
                _amount(value, chart.unit, lang),
                20,
                "middle",
                weight="600",
            )
            _svg_text(svg, middle, height - bottom + 28, category, 16, "middle")
        return svg
    for (name, points), colour in zip(series, COLOURS, strict=False):
        xy = [
            (left + span * (n + 0.5), plot_top + plot_height * (1 - value / top))
            for n, value in enumerate(points)
        ]
        line = ET.SubElement(
            svg,
            "polyline",
            {
                "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in xy),
                "fill": "none",
                "stroke": colour,
                "stroke-width": "4",
            },
        )
        if points:
            last = _exact(points[-1], chart.unit, lang)
            ET.SubElement(line, "title").text = f"{name}: {chart.categories[-1]}: {last}"
    ticks = sorted({0, (len(chart.categories) - 1) // 2, len(chart.categories) - 1})
    for n in ticks if chart.categories else []:
        _svg_text(
            svg, left + span * (n + 0.5), height - bottom + 30, chart.categories[n], 16, "middle"
        )
    if len(series) > 1:
        for n, ((name, _points), colour) in enumerate(zip(series, COLOURS, strict=False)):
            x = left + 20 + n * 260
            ET.SubElement(
                svg,
                "rect",
                {"x": str(x), "y": str(height - 22), "width": "24", "height": "6"},
                fill=colour,
            )
            _svg_text(svg, x + 32, height - 14, name, 16)
    return svg


def slideshow_html(content: Presentation, base: str) -> bytes:
    """The whole slideshow as one document; ``base`` is the site's address, for the QR codes."""
    _ = translator(content.lang)
    link = figure_link(content, base)
    code = ET.fromstring(qr.svg(link))
    html = ET.Element("html", lang=content.lang)
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", charset="utf-8")
    ET.SubElement(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    ET.SubElement(head, "meta", {"http-equiv": "Content-Security-Policy", "content": POLICY})
    ET.SubElement(head, "title").text = visible(content.title)
    ET.SubElement(head, "style").text = STYLE
    body = ET.SubElement(html, "body")
    deck = ET.SubElement(body, "main", id="deck")
    slides: list[tuple[ET.Element, str]] = []

    def slide(title: str, css: str = "") -> ET.Element:
        section = ET.SubElement(
            deck, "section", {"class": f"slide {css}".strip(), "aria-roledescription": "slide"}
        )
        ET.SubElement(section, "h1").text = title
        slides.append((section, title))
        return section

    name = visible(content.title)
    cover = slide(name, "cover")
    ET.SubElement(cover, "p", {"class": "subtitle"}).text = content.subtitle
    ET.SubElement(cover, "p", {"class": "tagline"}).text = _(
        "GN Lingkaran: social security for vulnerable informal workers"
    )

    numbers = slide(_("Headline numbers"))
    grid = ET.SubElement(numbers, "div", {"class": "numbers"})
    for n, (label, shown, exact) in enumerate(forum_numbers(content)):
        cell = ET.SubElement(grid, "div")
        ET.SubElement(cell, "div", {"class": "label"}).text = label
        ET.SubElement(cell, "div", {"class": "value", "title": exact}).text = shown
        note = exact if shown != exact else ""
        if content.growth and content.growth[n]:
            note = f"{note} · {content.growth[n]}" if note else content.growth[n]
        ET.SubElement(cell, "div", {"class": "exact"}).text = note

    if content.assurance:
        assured = slide(_("Confirmed, continued, saved"))
        items = ET.SubElement(assured, "ul")
        for line in content.assurance:
            ET.SubElement(items, "li").text = visible(line)

    for chart in content.charts:
        shown = slide(chart.title)
        ET.SubElement(shown, "p", {"class": "takeaway"}).text = chart.takeaway
        shown.append(chart_svg(chart, content.lang))

    method = slide(_("Methodology"))
    items = ET.SubElement(method, "ul")
    for line in methodology_lines(content.lang):
        ET.SubElement(items, "li").text = line

    for n, (section, title) in enumerate(slides, start=1):
        section.set("data-title", f"{title} ({n}/{len(slides)})")
        section.set("id", f"slide-{n}")
        if n > 1:
            section.set("hidden", "hidden")
        footer = ET.SubElement(section, "footer")
        ET.SubElement(footer, "p", {"class": "footnote"}).text = content.footnote
        figure = ET.SubElement(footer, "a", {"class": "qr", "href": link, "title": link})
        figure.append(code)
        ET.SubElement(footer, "span", {"class": "count"}).text = f"{n} / {len(slides)}"

    nav = ET.SubElement(body, "nav", {"aria-label": _("Slide navigation")})
    for key, text, name in (
        ("previous", "←", _("Previous slide")),
        ("next", "→", _("Next slide")),
        ("full", _("Full screen (f)"), _("Full screen (f)")),
    ):
        ET.SubElement(nav, "button", {"id": key, "type": "button", "aria-label": name}).text = text
    ET.SubElement(body, "script").text = SCRIPT
    return b"<!DOCTYPE html>\n" + ET.tostring(html, encoding="utf-8", method="html")
