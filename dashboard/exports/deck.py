"""The slide deck (.pptx): title, headline numbers, one native chart per slide, methodology.

Charts are PowerPoint chart objects with their data inside (python-pptx), so they open
editable in PowerPoint and LibreOffice and carry exactly the series of ``presentation``.
"""

from __future__ import annotations

import io

from pptx import Presentation as PptxPresentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard.core.i18n import translator
from dashboard.exports import qr
from dashboard.exports.presentation import Chart, Presentation, figure_link, forum_numbers
from dashboard.publish.privacy import suppression_k

WIDE = (Inches(13.333), Inches(7.5))
TITLE_ONLY = 5  # the default template's "Title Only" layout
LANGUAGE_TAGS = {"id": "id-ID", "en": "en-GB"}
INK = RGBColor(0x26, 0x27, 0x30)
MUTED = RGBColor(0x6B, 0x6F, 0x7B)
ACCENT = RGBColor(0x00, 0x72, 0xB2)
SERIES_COLOURS = (RGBColor(0x00, 0x72, 0xB2), RGBColor(0x00, 0x9E, 0x73))
KINDS = {
    "line": XL_CHART_TYPE.LINE,
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
}


def _text(slide, left, top, width, height, text, size, *, bold=False, colour=INK):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.text = text
    paragraph.font.size = Pt(size)
    paragraph.font.bold = bold
    paragraph.font.color.rgb = colour
    return box


def _titled(deck, text: str, size: int = 28, box=(0.6, 0.4, 12.0, 0.8)):
    """A new slide whose title is its title placeholder (the outline and screen readers
    name the slide by it), placed and styled like the rest of the deck."""
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = (Inches(v) for v in box)
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    paragraph = frame.paragraphs[0]
    paragraph.text = text
    paragraph.alignment = PP_ALIGN.LEFT
    paragraph.font.size = Pt(size)
    paragraph.font.bold = True
    paragraph.font.color.rgb = INK
    return slide


def _fitting(text: str, size: int, width_inches: float) -> int:
    """The largest size up to ``size`` at which ``text`` fits on one line of the box: a
    number that wraps in LibreOffice (wider digits than PowerPoint's) reads as two."""
    per_character = 0.62  # of the font size, a digit or a capital in the default sans
    return max(10, min(size, int(width_inches * 72 / (per_character * max(len(text), 1)))))


def _footnote(slide, text: str) -> None:
    _text(slide, Inches(0.6), Inches(6.85), Inches(11.3), Inches(0.5), text, 10, colour=MUTED)


def _bullets(slide, lines: list[str]) -> None:
    box = slide.shapes.add_textbox(Inches(0.6), Inches(1.5), Inches(12), Inches(4.8))
    box.text_frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = box.text_frame.paragraphs[0] if i == 0 else box.text_frame.add_paragraph()
        paragraph.text = "• " + line
        paragraph.font.size = Pt(18)
        paragraph.space_after = Pt(12)


def _chart_slide(deck, chart: Chart, footnote: str):
    slide = _titled(deck, chart.title)
    _text(
        slide, Inches(0.6), Inches(1.15), Inches(12), Inches(0.6), chart.takeaway, 16, colour=ACCENT
    )
    # PowerPoint draws bar categories bottom-up: reverse them so the largest is on top.
    order = (lambda items: list(reversed(items))) if chart.kind == "bar" else list
    data = CategoryChartData()
    data.categories = order(chart.categories) or ["–"]
    for name, values in chart.series.items():
        data.add_series(name, order(values) or [0], number_format="#,##0")
    frame = slide.shapes.add_chart(
        KINDS[chart.kind], Inches(0.6), Inches(1.8), Inches(12.1), Inches(4.5), data
    )
    plot = frame.chart
    plot.font.size = Pt(12)
    plot.has_legend = len(chart.series) > 1
    if plot.has_legend:
        plot.legend.position = XL_LEGEND_POSITION.BOTTOM
        plot.legend.include_in_layout = False
    for series, colour in zip(plot.series, SERIES_COLOURS, strict=False):
        if chart.kind == "line":
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(2.5)
            series.smooth = False
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
    if chart.kind != "line":
        plot.plots[0].has_data_labels = True
        plot.plots[0].data_labels.number_format = "#,##0"
        plot.plots[0].data_labels.number_format_is_linked = False
        plot.plots[0].data_labels.font.size = Pt(11)
    plot.value_axis.has_major_gridlines = True
    plot.value_axis.tick_labels.number_format = "#,##0"
    plot.value_axis.tick_labels.number_format_is_linked = False
    _footnote(slide, footnote)
    return slide


