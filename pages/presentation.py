"""Presentation: the headline numbers large, 4-6 charts with takeaways, and the deck."""

import datetime as dt

import streamlit as st

from dashboard.core.i18n import translator
from dashboard.exports.deck import build_deck
from dashboard.exports.images import FORMATS, ChartImageUnavailable, browser_path, chart_image
from dashboard.exports.presentation import presentation
from dashboard.web import charts, controls, shell
from queries import donor
from queries.figures import Period

lang = shell.language()


def image_or_nothing(figure, fmt: str) -> bytes:
    try:
        return chart_image(figure, fmt)
    except ChartImageUnavailable:
        return b""


_ = translator(lang)
st.title(_("Presentation"))

access = shell.viewer()
listed = shell.query(donor.donors, access)
scope = st.selectbox(
    _("Whose figures"),
    [None, *listed["donor_id"]],
    format_func=lambda donor_id: (
        _("The whole programme")
        if donor_id is None
        else f"{listed.set_index('donor_id').at[donor_id, 'name']} ({donor_id})"
    ),
    key="scope",
)
today = dt.date.today()
if scope is None:
    # The programme as the public sees it: its latest release, all time (a period's figures
    # beside it would be counts the release's protection exists to prevent).
    release, _figures = shell.public_release()
    period, as_of = Period(), release.as_of
else:
    years = {
        _("All time"): Period(),
        _("This year"): Period(dt.date(today.year, 1, 1), today),
        _("Last year"): Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    }
    span = st.radio(_("Donations received"), list(years), horizontal=True, key="span")
    period = years[span]
    as_of = controls.as_of_picker(period.end, today)  # a closed year as at its end, or to date
    if shell.current_figures().donors == 0:
        st.info(_("The ledger holds no donation yet."))
        st.stop()
content = shell.query(presentation, access, scope, period, as_of, lang)
st.header(shell.plain(content.title), anchor=False)  # a donor's name: text, not Markdown
st.caption(content.subtitle)

for row in range(0, len(content.headline), 3):
    columns = st.columns(3)
    for offset, (column, (label, value)) in enumerate(
        zip(columns, content.headline[row : row + 3], strict=False)
    ):
        growth = content.growth[row + offset] if content.growth else None
        column.metric(label, value, delta=growth, delta_color="off" if growth else "normal")
for line in content.assurance:
    st.markdown("- " + shell.plain(line))

for chart in content.charts:
    figure = charts.presentation_chart(chart, lang)
    shell.chart(figure, key=f"chart-{chart.key}")
    st.markdown(f"**{chart.takeaway}**")
    images = st.container(horizontal=True)
    for fmt, mime in FORMATS.items():
        images.download_button(
            f"⬇ {fmt.upper()}",
            lambda figure=figure, fmt=fmt: image_or_nothing(figure, fmt),  # rendered on click
            file_name=f"{chart.key}.{fmt}",
            mime=mime,
            on_click="ignore",
            key=f"{chart.key}-{fmt}",
            disabled=not browser_path(),
            help=None if browser_path() else _("Chart images need Chromium on the server."),
        )

st.caption(content.footnote)
name = f"lingkaran-{scope or 'program'}-{lang}.pptx"
st.download_button(
    _("Download the slide deck (.pptx)"),
    lambda: build_deck(content),  # built on click only
    file_name=name,
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    on_click="ignore",
    key="deck",
)
