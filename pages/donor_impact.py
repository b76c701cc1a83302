"""Dampak donasi: what one donor's money became, over a chosen period (CONTRACT.md "Figures")."""

import pandas as pd
import streamlit as st

from dashboard import charts, labels, shell
from dashboard.deck import build_deck
from dashboard.formatting import date_text, decimal, number, percent, rupiah
from dashboard.i18n import LANGUAGES
from dashboard.presentation import presentation
from dashboard.sentences import claim_sentence
from dashboard.statement import make_statement, render_statement
from queries import donor

st.title("Dampak donasi")
st.caption(
    "Apa yang menjadi dari donasi Anda: pekerja rentan yang terlindungi BPJS Ketenagakerjaan, "
    "bulan perlindungan, dan klaim yang dibayarkan kepada mereka dan keluarganya."
)

donor_id = shell.donor_picker()
if donor_id is None:
    st.stop()
period, as_of = shell.period_picker()
info = shell.query(donor.donor_info, donor_id)

# ── Headline ───────────────────────────────────────────────────────────────────────────────
head = shell.query(donor.headline, donor_id, period, as_of)
f = head.figures
st.subheader(f"{info.name} · {labels.donor_type(info.type)}", anchor=False)
st.caption(
    f"Donasi diterima {shell.period_text(period)}; pekerja aktif per "
    f"{date_text(as_of, length='long')}."
)
if f.donated_idr == 0:
    st.info("Tidak ada donasi dari donatur ini pada periode yang dipilih.")
    st.stop()

row = st.columns(3)
row[0].metric("Donasi", rupiah(f.donated_idr))
row[1].metric(
    "Dialokasikan ke iuran",
    rupiah(f.allocated_idr),
    delta=f"{percent(head.allocated_share)} dari donasi",
    delta_color="off",
    delta_arrow="off",
)
row[2].metric("Saldo belum teralokasi", rupiah(f.balance_idr))
row = st.columns(3)
row[0].metric("Pekerja terlindungi", number(f.covered_workers))
row[1].metric("Bulan-pekerja terlindungi", number(f.protected_months))
row[2].metric("Pekerja aktif", number(f.active_workers), help="Terlindungi pada bulan ini.")
row = st.columns(3)
row[0].metric("Klaim dibayar", number(f.claims_paid_count))
row[1].metric("Manfaat klaim dibayarkan", rupiah(f.claims_paid_idr))
row = st.columns(3)
row[0].metric(
    "Biaya per bulan-pekerja",
    rupiah(head.cost_per_worker_month) if head.cost_per_worker_month else "–",
    help="Dialokasikan dibagi bulan-pekerja terlindungi.",
)
row[1].metric(
    "Klaim per rupiah dialokasikan",
    f"Rp {decimal(head.claims_per_rupiah)}" if head.claims_per_rupiah is not None else "–",
    help="Manfaat klaim yang dibayarkan untuk setiap Rp 1 iuran yang dialokasikan.",
)
with st.expander("Unduh untuk laporan: pernyataan dampak (PDF) dan presentasi (PPTX)"):
    report_lang = (
        st.segmented_control(
            "Bahasa dokumen",
            ["id", "en"],
            format_func=LANGUAGES.get,
            default="id",
            key="report-lang",
        )
        or "id"
    )
    statement = make_statement(shell.ledger(), donor_id, period, as_of)
    engine = shell.ledger()
    row_of_buttons = st.container(horizontal=True)
    row_of_buttons.download_button(
        "⬇ Pernyataan dampak (PDF)",
        lambda: render_statement(engine, statement, report_lang),  # built on click only
        file_name=f"pernyataan-{donor_id}-{report_lang}.pdf",
        mime="application/pdf",
        key="statement",
    )
    row_of_buttons.download_button(
        "⬇ Presentasi (PPTX)",
        lambda: build_deck(presentation(engine, donor_id, period, as_of, report_lang)),
        file_name=f"presentasi-{donor_id}-{report_lang}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="deck",
    )
    st.caption(f"Kode verifikasi pernyataan: {statement.code}")
