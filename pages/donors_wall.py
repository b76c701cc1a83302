"""Donors wall: who gave, by their own choice to be named; everyone else pooled."""

import pandas as pd
import streamlit as st

from dashboard.core import labels
from dashboard.core.formatting import number, rupiah
from dashboard.core.i18n import translator
from dashboard.publish import open_data
from dashboard.publish.privacy import shown_count
from dashboard.web import controls, shell

lang = shell.language()
_ = translator(lang)
st.title(_("Donors wall"))
st.caption(
    _(
        "Donors who chose to be named, with their donations and the workers protected. "
        "Individuals are anonymous unless they chose otherwise; all anonymous donors are "
        "pooled in one row."
    )
)
release, programme = shell.public_release()
wall = shell.query(open_data.donors_wall, release=release.id)
if wall.empty:
    st.info(_("The release holds no donation yet."))
    st.stop()

k = release.suppression_k
workers = wall["workers"]  # a count under k is withheld by the release
pooled = _("Anonymous donors ({count})")
names = [
    pooled.format(count=count) if kind == "anonymous" else name
    for name, kind, count in zip(wall["name"], wall["type"], wall["donors"], strict=True)
]
types = wall["type"].map(
    lambda t: _("Several types") if t == "anonymous" else labels.donor_type(t, lang)
)
# The total row: the donated column adds up (every rupiah is a donor's own, published with
# their consent, the anonymous ones pooled); its workers are the programme's different
# workers, which the column need not add up to (said under the table).
donors = int(wall["donors"].sum())
donated = int(wall["donated_idr"].sum())
distinct = programme.covered_workers  # None when the release withholds it (under k)
table = pd.DataFrame(
    {
        _("Donor"): [*names, _("Total ({count} donors)").format(count=number(donors, lang))],
        # The figures next to the name, the type last: on a phone the grid shows its first
        # two or three columns, and the figures are what the wall is for.
        _("Donated"): [*(rupiah(n, lang) for n in wall["donated_idr"]), rupiah(donated, lang)],
        _("Workers protected"): [
            *(shown_count(n, k, lang) for n in workers),
            shown_count(distinct, k, lang),
        ],
        _("Type"): [*types, ""],
    }
)
# Every row shown, the pooled anonymous row and the total included: a grid of fixed height
# hid half of them behind a scroll bar nobody saw.
st.dataframe(table, hide_index=True, height="content")
st.caption(_("Worker counts below {k} are shown as “< {k}”.").format(k=k))
withheld = int(workers.isna().sum())
if withheld:
    st.caption(
        _(
            "The total row's workers are the programme's different workers, not the sum of "
            "the column; rows whose count is withheld (under {k}): {rows}."
        ).format(rows=number(withheld, lang), k=k)
    )
if distinct is not None and int(workers.fillna(0).sum()) > distinct:  # some worker has two donors
    st.caption(
        _(
            "Each donor counts the workers its own donations protected, so a worker protected "
            "by several donors appears once for each: the column adds up to more than the "
            "{distinct} different workers the programme protected."
        ).format(distinct=number(distinct, lang))
    )
download = pd.DataFrame(
    {
        "donor": names,
        "donor_type": wall["type"],
        "donated_idr": wall["donated_idr"],
        "workers": workers,
    }
)
controls.downloads(download, "donors-wall")
