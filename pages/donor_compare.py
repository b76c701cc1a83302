"""Compare periods: one donor's year against the year before, with growth."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.core import labels
from dashboard.core.formatting import date_text, number, percent, rupiah
from dashboard.core.i18n import translator
from dashboard.exports.presentation import HEADLINE
from dashboard.web import charts, controls, shell
from queries import donor
from queries.figures import (
    Period,
    fiscal_year,
    fiscal_year_name,
    fiscal_year_of,
    in_fiscal_terms,
)

lang = shell.language()
_ = translator(lang)
# Workers protected *now* says nothing about a past year: the other headline numbers.
FIGURES = tuple(
    (h.key, _(h.label), rupiah if h.money else number)
    for h in HEADLINE
    if h.key != "active_workers"
)

st.title(_("Compare periods"))
st.caption(_("The donations received in one year and what they became, against the year before."))

access = shell.require_member()
donor_id = controls.donor_picker(access)
if donor_id is None:
    st.stop()
info = shell.query(donor.donor_info, access, donor_id)
today = dt.date.today()
# Years are the donor's fiscal years (named by the year they begin in: 2025/26), calendar
# years for a donor whose fiscal year begins in January.
starts = info.fiscal_year_start


def year_of(day: dt.date) -> int:
    return fiscal_year_of(day, starts)


first_year = year_of(info.first_donation) if info.first_donation else year_of(today)
years = list(range(year_of(today), first_year - 1, -1))
# The latest year with a donation, not an empty current year.
latest = years.index(year_of(info.last_donation)) if info.last_donation else 0
year = st.selectbox(
    _("Year") if starts == 1 else _("Fiscal year"),
    years,
    index=latest,
    key="year",
    bind="query-params",
    format_func=lambda y: fiscal_year_name(y, starts),
)


def same_span(year: int) -> Period:
    """The whole (fiscal) year; for the current one, its start to today (year to date)."""
    return fiscal_year(year, starts, today)


def a_year_earlier(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


this_name, last_name = fiscal_year_name(year, starts), fiscal_year_name(year - 1, starts)
current = same_span(year)
previous = in_fiscal_terms(
    Period(a_year_earlier(current.start), a_year_earlier(current.end)), starts
)
spans = {
    "start": date_text(current.start, lang),
    "end": date_text(current.end, lang),
    "previous_start": date_text(previous.start, lang),
    "previous_end": date_text(previous.end, lang),
}
if starts == 1:
    st.caption(_("{start} – {end} against {previous_start} – {previous_end}.").format(**spans))
else:
    st.caption(
        _(
            "Fiscal year {year} ({start} – {end}) against fiscal year {previous} "
            "({previous_start} – {previous_end})."
        ).format(year=this_name, previous=last_name, **spans)
    )
# Equal age (docs/contract.md "As of"): each year as of its own last day, as many days after
# its start as the other, so a later year is never behind only for having had less time.
now = shell.query(donor.headline, access, donor_id, current, min(current.end, today)).figures
before = shell.query(donor.headline, access, donor_id, previous, previous.end).figures
st.caption(
    _(
        "Each year's figures are as of its own last day, as many days after it began as the "
        "other's: both have had the same time for claims to be paid and confirmations made."
    )
)

rows = []
for key, name, _shown in FIGURES:
    old, new = getattr(before, key), getattr(now, key)
    rows.append(
        {
            "figure": name,
            last_name: old,
            this_name: new,
            "growth_percent": round((new - old) / old * 100, 1) if old else None,
        }
    )
table = pd.DataFrame(rows)

# Two to a row: four side by side cut rupiah off ("Rp 400.000.…") on a laptop screen.
cols = st.columns(2) + st.columns(2)
for i, (key, name, shown) in enumerate(FIGURES[:4]):
    old, new = getattr(before, key), getattr(now, key)
    growth = percent((new - old) / old, lang) if old else _("new")
    cols[i].metric(
        name,
        shown(new, lang),
        delta=_("{growth} vs {year}").format(growth=growth, year=last_name),
        delta_color="normal" if key != "balance_idr" else "off",
    )
controls.table(
    table.assign(
        **{
            last_name: [
                s(v, lang) for (_k, _n, s), v in zip(FIGURES, table[last_name], strict=True)
            ],
            this_name: [
                s(v, lang) for (_k, _n, s), v in zip(FIGURES, table[this_name], strict=True)
            ],
            "growth_percent": [
                "–" if pd.isna(g) else percent(g / 100, lang) for g in table["growth_percent"]
            ],
        }
    ),
    lang,
)
controls.downloads(table, f"compare-{donor_id}-{this_name.replace('/', '-')}")

figure = shell.built(
    "compare.protection",
    access,
    (donor_id, previous, current, today),
    lambda: charts.compared_protection(
        [
            (
                _("Donations {year}").format(year=name),
                shell.query(donor.monthly, access, donor_id, span),
                colour,
            )
            for span, name, colour in (
                (previous, last_name, labels.NEUTRAL_COLOUR),
                (current, this_name, labels.WORKERS_COLOUR),
            )
        ],
        _("Workers protected each month: donations of {previous} and {year}").format(
            previous=last_name, year=this_name
        ),
        lang,
        today,
    ),
)
shell.chart(figure, key="compare-chart")