if f.allocated_idr == 0:
    st.info(
        "Donasi ini belum dialokasikan: iuran dibayarkan mulai bulan setelah donasi diterima, "
        "saat `lingkaran allocate` dijalankan."
    )

# ── Money to protection ────────────────────────────────────────────────────────────────────
flow = shell.query(donor.flow, donor_id, period)
trail = shell.query(donor.donations, donor_id, period)
balances = trail.groupby(pd.to_datetime(trail["received_on"]).dt.year)["balance_idr"].sum()
st.plotly_chart(
    charts.flow_sankey(flow, balances.to_dict(), "Dari donasi ke perlindungan (rupiah)"),
    key="flow",
)

# ── Over time ──────────────────────────────────────────────────────────────────────────────
monthly = shell.query(donor.monthly, donor_id, period)
left, right = st.columns(2)
left.plotly_chart(
    charts.protection_over_time(monthly, "Pekerja terlindungi per bulan dan donasi diterima"),
    key="over-time",
)
right.plotly_chart(
    charts.cumulative_money(monthly, "Donasi dan alokasi kumulatif (rupiah)"), key="cumulative"
)

# ── Who was protected ──────────────────────────────────────────────────────────────────────
st.subheader("Siapa yang terlindungi", anchor=False)
profile = shell.query(donor.profile, donor_id, period, as_of)
by = {by: donor.breakdown(profile, by) for by in donor.BREAKDOWNS}
by["province"]["provinsi"] = by["province"]["province"].map(labels.province)
by["occupation"]["pekerjaan"] = by["occupation"]["occupation"].map(labels.occupation)
by["gender"]["jenis kelamin"] = by["gender"]["gender"].map(labels.gender)
by["age_band"]["kelompok umur"] = by["age_band"]["age_band"]
left, right = st.columns(2)
left.plotly_chart(
    charts.ranked_bars(by["province"], "provinsi", "Pekerja per provinsi", labels.MONEY_COLOUR),
    key="province",
)
right.plotly_chart(
    charts.ranked_bars(
        by["occupation"], "pekerjaan", "Pekerja per pekerjaan", labels.WORKERS_COLOUR
    ),
    key="occupation",
)
right.plotly_chart(
    charts.ranked_bars(
        by["gender"], "jenis kelamin", "Pekerja per jenis kelamin", labels.NEUTRAL_COLOUR
    ),
    key="gender",
)
right.plotly_chart(
    charts.ranked_bars(
        by["age_band"], "kelompok umur", "Pekerja per kelompok umur", labels.NEUTRAL_COLOUR
    ),
    key="age",
)
who_table = pd.concat(
    [
        frame.rename(columns={label: "kelompok"})[
            ["kelompok", "workers", "protected_months", "allocated_idr"]
        ].assign(menurut=name)
        for name, label, frame in (
            ("provinsi", "provinsi", by["province"]),
            ("pekerjaan", "pekerjaan", by["occupation"]),
            ("jenis kelamin", "jenis kelamin", by["gender"]),
            ("kelompok umur", "kelompok umur", by["age_band"]),
        )
    ]
).rename(
    columns={
        "workers": "pekerja",
        "protected_months": "bulan_pekerja",
        "allocated_idr": "dialokasikan_idr",
    }
)[["menurut", "kelompok", "pekerja", "bulan_pekerja", "dialokasikan_idr"]]
with st.expander("Tabel: siapa yang terlindungi"):
    st.dataframe(
        who_table.assign(
            pekerja=who_table["pekerja"].map(number),
            bulan_pekerja=who_table["bulan_pekerja"].map(number),
            dialokasikan_idr=who_table["dialokasikan_idr"].map(rupiah),
        ).rename(columns={"bulan_pekerja": "bulan-pekerja", "dialokasikan_idr": "dialokasikan"}),
        hide_index=True,
    )
    shell.downloads(who_table, f"terlindungi-{donor_id}")

