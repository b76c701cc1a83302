"""Data terbuka: the public aggregates to download (CSV, JSON) and fetch from the API."""

import json

import pandas as pd
import streamlit as st

from dashboard import open_data, shell
from dashboard.formatting import number
from dashboard.privacy import suppression_k
from queries import public

st.title("Data terbuka")
st.caption(
    "Agregat publik GN Lingkaran, dengan sel kecil disembunyikan. Tidak ada id pekerja, klaim "
    "individual, atau baris cakupan individual."
)

by = st.multiselect(
    "Dimensi",
    list(public.DIMENSIONS),
    default=list(open_data.CUBE),
    key="by",
    bind="query-params",
)
if not by:
    st.info("Pilih sedikitnya satu dimensi.")
    st.stop()
cube = shell.query(open_data.aggregates, tuple(by), suppression_k())
k = suppression_k()
st.caption(
    f"{number(len(cube))} sel; {number(int(cube['suppressed'].sum()))} disembunyikan "
    f"(kurang dari {k} pekerja, atau komplementer). Dimensi yang lebih sedikit memberi sel "
    "yang lebih besar dan lebih sedikit yang disembunyikan."
)
only_shown = st.toggle("Tampilkan hanya sel yang dipublikasikan", value=True, key="only-shown")
table = cube[~cube["suppressed"]] if only_shown else cube
st.dataframe(table.head(1000), hide_index=True)
if len(table) > 1000:
    st.caption("Menampilkan 1.000 sel pertama; unduhan memuat semuanya.")

name = "lingkaran-" + "-".join(by)
row = st.container(horizontal=True)
row.download_button(
    "⬇ CSV", cube.to_csv(index=False).encode("utf-8"), f"{name}.csv", "text/csv", key="cube-csv"
)
row.download_button(
    "⬇ JSON",
    json.dumps(
        {"by": by, "suppression_k": k, "rows": open_data.records(cube)}, ensure_ascii=False
    ).encode("utf-8"),
    f"{name}.json",
    "application/json",
    key="cube-json",
)

st.header("Kamus data", anchor=False)
dictionary = pd.DataFrame(
    {"kolom": list(open_data.DATA_DICTIONARY), "arti": list(open_data.DATA_DICTIONARY.values())}
)
st.dataframe(dictionary, hide_index=True)
shell.downloads(dictionary, "kamus-data")

st.header("API", anchor=False)
st.markdown(
    """
Data yang sama tersedia untuk mesin pada alamat tetap aplikasi ini:

- `GET /api/v1/summary` — angka program
- `GET /api/v1/aggregates?by=province,occupation` — agregat dengan dimensi pilihan
  (`year`, `month`, `province`, `occupation`, `gender`, `age_band`, `donor_type`)
- `GET /api/v1/schema` — JSON Schema kedua jawaban
"""
)
