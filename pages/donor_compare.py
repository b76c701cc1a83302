"""Compare periods: one donor's year against the year before, with growth."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, controls, labels, shell
from dashboard.formatting import date_text, number, percent, rupiah
from dashboard.i18n import translator
from dashboard.presentation import HEADLINE
from queries import donor
from queries.figures import Period

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
first_year = info.first_donation.year if info.first_donation else today.year
years = list(range(today.year, first_year - 1, -1))
# The latest year with a donation, not an empty current year.
latest = years.index(info.last_donation.year) if info.last_donation else 0
year = st.selectbox(_("Year"), years, index=latest, key="year", bind="query-params")


def same_span(year: int) -> Period:
    """The whole year; for the current year, 1 January to today's date (year to date)."""
    if year == today.year:
        return Period(dt.date(year, 1, 1), today)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def a_year_earlier(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


current = same_span(year)
previous = Period(a_year_earlier(current.start), a_year_earlier(current.end))
st.caption(
    _("{start} – {end} against {previous_start} – {previous_end}.").format(
        start=date_text(current.start, lang),
        end=date_text(current.end, lang),
        previous_start=date_text(previous.start, lang),
        previous_end=date_text(previous.end, lang),
    )
)
now = shell.query(donor.headline, access, donor_id, current, min(current.end, today)).figures
before = shell.query(donor.headline, access, donor_id, previous, previous.end).figures

rows = []
for key, name, _shown in FIGURES:
    old, new = getattr(before, key), getattr(now, key)
    rows.append(
        {
            "figure": name,
            str(year - 1): old,
            str(year): new,
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
        delta=_("{growth} vs {year}").format(growth=growth, year=year - 1),
        delta_color="normal" if key != "balance_idr" else "off",
    )
controls.table(
    table.assign(
        **{
            str(year - 1): [
                s(v, lang) for (_k, _n, s), v in zip(FIGURES, table[str(year - 1)], strict=True)
            ],
            str(year): [
                s(v, lang) for (_k, _n, s), v in zip(FIGURES, table[str(year)], strict=True)
            ],
            "growth_percent": [
                "–" if pd.isna(g) else percent(g / 100, lang) for g in table["growth_percent"]
            ],
        }
    ),
    lang,
)
controls.downloads(table, f"compare-{donor_id}-{year}")

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
                (previous, year - 1, labels.NEUTRAL_COLOUR),
                (current, year, labels.WORKERS_COLOUR),
            )
        ],
        _("Workers protected each month: donations of {previous} and {year}").format(
            previous=year - 1, year=year
        ),
        lang,
        today,
    ),
)
st.plotly_chart(figure, key="compare-chart")