# ── Claims made possible ───────────────────────────────────────────────────────────────────
st.subheader("Klaim yang dimungkinkan donasi ini", anchor=False)
claims = shell.query(donor.claims, donor_id, period, as_of)
if claims.empty:
    st.info("Belum ada klaim dibayar dalam perlindungan yang dibiayai donasi ini.")
else:
    st.plotly_chart(
        charts.claims_by_program(claims, "Klaim dibayar per kuartal (rupiah)"), key="claims-chart"
    )
    shown = pd.DataFrame(
        {
            "program": claims["program"],
            "bulan kejadian": claims["incident_month"].map(lambda d: d.strftime("%Y-%m")),
            "provinsi": claims["province"].map(labels.province),
            "pekerjaan": claims["occupation"].map(labels.occupation),
            "kelompok umur": claims["age_band"],
            "manfaat_idr": claims["amount_idr"],
        }
    )
    st.dataframe(
        shown.assign(manfaat=shown["manfaat_idr"].map(rupiah)).drop(columns="manfaat_idr"),
        hide_index=True,
    )
    shell.downloads(shown, f"klaim-{donor_id}")
    with st.expander("Kalimat untuk laporan keberlanjutan"):
        for claim in claims.tail(20).iloc[::-1].to_dict("records"):
            st.text(claim_sentence(claim))

# ── Donation trail ─────────────────────────────────────────────────────────────────────────
st.subheader("Jejak donasi", anchor=False)
trail_shown = pd.DataFrame(
    {
        "donasi": trail["donation_id"],
        "diterima": trail["received_on"],
        "jumlah_idr": trail["amount_idr"],
        "dialokasikan_idr": trail["allocated_idr"],
        "saldo_idr": trail["balance_idr"],
        "pekerja": trail["workers"],
        "bulan_pekerja": trail["protected_months"],
    }
)
st.dataframe(
    trail_shown.assign(
        diterima=trail_shown["diterima"].map(date_text),
        jumlah=trail_shown["jumlah_idr"].map(rupiah),
        dialokasikan=trail_shown["dialokasikan_idr"].map(rupiah),
        saldo=trail_shown["saldo_idr"].map(rupiah),
        pekerja=trail_shown["pekerja"].map(number),
        bulan_pekerja=trail_shown["bulan_pekerja"].map(number),
    )[["donasi", "diterima", "jumlah", "dialokasikan", "saldo", "pekerja", "bulan_pekerja"]].rename(
        columns={"bulan_pekerja": "bulan-pekerja"}
    ),
    hide_index=True,
)
shell.downloads(trail_shown, f"donasi-{donor_id}")
chosen = st.selectbox(
    "Lihat baris cakupan sebuah donasi",
    list(trail["donation_id"]),
    index=None,
    placeholder="Pilih donasi…",
    key="donation",
)
if chosen:
    rows = shell.query(donor.donation_coverage, donor_id, chosen)
    coverage = pd.DataFrame(
        {
            "pekerja (pseudonim)": rows["worker_id"],
            "provinsi": rows["province"].map(labels.province),
            "pekerjaan": rows["occupation"].map(labels.occupation),
            "bulan_mulai": rows["start_month"],
            "bulan": rows["months"],
            "iuran_idr": rows["amount_idr"],
        }
    )
    st.caption(f"{number(len(coverage))} baris cakupan dibiayai donasi {chosen}.")
    st.dataframe(
        coverage.assign(iuran_idr=coverage["iuran_idr"].map(rupiah)).rename(
            columns={"iuran_idr": "iuran", "bulan_mulai": "bulan mulai"}
        ),
        hide_index=True,
    )
    shell.downloads(coverage, f"cakupan-{chosen}")
