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
table = pd.DataFrame(
    {
        _("Donor"): names,
        _("Type"): wall["type"].map(
            lambda t: _("Several types") if t == "anonymous" else labels.donor_type(t, lang)
        ),
        _("Donated"): wall["donated_idr"].map(lambda n: rupiah(n, lang)),
        _("Workers protected"): workers.map(lambda n: shown_count(n, k, lang)),
    }
)
st.dataframe(table, hide_index=True, height=min(36 * (len(table) + 1) + 3, 900))
st.caption(_("Worker counts below {k} are shown as “< {k}”.").format(k=k))
distinct = programme.covered_workers  # None when the release withholds it (under k)
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
