"""Open data: the public aggregates to download (CSV, JSON) and fetch from the API."""

import json

import pandas as pd
import streamlit as st

from dashboard.core import labels
from dashboard.core.formatting import date_text, number
from dashboard.core.i18n import translator
from dashboard.publish import open_data
from dashboard.web import controls, shell

lang = shell.language()
_ = translator(lang)
st.title(_("Open data"))
st.caption(
    _(
        "GN Lingkaran's public aggregates, with small cells withheld. No worker id, "
        "individual claim or individual coverage row."
    )
)

release, _figures = shell.public_release()
by = st.multiselect(
    _("Dimensions (one or two)"),
    list(open_data.DIMENSIONS),
    default=list(open_data.CUBE),
    format_func=lambda dimension: labels.column(dimension, lang),  # "Provinsi", not "province"
    max_selections=open_data.MAX_DIMENSIONS,
    key="by",
    bind="query-params",
)
if not by:
    st.info(_("Pick at least one dimension."))
    st.stop()
k = release.suppression_k
by = list(open_data.parse_dimensions(",".join(by)))
cube = shell.query(open_data.aggregates, tuple(by), k, release=release.id)
st.caption(
    _(
        "{cells} cells; {withheld} withheld (fewer than {k} workers, or withheld so that such "
        "a cell cannot be worked out from any other published figure). Fewer dimensions give "
        'larger cells and fewer withheld. "year" is the year the coverage started.'
    ).format(
        cells=number(len(cube), lang), withheld=number(int(cube["suppressed"].sum()), lang), k=k
    )
)
ahead = (
    sorted({int(year) for year in cube["year"] if int(year) > release.as_of.year})
    if "year" in by
    else []
)
if ahead:
    st.caption(
        _(
            "{years}: coverage that starts after {date}, already paid for by donations "
            "received by then (months paid ahead, not yet lived)."
        ).format(years=", ".join(map(str, ahead)), date=date_text(release.as_of, lang, "long"))
    )
only_shown = st.toggle(_("Show published cells only"), value=True, key="only-shown")
table = controls.in_reading_order(cube[~cube["suppressed"]] if only_shown else cube, lang)
controls.table(controls.published_table(table.head(1000), lang, k), lang)
if len(table) > 1000:
    st.caption(_("Showing the first 1,000 cells; the downloads hold all of them."))

name = f"lingkaran-{release.id}-" + "-".join(by)
row = st.container(horizontal=True)
# Both files are written on click only: the cube can hold tens of thousands of cells.
row.download_button(
    "⬇ CSV",
    lambda: controls.inert(cube).to_csv(index=False).encode("utf-8"),
    f"{name}.csv",
    "text/csv",
    on_click="ignore",
    key="cube-csv",
)
row.download_button(
    "⬇ JSON",
    lambda: json.dumps(
        {"release": release.id, "by": by, "suppression_k": k, "rows": open_data.records(cube)},
        ensure_ascii=False,
    ).encode("utf-8"),
    f"{name}.json",
    "application/json",
    on_click="ignore",
    key="cube-json",
)

st.header(_("Claims paid"), anchor=False)
st.caption(
    _(
        "Paid JKK (work accident) and JKM (death) claims that happened in a month protected by "
        "donations, by year of the incident and program. The same suppression applies."
    )
)
claims = shell.query(open_data.paid_claims, k, release=release.id)
controls.table(controls.published_table(claims, lang, k), lang)
controls.downloads(claims, "lingkaran-claims-by-year")

st.header(_("Continuation"), anchor=False)
st.caption(
    _(
        "Workers whose protection by donations ended at least three months ago (ended) and "
        "those of them who paid their own contributions within those three months "
        "(continued), by donor type and by months of stimulus. The same suppression applies."
    )
)
for by_group in ("donor_type", "stimulus"):
    kept = shell.query(open_data.continuation, by_group, k, release=release.id)
    controls.table(controls.published_table(kept, lang, k), lang)
    controls.downloads(kept, f"lingkaran-continuation-{by_group}")

st.header(_("Data dictionary"), anchor=False)
dictionary = pd.DataFrame(
    {
        _("Column"): list(open_data.DATA_DICTIONARY),
        _("Meaning"): [_(meaning) for meaning in open_data.DATA_DICTIONARY.values()],
    }
)
# A list, not a grid: a grid's cell cut the longer meanings ("suppressed") off mid-sentence.
st.markdown(
    "\n".join(
        f"- `{column}`: {shell.plain(meaning)}"
        for column, meaning in zip(dictionary.iloc[:, 0], dictionary.iloc[:, 1], strict=True)
    )
)
controls.downloads(dictionary, "data-dictionary")

st.header("API", anchor=False)
st.markdown(
    _(
        "The same data is served machine-readably at stable addresses of this app:\n\n"
        "- `GET /api/v1/releases`: every release, with what changed in each\n"
        "- `GET /api/v1/summary`: the programme's figures\n"
        "- `GET /api/v1/aggregates?by=province,occupation`: the table over one or two "
        "dimensions (`year`, `province`, `occupation`, `gender`, `age_band`, `donor_type`)\n"
        "- `GET /api/v1/continuation?by=donor_type` (or `by=stimulus`): ended and continued "
        "workers\n"
        "- `GET /api/v1/schema`: the JSON Schema of every answer\n\n"
        "Each address answers from the latest release, or from the release `?release=ID` "
        "names (say `?release={release}`): a release never changes."
    ).format(release=release.id)
)
