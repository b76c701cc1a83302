"""Ringkasan program: what GN Lingkaran as a whole has achieved (public, aggregates only)."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, labels, shell
from dashboard.formatting import date_text, number, rupiah
from dashboard.privacy import suppress, suppression_k
from queries import public

st.title("GN Lingkaran: perlindungan bagi pekerja rentan")
st.caption(
    "Donasi perusahaan, BUMN, komunitas dan perorangan membayar iuran BPJS Ketenagakerjaan "
    "(JKK dan JKM) bagi pekerja informal: nelayan, petani, pedagang kaki lima, ojek, "
    "pekerja rumah tangga."
)
st.info(
    "Ketika GN Lingkaran diperkenalkan pada 2016, hanya 27% penduduk dunia yang memiliki "
    "perlindungan sosial yang komprehensif (ILO, World Social Protection Report 2014/15). "
    "Program ini menjangkau mereka yang belum terlindungi.",
    icon=":material/public:",
)

totals = shell.current_figures()
if totals.donors == 0:
    st.info("Belum ada donasi di buku besar. Impor data dengan `lingkaran import`.")
    st.stop()

st.subheader(f"Per {date_text(totals.as_of, length='long')}", anchor=False)
money = st.columns(3)
money[0].metric("Donasi diterima", rupiah(totals.donated_idr))
money[1].metric("Dialokasikan ke iuran", rupiah(totals.allocated_idr))
money[2].metric("Saldo belum teralokasi", rupiah(totals.balance_idr))
people = st.columns(3)
people[0].metric("Pekerja terlindungi", number(totals.covered_workers))
people[1].metric("Bulan-pekerja terlindungi", number(totals.protected_months))
people[2].metric("Pekerja aktif terlindungi", number(totals.active_workers))
claims_row = st.columns(3)
claims_row[0].metric(
    "Klaim dibayar",
    number(totals.claims_paid_count),
    help="Klaim JKK/JKM berstatus dibayar yang terjadi pada bulan yang dilindungi donasi.",
)
claims_row[1].metric("Manfaat klaim dibayarkan", rupiah(totals.claims_paid_idr))
claims_row[2].metric("Donatur", number(totals.donors))

# ── Growth ─────────────────────────────────────────────────────────────────────────────────
st.subheader("Pertumbuhan", anchor=False)
growth = shell.query(public.monthly_protection)
growth = growth[growth["month"] <= totals.as_of]  # coverage already bought for later months
left, right = st.columns(2)
workers_chart = go.Figure(
    go.Scatter(
        x=growth["month"],
        y=growth["protected_workers"],
        mode="lines",
        line={"color": labels.WORKERS_COLOUR, "width": 3},
        name="Pekerja aktif terlindungi",
    )
)
workers_chart.update_layout(
    template=charts.TEMPLATE,
    title="Pekerja aktif terlindungi per bulan",
    xaxis_title="Bulan",
    yaxis_title="Pekerja",
    height=380,
)
left.plotly_chart(workers_chart, key="active")
donations_chart = go.Figure()
for code, name in labels.DONOR_TYPES.items():
    donations_chart.add_trace(
        go.Scatter(
            x=growth["month"],
            y=growth[f"cumulative_{code}_idr"],
            name=name,
            mode="lines",
            stackgroup="donors",
            line={"color": labels.DONOR_TYPE_COLOURS[code]},
        )
    )
donations_chart.update_layout(
    template=charts.TEMPLATE,
    title="Donasi kumulatif menurut jenis donatur (rupiah)",
    xaxis_title="Bulan",
    yaxis_title="Rupiah",
    height=380,
)
right.plotly_chart(donations_chart, key="donations")

# ── Where and who (small cells withheld) ───────────────────────────────────────────────────
k = suppression_k()
st.subheader("Di mana dan siapa", anchor=False)
st.caption(f"Kelompok dengan kurang dari {k} pekerja tidak ditampilkan (“< {k}”).")


def published(by: str, label) -> pd.DataFrame:
    frame = suppress(shell.query(public.covered_by, by), [by], k=k)
    frame["label"] = frame[by].map(label)
    return frame


provinces = published("province", labels.province)
every_province = pd.DataFrame({"province": sorted(labels.provinces())})
provinces = every_province.merge(provinces, on="province", how="left")
provinces["label"] = provinces["province"].map(labels.province)
provinces["suppressed"] = provinces["suppressed"].astype("boolean").fillna(False)
provinces["workers"] = provinces["workers"].astype("Int64")
shown = provinces[~provinces["suppressed"] & provinces["workers"].notna()].astype(
    {"workers": "int64"}
)
left, right = st.columns(2)
left.plotly_chart(
    charts.ranked_bars(shown, "label", "Pekerja terlindungi per provinsi", labels.MONEY_COLOUR),
    key="provinces",
)
hidden = provinces.loc[~provinces.index.isin(shown.index), "label"]
if len(hidden):
    left.caption(f"Tidak ditampilkan (< {k} atau tanpa pekerja): " + ", ".join(hidden) + ".")
for by, label, title, colour in (
    ("occupation", labels.occupation, "Pekerja per pekerjaan", labels.WORKERS_COLOUR),
    ("gender", labels.gender, "Pekerja per jenis kelamin", labels.NEUTRAL_COLOUR),
    ("age_band", str, "Pekerja per kelompok umur", labels.NEUTRAL_COLOUR),
):
    frame = published(by, label)
    frame = frame[~frame["suppressed"]].astype({"workers": "int64"})
    right.plotly_chart(charts.ranked_bars(frame, "label", title, colour), key=by)

# ── Claims ─────────────────────────────────────────────────────────────────────────────────
st.subheader("Klaim dibayar per program", anchor=False)
claims = suppress(
    shell.query(public.paid_claims), ["quarter", "program"], "claims", ["amount_idr"], k
)
visible = claims[~claims["suppressed"]]
claims_chart = go.Figure()
for program, rows in visible.groupby("program"):
    claims_chart.add_trace(
        go.Bar(
            x=rows["quarter"],
            y=rows["amount_idr"].astype("int64"),
            name=labels.PROGRAMS.get(program, program),
            marker={"color": labels.PROGRAM_COLOURS.get(program, labels.NEUTRAL_COLOUR)},
        )
    )
claims_chart.update_layout(
    template=charts.TEMPLATE,
    title="Manfaat klaim dibayar per kuartal kejadian (rupiah)",
    barmode="stack",
    xaxis={"title": "Kuartal", "type": "category", "categoryorder": "category ascending"},
    yaxis_title="Rupiah",
    height=380,
)
st.plotly_chart(claims_chart, key="claims")
st.caption(
    f"{number(int(claims['suppressed'].sum()))} kuartal-program dengan kurang dari {k} klaim "
    "tidak ditampilkan. Termasuk semua klaim dibayar, juga yang tidak jatuh dalam "
    "perlindungan dari donasi."
)
