"""Bandingkan periode: one donor's year against the year before, with growth."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, labels, shell
from dashboard.formatting import date_text, number, percent, rupiah
from queries import donor
from queries.figures import Period

FIGURES = (
    ("donated_idr", "Donasi", rupiah),
    ("allocated_idr", "Dialokasikan ke iuran", rupiah),
    ("balance_idr", "Saldo belum teralokasi", rupiah),
    ("covered_workers", "Pekerja terlindungi", number),
    ("protected_months", "Bulan-pekerja terlindungi", number),
    ("claims_paid_count", "Klaim dibayar", number),
    ("claims_paid_idr", "Manfaat klaim dibayarkan", rupiah),
)

st.title("Bandingkan periode")
st.caption(
    "Donasi yang diterima dalam satu tahun dan apa yang menjadi darinya, "
    "dibanding tahun sebelumnya."
)

donor_id = shell.donor_picker()
if donor_id is None:
    st.stop()
info = shell.query(donor.donor_info, donor_id)
today = dt.date.today()
first_year = info.first_donation.year if info.first_donation else today.year
year = st.selectbox(
    "Tahun", list(range(today.year, first_year - 1, -1)), key="year", bind="query-params"
)


def same_span(year: int) -> Period:
    """The whole year; for the current year, 1 January to today's date (year to date)."""
    if year == today.year:
        return Period(dt.date(year, 1, 1), today)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


current = same_span(year)
previous = Period(
    current.start.replace(year=year - 1),
    current.end.replace(year=year - 1)
    if current.end.month != 2 or current.end.day != 29
    else dt.date(year - 1, 2, 28),
)
st.caption(
    f"{date_text(current.start)} – {date_text(current.end)} dibanding "
    f"{date_text(previous.start)} – {date_text(previous.end)}."
)
now = shell.query(donor.headline, donor_id, current, min(current.end, today)).figures
before = shell.query(donor.headline, donor_id, previous, previous.end).figures

rows = []
for key, name, _ in FIGURES:
    old, new = getattr(before, key), getattr(now, key)
    growth = (new - old) / old if old else None
    rows.append(
        {
            "angka": name,
            str(year - 1): old,
            str(year): new,
            "pertumbuhan": None if growth is None else round(growth * 100, 1),
        }
    )

table = pd.DataFrame(rows)
cols = st.columns(4)
for i, (key, name, shown) in enumerate(FIGURES[:4]):
    old, new = getattr(before, key), getattr(now, key)
    cols[i].metric(
        name,
        shown(new),
        delta=(percent((new - old) / old) if old else "baru") + f" vs {year - 1}",
        delta_color="normal" if key != "balance_idr" else "off",
    )
st.dataframe(
    table.assign(
        **{
            str(year - 1): [
                s(v) for (_, _, s), v in zip(FIGURES, table[str(year - 1)], strict=True)
            ],
            str(year): [s(v) for (_, _, s), v in zip(FIGURES, table[str(year)], strict=True)],
            "pertumbuhan": ["–" if g is None else percent(g / 100) for g in table["pertumbuhan"]],
        }
    ),
    hide_index=True,
)
shell.downloads(table, f"banding-{donor_id}-{year}")

figure = go.Figure()
figure.update_layout(
    template=charts.TEMPLATE,
    title=f"Pekerja terlindungi per bulan: donasi {year - 1} dan {year}",
    xaxis_title="Bulan",
    yaxis_title="Pekerja terlindungi",
    height=400,
)
for span, name, colour in (
    (previous, str(year - 1), labels.NEUTRAL_COLOUR),
    (current, str(year), labels.WORKERS_COLOUR),
):
    monthly = shell.query(donor.monthly, donor_id, span)
    if not monthly.empty:
        figure.add_trace(
            go.Scatter(
                x=monthly["month"],
                y=monthly["protected_workers"],
                name=f"Donasi {name}",
                mode="lines",
                line={"color": colour, "width": 3},
            )
        )
st.plotly_chart(figure, key="compare-chart")
