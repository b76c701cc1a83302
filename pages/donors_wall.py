"""Dinding donatur: who gave, by their own choice to be named; everyone else pooled."""

import pandas as pd
import streamlit as st

from dashboard import labels, shell
from dashboard.formatting import rupiah
from dashboard.privacy import shown_count, suppression_k
from queries import public

st.title("Dinding donatur")
st.caption(
    "Donatur yang memilih namanya ditampilkan, dengan total donasi dan pekerja yang "
    "terlindungi. Donatur perorangan anonim kecuali mereka memilih sebaliknya; semua donatur "
    "anonim dijumlahkan dalam satu baris."
)
wall = shell.query(public.donors_wall)
if wall.empty:
    st.info("Belum ada donasi di buku besar.")
    st.stop()

k = suppression_k()
workers = wall["workers"].astype("Int64").mask(wall["workers"] < k)
table = pd.DataFrame(
    {
        "donatur": wall["name"],
        "jenis": wall["type"].map(lambda t: labels.DONOR_TYPES.get(t, "Berbagai jenis")),
        "donasi": wall["donated_idr"].map(rupiah),
        "pekerja terlindungi": workers.map(lambda n: shown_count(n, k)),
    }
)
st.dataframe(table, hide_index=True, height=min(36 * (len(table) + 1) + 3, 900))
st.caption(f"Jumlah pekerja di bawah {k} ditampilkan sebagai “< {k}”.")
download = pd.DataFrame(
    {
        "donor": wall["name"],
        "donor_type": wall["type"],
        "donated_idr": wall["donated_idr"],
        "workers": workers,
    }
)
shell.downloads(download, "dinding-donatur")
