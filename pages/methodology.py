"""Metodologi: how every published figure is computed, and what the numbers cannot say."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import shell
from dashboard.formatting import date_text, rupiah
from dashboard.privacy import suppression_k
from queries import public

st.title("Metodologi")
st.caption(
    "Setiap angka di Lingkaran dihitung dari satu buku besar alokasi, dengan definisi "
    "kontrak data Lingkaran (versi 1)."
)

st.header("Angka-angka", anchor=False)
DEFINITIONS = {
    "Donasi diterima": "Jumlah seluruh donasi (rupiah bulat).",
    "Dialokasikan ke iuran": "Jumlah iuran BPJS Ketenagakerjaan yang dibayar dari donasi, "
    "yaitu jumlah seluruh baris cakupan.",
    "Saldo belum teralokasi": "Donasi dikurangi yang dialokasikan; tidak pernah negatif.",
    "Pekerja terlindungi": "Pekerja berbeda dengan sedikitnya satu baris cakupan.",
    "Bulan-pekerja terlindungi": "Jumlah bulan seluruh baris cakupan.",
    "Pekerja aktif": "Pekerja berbeda yang cakupannya meliputi bulan tanggal acuan (hari ini).",
    "Klaim dibayar": "Klaim berstatus dibayar yang tanggal kejadiannya jatuh pada bulan yang "
    "dilindungi baris cakupan pekerja itu. Klaim di luar cakupan tidak diatribusikan ke "
    "donatur mana pun.",
    "Donatur": "Donatur dengan sedikitnya satu donasi.",
}
st.markdown("\n".join(f"- **{name}**: {meaning}" for name, meaning in DEFINITIONS.items()))

st.header("Aturan alokasi", anchor=False)
st.markdown(
    """
1. Donasi diproses menurut tanggal diterima, lalu id donasi.
2. Setiap donasi membiayai blok `bulan_per_pekerja` bulan berturut-turut mulai bulan setelah
   donasi diterima (S). Harga blok adalah jumlah iuran bulanan yang berlaku di setiap bulannya.
3. Pekerja yang berhak: terdaftar sebelum hari pertama bulan S, sesuai peruntukan donasi
   (provinsi, pekerjaan), dan belum terlindungi pada bulan mana pun dalam blok; dilayani
   menurut tanggal pendaftaran, lalu id pekerja.
4. Selama sisa donasi cukup untuk satu blok dan masih ada pekerja yang berhak, satu baris
   cakupan ditulis. Sisanya menjadi saldo; tidak pernah dibagi menjadi blok parsial.
5. Alokasi deterministik dan hanya menambah: menjalankannya lagi tidak mengubah apa pun.
"""
)

st.header("Iuran yang berlaku", anchor=False)
rates = shell.query(public.rate_schedule)
st.dataframe(
    pd.DataFrame(
        {
            "berlaku sejak": rates["effective_from"],
            "iuran per pekerja per bulan": rates["monthly_idr"].map(rupiah),
        }
    ),
    hide_index=True,
)
st.caption(
    "Paket JKK + JKM: JKK 1% dari penghasilan minimum Rp 1.000.000 (Rp 10.000) ditambah "
    "JKM Rp 6.800."
)

st.header("Kesegaran data", anchor=False)
when = shell.query(public.freshness)


def moment(value: dt.datetime | None) -> str:
    return (
        "belum pernah"
        if value is None
        else f"{date_text(value.date(), length='long')} {value:%H:%M} UTC"
    )


st.markdown(
    f"- Impor terakhir: **{moment(when['last_import'])}**\n"
    f"- Alokasi terakhir: **{moment(when['last_allocation'])}**"
)

k = suppression_k()
st.header("Privasi dan penyembunyian sel kecil", anchor=False)
st.markdown(
    f"""
- Buku besar hanya memuat pekerja dengan id pseudonim: tanpa nama, NIK, atau nomor telepon.
- Halaman publik, unduhan, dan API hanya menampilkan agregat. Setiap sel yang menghitung
  kurang dari **{k}** pekerja disembunyikan (“< {k}”) beserta angkanya.
- Agar sel yang disembunyikan tidak dapat dihitung ulang dari total, setiap baris atau kolom
  tabel yang memuat tepat satu sel tersembunyi ikut menyembunyikan sel terkecil berikutnya
  (penyembunyian komplementer).
- Donatur perorangan anonim kecuali memilih namanya ditampilkan.
"""
)

st.header("Keterbatasan", anchor=False)
st.markdown(
    """
- Angka mencerminkan isi buku besar: klaim yang belum diimpor, atau cakupan yang dibeli di
  luar program dan belum diimpor, tidak terlihat.
- Usia dihitung dari tahun lahir pada tahun berjalan; kelompok umur bergeser setiap tahun.
- Provinsi dan pekerjaan adalah nilai terakhir yang diimpor untuk pekerja, bukan nilai pada
  saat cakupan dibeli.
- Klaim dibayar menghitung setiap program (JKK, JKM, JHT) yang terjadi dalam bulan
  terlindungi, sesuai kontrak data; JHT (hari tua) bukan bagian dari paket JKK + JKM yang
  dibiayai donasi, sehingga klaim JHT di dalam cakupan ikut terhitung.
- Klaim di luar cakupan mana pun (misalnya JHT pekerja yang belum pernah dibiayai) tampil
  di grafik klaim program, tetapi tidak diatribusikan ke donatur mana pun.
"""
)
