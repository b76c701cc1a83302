"""Presentation: the headline numbers large, 4-6 charts with takeaways, and the deck."""

from urllib.parse import urlencode

import streamlit as st

from dashboard.accounts.access import DEMO, mode
from dashboard.core.i18n import translator
from dashboard.exports.deck import build_deck
from dashboard.exports.images import FORMATS, ChartImageUnavailable, browser_path, chart_image
from dashboard.exports.presentation import presentation
from dashboard.exports.qr import base_address
from dashboard.exports.slideshow import slideshow_html
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
# ?donor=ID opens that donor's presentation; the choice goes back into the link by hand (a
# bound selectbox would put the formatted "Name (ID)" in the URL, not the id).
requested = st.query_params.get("donor")
if requested != st.session_state.get("scope-linked") and requested in set(listed["donor_id"]):
    st.session_state["scope"] = requested
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
st.session_state["scope-linked"] = scope
if scope is not None:
    st.query_params["donor"] = scope
elif "donor" in st.query_params:
    del st.query_params["donor"]
if scope is None:
    # The programme as the public sees it: its latest release, all time (a period's figures
    # beside it would be counts the release's protection exists to prevent).
    release, _figures = shell.public_release()
    period, as_of = Period(), release.as_of
else:
    info = shell.query(donor.donor_info, access, scope)
    # Any period or fiscal year (?from=...&to=...), its presets the donor's fiscal years.
    period, as_of = controls.period_picker(info.fiscal_year_start)
    if shell.current_figures().donors == 0:
        st.info(_("The ledger holds no donation yet."))
        st.stop()
content = shell.query(presentation, access, scope, period, as_of, lang)

# The slideshow: the same content, full screen, keys and clicker (dashboard/web/slides.py).
# Served at a link for the programme (public) and, in demo mode, for any donor; in
# production a donor's slideshow is this page's download: the route has no login.
shows = st.container(horizontal=True)
if scope is None or mode() == DEMO:
    query = {"lang": lang}
    if scope is None:
        query["release"] = content.release_id  # the link shows this release for good
    else:
        query["donor"] = scope
        query |= {name: day for name, day in (("from", period.start), ("to", period.end)) if day}
    shows.link_button(_("Open the slideshow"), "/slides?" + urlencode(query), type="primary")
shows.download_button(
    _("Download the slideshow (.html)"),
    lambda: slideshow_html(content, base_address()),  # built on click only
    file_name=f"lingkaran-{scope or 'program'}-{lang}.html",
    mime="text/html",
    on_click="ignore",
    key="slideshow",
)
st.caption(_("In the slideshow: arrows, space and page keys move; f for full screen."))
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
