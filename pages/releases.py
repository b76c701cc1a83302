"""Releases: the public history. Every release with its cut-off and what changed since the
one before, a citation line, and the release whole as a Data Package."""

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from dashboard.core.formatting import date_text, number
from dashboard.core.i18n import translator
from dashboard.publish import datapackage, open_data, releases
from dashboard.web import controls, shell

lang = shell.language()
_ = translator(lang)
st.title(_("Releases"))
st.caption(
    _(
        "Every public figure of Lingkaran comes from a release: the programme as of one "
        "day, checked so that no worker can be singled out, stored and never changed. A new "
        "release follows each month's end; older ones stay here, so anything cited from them "
        "can be found again."
    )
)
# The feed's address, for a feed reader (its button needs a link the reader can subscribe to).
feed_text = _("Follow the releases in a feed reader (Atom)")
st.markdown(f"[{feed_text}](/api/v1/releases.atom?lang={lang})")
listed = shell.query(open_data.releases)
if not listed:
    st.info(_("No public release has been published yet."))
    st.stop()


history = pd.DataFrame(
    {
        _("Release"): [info.id for info in listed],
        _("Data to"): [date_text(info.as_of, lang, "long") for info in listed],
        _("Published"): [date_text(info.published_at.date(), lang, "long") for info in listed],
        _("Cells changed"): [number(info.cells_changed, lang) for info in listed],
        _("Workers protected"): [
            releases.headline_change(info, "covered_workers", lang) for info in listed
        ],
        _("Claims paid"): [
            releases.headline_change(info, "claims_paid_count", lang) for info in listed
        ],
    }
)
controls.table(controls.arrow(history), lang)
chosen = st.selectbox(
    _("Release"),
    [info.id for info in listed],
    key="release",
    bind="query-params",
)
info = next(item for item in listed if item.id == chosen)
changes = info.changes
st.subheader(_("Release {release}").format(release=info.id), anchor=False)
st.write(releases.changes_in_words(info, lang))
if changes.get("previous") and info.steps_at_most:
    st.caption(
        _(
            "Each release perturbs its breakdowns afresh (by at most {steps} steps), so "
            "most cells change a little from one release to the next even when nobody "
            "joined them: compare trends, not single workers."
        ).format(steps=info.steps_at_most)
    )

origin = ""
try:
    parts = urlsplit(st.context.url or "")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
except AttributeError:  # no browser context (a script run in tests)
    origin = ""
citation = _(
    "GN Lingkaran. Lingkaran open data, release {release} (data to {date}), published "
    "{published}. {address} Licence: CC BY 4.0."
).format(
    release=info.id,
    date=date_text(info.as_of, lang, "long"),
    published=date_text(info.published_at.date(), lang, "long"),
    address=f"{origin}/open-data?release={info.id}",
)
st.markdown("**" + _("Cite this release") + "**")
st.code(citation, language=None, wrap_lines=True)
overview_link, open_data_link = _("The overview at this release"), _("Its open data")
st.markdown(
    f"[{overview_link}](/?release={info.id}) · [{open_data_link}](/open-data?release={info.id})"
)
st.download_button(
    _("Download this release whole (Data Package, .zip)"),
    lambda: shell.query(datapackage.data_package, info.id),  # built on click only
    file_name=f"lingkaran-release-{info.id}.zip",
    mime="application/zip",
    on_click="ignore",
    key="datapackage",
)
st.caption(
    _(
        "A Data Package (Frictionless Data): one CSV per table and a datapackage.json that "
        "describes every column, readable by spreadsheet programs, R, Python or the "
        "frictionless tools. Two releases can be compared file by file."
    )
)