def methodology_lines(lang: str) -> list[str]:
    """The methodology slide's points, for the deck and the slideshow alike."""
    _ = translator(lang)
    return [
        _(
            "Donations pay BPJS Ketenagakerjaan contributions (JKK work accident and JKM death) "
            "for informal workers, in blocks of consecutive months starting the month after "
            "the donation is received."
        ),
        _(
            "Workers registered first are served first; a donation never pays a partial block; "
            "what is left is its unspent balance."
        ),
        _(
            "A paid JKK or JKM claim counts for a donor when it happened in a month that "
            "donor's money protected; JHT payouts are the worker's own savings and never count."
        ),
        _("Public figures withhold any group of fewer than {k} workers.").format(k=suppression_k()),
    ]


def _signed(slide, code: bytes, link: str, note: str = "") -> None:
    """The slide's QR code to the page its figures come from (bottom right), and the notes
    page: the link, and exact values where the slide shows them short."""
    slide.shapes.add_picture(
        io.BytesIO(code), Inches(12.15), Inches(6.35), Inches(1.0), Inches(1.0)
    )
    slide.notes_slide.notes_text_frame.text = "\n".join(line for line in (note, link) if line)


def build_deck(content: Presentation, base: str | None = None) -> bytes:
    """The .pptx file for ``content`` (from ``dashboard.exports.presentation.presentation``);
    its QR codes point under ``base`` (LINGKARAN_PUBLIC_URL by default)."""
    _ = translator(content.lang)
    link = figure_link(content, base or qr.base_address())
    code = qr.png(link)
    deck = PptxPresentation()
    deck.slide_width, deck.slide_height = WIDE
    properties = deck.core_properties
    properties.title = f"{content.title}: {content.subtitle}"
    properties.author = "GN Lingkaran (Lingkaran)"
    properties.subject = _("GN Lingkaran: social security for vulnerable informal workers")
    properties.language = LANGUAGE_TAGS.get(content.lang, content.lang)
    properties.keywords = "GN Lingkaran; BPJS Ketenagakerjaan; JKK; JKM"

    title = _titled(deck, content.title, 40, box=(0.8, 2.2, 11.5, 1.4))
    _text(
        title,
        Inches(0.8),
        Inches(3.6),
        Inches(11.5),
        Inches(0.8),
        content.subtitle,
        20,
        colour=ACCENT,
    )
    _text(
        title,
        Inches(0.8),
        Inches(4.4),
        Inches(11.5),
        Inches(0.8),
        _("GN Lingkaran: social security for vulnerable informal workers"),
        16,
        colour=MUTED,
    )
    _footnote(title, content.footnote)
    _signed(title, code, link)

    numbers = _titled(deck, _("Headline numbers"))
    numbers_shown = forum_numbers(content)
    for i, (label, value, _exact) in enumerate(numbers_shown):
        column, row = i % 4, i // 4
        left = Inches(0.6) + Emu(int(Inches(3.1) * column))
        top = Inches(1.6) + Emu(int(Inches(2.4) * row))
        _text(numbers, left, top, Inches(3.0), Inches(0.5), label, 14, colour=MUTED)
        figure = _text(
            numbers, left, top + Inches(0.45), Inches(3.0), Inches(0.9), value, 26, bold=True
        )
        figure.text_frame.word_wrap = False
        figure.text_frame.paragraphs[0].font.size = Pt(_fitting(value, 26, 3.0))
        if content.growth and content.growth[i]:
            _text(
                numbers,
                left,
                top + Inches(1.3),
                Inches(3.0),
                Inches(0.5),
                content.growth[i],
                12,
                colour=ACCENT,
            )
    _footnote(numbers, content.footnote)
    _signed(
        numbers, code, link, "\n".join(f"{label}: {exact}" for label, _s, exact in numbers_shown)
    )

    if content.assurance:
        assured = _titled(deck, _("Confirmed, continued, saved"))
        _bullets(assured, content.assurance)
        _footnote(assured, content.footnote)
        _signed(assured, code, link)

    for chart in content.charts:
        _signed(_chart_slide(deck, chart, content.footnote), code, link, chart.takeaway)

    method = _titled(deck, _("Methodology"))
    lines = methodology_lines(content.lang)
    _bullets(method, lines)
    _footnote(method, content.footnote)
    _signed(method, code, link)

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
