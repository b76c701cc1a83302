"""Ringkasan program: the public totals of GN Lingkaran (CONTRACT.md "Figures", all donors)."""

import streamlit as st

from dashboard.formatting import date_text, number, rupiah
from dashboard.shell import current_figures

st.title("GN Lingkaran: perlindungan bagi pekerja rentan")
st.caption(
    "Donasi perusahaan, BUMN, komunitas dan perorangan membayar iuran BPJS Ketenagakerjaan "
    "(JKK dan JKM) bagi pekerja informal: nelayan, petani, pedagang kaki lima, ojek, "
    "pekerja rumah tangga."
)

totals = current_figures()
if totals.donors == 0:
    st.info("Belum ada donasi di buku besar. Impor data dengan `lingkaran import`.")
    st.stop()

st.subheader(f"Per {date_text(totals.as_of, length='long')}")
money = st.columns(4)
money[0].metric("Donatur", number(totals.donors))
money[1].metric("Donasi diterima", rupiah(totals.donated_idr))
money[2].metric("Dialokasikan ke iuran", rupiah(totals.allocated_idr))
money[3].metric("Saldo belum teralokasi", rupiah(totals.balance_idr))
people = st.columns(4)
people[0].metric("Pekerja terlindungi", number(totals.covered_workers))
people[1].metric("Bulan-pekerja terlindungi", number(totals.protected_months))
people[2].metric("Pekerja aktif terlindungi", number(totals.active_workers))
people[3].metric(
    "Klaim dibayar",
    number(totals.claims_paid_count),
    help="Klaim JKK/JKM berstatus dibayar yang terjadi pada bulan yang dilindungi donasi.",
)
st.metric("Manfaat klaim dibayarkan", rupiah(totals.claims_paid_idr))
