"""Programme overview: what GN Lingkaran as a whole has achieved (public, aggregates only)."""

from fractions import Fraction

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from dashboard.core import labels, vocabulary
from dashboard.core.formatting import date_text, month_text, number, percent, rupiah
from dashboard.core.i18n import translator
from dashboard.exports.sentences import (
    confirmed_sentence,
    continuation_by_type_takeaway,
    continuation_sentence,
)
from dashboard.publish import open_data
from dashboard.publish.privacy import shown_count
from dashboard.web import charts, controls, shell

lang = shell.language()
_ = translator(lang)

st.title(_("GN Lingkaran: protection for vulnerable workers"))
st.caption(
    _(
        "Donations from companies, state-owned enterprises, communities and individuals pay "
        "BPJS Ketenagakerjaan contributions (JKK work accident and JKM death) for informal "
        "workers: fishers, "
        "farmers, street vendors, ojek drivers, domestic workers."
    )
)
st.info(
    _(
        "When GN Lingkaran was presented in 2016, only 27% of the world's population had "
        "comprehensive social protection (ILO, World Social Protection Report 2014/15). The "
        "programme reaches those who were left out."
    ),
    icon=":material/public:",
)

release, totals = shell.public_release()  # every figure below is this release's
if totals.donors == 0:
    st.info(_("The release holds no donation yet. Import data with `lingkaran import`."))
    st.stop()

st.subheader(_("As of {date}").format(date=date_text(totals.as_of, lang, "long")), anchor=False)
money = st.columns(3)
money[0].metric(_("Donated"), rupiah(totals.donated_idr, lang))
money[1].metric(_("Allocated to contributions"), rupiah(totals.allocated_idr, lang))
money[2].metric(_("Unspent balance"), rupiah(totals.balance_idr, lang))
k = release.suppression_k


def perturbation_note(steps: int) -> str:
    """Why the breakdowns need not add up to the headline, said where the figures are
    (docs/contract.md "Public releases")."""
    return _(
        "Every figure below the headline carries a small offset, usually one or two workers "
        "and never more than {steps}, so that no release, alone or compared with another, "
        "reveals a single worker. Parts therefore need not add up to the totals above, which "
        "are exact. See the methodology."
    ).format(steps=steps)


def count(value: int) -> str:
    return shown_count(value, k, lang)


people = st.columns(3)
people[0].metric(_("Workers protected"), count(totals.covered_workers))
people[1].metric(_("Protected worker-months"), number(totals.protected_months, lang))
people[2].metric(
    _("Workers protected in {month}").format(month=month_text(totals.as_of, lang)),
    count(totals.active_workers),
)
claims_row = st.columns(3)
claims_row[0].metric(
    _("Claims paid"),
    count(totals.claims_paid_count),
    help=_("Paid claims that happened in a month protected by donations."),
)
claims_row[1].metric(_("Benefits paid"), rupiah(totals.claims_paid_idr, lang))
claims_row[2].metric(_("Donors"), number(totals.donors, lang))
st.caption(shell.plain(confirmed_sentence(totals, lang)))

# ── Growth ─────────────────────────────────────────────────────────────────────────────────
st.subheader(_("Growth"), anchor=False)
# Months up to this one (coverage already bought for later months is not shown), a month
# with fewer than k workers left as a gap (dashboard/publish/open_data.py).
# Each chart and table below is built once per ledger version, language and threshold
# (shell.built), and a page run that finds it only draws it.
view = (k, release.id)


def growth_charts() -> tuple[go.Figure, go.Figure, bool]:
    """Workers protected each month and donations by type, and whether months are withheld."""
    growth = shell.query(open_data.monthly_protection, k, release=release.id)
    workers_chart = charts.protected_each_month(
        growth,
        _("Workers protected each month"),
        _("Workers protected now"),
        lang,
    )
    donations_chart = charts.donations_by_type(
        growth, _("Donations by donor type, cumulative (rupiah)"), lang
    )
    return workers_chart, donations_chart, bool(growth["suppressed"].any())


workers_chart, donations_chart, months_withheld = shell.built(
    "overview.growth", shell.PUBLIC, view, growth_charts
)
left, right = st.columns(2)
shell.chart(workers_chart, key="active", place=left)
if months_withheld:
    left.caption(
        _("Months with fewer than {k} workers protected are left out of the line.").format(k=k)
    )
shell.chart(donations_chart, key="donations", place=right)

# ── Where and who (small cells withheld) ───────────────────────────────────────────────────
st.subheader(_("Where and who"), anchor=False)
st.caption(_("Groups of fewer than {k} workers are not shown (“< {k}”).").format(k=k))
if release.steps_at_most:
    st.caption(perturbation_note(release.steps_at_most))


def published(by: str, label) -> pd.DataFrame:
    frame = shell.query(open_data.covered_by, by, k, release=release.id)
    frame["label"] = frame[by].map(label)
    return frame


def province_charts() -> tuple[go.Figure, go.Figure, list[str]]:
    """The map and the ranked list of provinces shown, and the provinces not shown."""
    provinces = published("province", labels.province)
    every_province = pd.DataFrame({"province": sorted(labels.provinces())})
    provinces = every_province.merge(provinces, on="province", how="left")
    provinces["label"] = provinces["province"].map(labels.province)
    provinces["suppressed"] = provinces["suppressed"].astype("boolean").fillna(False)
    provinces["workers"] = provinces["workers"].astype("Int64")
    shown = provinces[~provinces["suppressed"] & provinces["workers"].notna()].astype(
        {"workers": "int64"}
    )
    mapped = charts.province_map(
        shown,
        _("Workers protected by province"),
        lang,
        withheld=list(provinces.loc[provinces["suppressed"], "province"]),
        k=k,
    )
    ranked = charts.ranked_bars(
        shown, "label", _("Workers protected by province"), labels.MONEY_COLOUR, lang
    )
    return mapped, ranked, list(provinces.loc[~provinces.index.isin(shown.index), "label"])


province_map, province_bars, hidden = shell.built(
    "overview.provinces", shell.PUBLIC, view, province_charts
)
shell.chart(province_map, key="province-map")
if box := controls.opened(_("The provinces as a ranked list"), "province-list"):
    shell.chart(province_bars, key="provinces", place=box)
if hidden:
    st.caption(
        _("Not shown (fewer than {k} or no workers): {provinces}.").format(
            k=k, provinces=", ".join(hidden)
        )
    )
breakdowns = (
    (
        "occupation",
        lambda c: labels.occupation(c, lang),
        _("Workers protected by occupation"),
        labels.WORKERS_COLOUR,
    ),
    (
        "gender",
        lambda c: labels.gender(c, lang),
        _("Workers protected by gender"),
        labels.NEUTRAL_COLOUR,
    ),
    ("age_band", str, _("Workers protected by age band"), labels.NEUTRAL_COLOUR),
)


def breakdown_chart(by: str, label, title: str, colour: str) -> go.Figure:
    frame = published(by, label)
    frame = frame[~frame["suppressed"]].astype({"workers": "int64"})
    order = vocabulary.AGE_BAND_ORDER if by == "age_band" else None
    return charts.ranked_bars(frame, "label", title, colour, lang, order=order)


for place, (by, label, title, colour) in zip(st.columns(3), breakdowns, strict=True):
    shell.chart(
        shell.built(
            f"overview.{by}",
            shell.PUBLIC,
            view,
            lambda by=by, label=label, title=title, colour=colour: breakdown_chart(
                by, label, title, colour
            ),
        ),
        key=by,
        place=place,
    )

# ── Continuation: did the stimulus work? ───────────────────────────────────────────────────
st.subheader(_("Did workers go on paying themselves?"), anchor=False)
st.write(shell.plain(continuation_sentence(totals, lang, donor=False)))
st.caption(
    _(
        "Many donors pay a few months as a stimulus, after which BPJS Ketenagakerjaan urges "
        "workers to continue on their own. A worker counts as continued when they paid their "
        "own contributions in the three months after their last month protected by donations; "
        "only workers whose protection ended at least three months ago are counted."
    )
)


def continuation_table(by: str) -> tuple[pd.DataFrame, int]:
    """One breakdown of continuation as shown, and how many of its groups are withheld."""
    frame = shell.query(open_data.continuation, by, k, release=release.id)
    shown = frame[~frame["suppressed"]].astype(
        {"ended_workers": "int64", "continued_workers": "int64"}
    )
    rate = (shown["continued_workers"] / shown["ended_workers"]).map(lambda r: percent(r, lang))
    return pd.DataFrame(
        {
            by: shown[by],
            "continuation_rate": rate,
            "continued_workers": shown["continued_workers"].map(lambda n: number(n, lang)),
            "ended_workers": shown["ended_workers"].map(lambda n: number(n, lang)),
        }
    ), int(frame["suppressed"].sum())


def continuation_by_type() -> tuple[pa.Table, int, str | None]:
    """The table by donor type, how many types are withheld, and its takeaway: the
    programme's rate beside the types' and why theirs run lower."""
    by_type, withheld_types = continuation_table("donor_type")
    by_type["donor_type"] = by_type["donor_type"].map(lambda code: labels.donor_type(code, lang))
    published = shell.query(open_data.continuation, "donor_type", k, release=release.id)
    published = published[~published["suppressed"]]
    rates = [
        Fraction(int(continued), int(ended))
        for continued, ended in zip(
            published["continued_workers"], published["ended_workers"], strict=True
        )
        if int(ended)
    ]
    programme = (
        Fraction(totals.continued_workers, totals.ended_workers)
        if totals.ended_workers and totals.continued_workers is not None
        else None
    )
    takeaway = continuation_by_type_takeaway(programme, rates, lang)
    return controls.arrow(by_type), withheld_types, takeaway


def continuation_by_stimulus() -> tuple[pa.Table, int]:
    by_stimulus, withheld_bands = continuation_table("stimulus")
    return controls.arrow(by_stimulus), withheld_bands


left, right = st.columns(2)
by_type, withheld_types, type_takeaway = shell.built(
    "overview.continuation-type", shell.PUBLIC, view, continuation_by_type
)
with left:
    st.markdown("**" + _("By donor type") + "**")
    if type_takeaway:  # where the eye is, not in the small print under the table
        st.markdown("**" + shell.plain(type_takeaway) + "**")
    controls.table(by_type, lang)
    st.caption(
        _(
            "Each type counts the workers its donations protected, as a donor's own page "
            "does: a worker protected by two types counts in both, and one whose protection "
            "was taken over by another donor counts as ended, not continued. The rows "
            "therefore do not add up to the programme's figure. Types withheld (fewer than "
            "{k} workers who ended, continued or did not, or to keep such a type from being "
            "worked out): {groups}."
        ).format(groups=withheld_types, k=k)
    )
with right:
    st.markdown("**" + _("By months of stimulus") + "**")
    by_stimulus, withheld_bands = shell.built(
        "overview.continuation-stimulus",
        shell.PUBLIC,
        view,
        continuation_by_stimulus,
    )
    controls.table(by_stimulus, lang)
    st.caption(
        _(
            "Months of stimulus: the months donations paid for the worker in all. Groups "
            "withheld (fewer than {k} workers who ended, continued or did not, or to keep "
            "such a group from being worked out): {groups}."
        ).format(groups=withheld_bands, k=k)
    )

# ── Claims ─────────────────────────────────────────────────────────────────────────────────
st.subheader(_("Claims paid by program"), anchor=False)
# By year of the incident: the public tables are yearly (dashboard/publish/open_data.py).


def claims_shown() -> tuple[go.Figure | None, pa.Table, int]:
    """Benefits by year (None when every cell is withheld), all time by program as shown,
    and how many year-program cells are withheld."""
    claims = shell.query(open_data.paid_claims, k, release=release.id)
    visible = claims[~claims["suppressed"]]
    claims_chart = None
    if not visible.empty:
        claims_chart = charts.benefits_by_year(
            visible,
            (int(claims["year"].min()), int(claims["year"].max())),
            _("Benefits paid by year of the incident (rupiah)"),
            lang,
        )
    # All time per program: larger cells, so a program too rare to show by year shows here.
    by_program = shell.query(open_data.claims_by_program, k, release=release.id)
    table = pd.DataFrame(
        {
            _("Program"): by_program["program"].map(lambda p: labels.program(p, lang)),
            _("Claims paid"): by_program["claims"].map(
                lambda n: f"< {k}" if pd.isna(n) else number(int(n), lang)
            ),
            _("Benefits paid"): by_program["amount_idr"].map(
                lambda n: _("withheld") if pd.isna(n) else rupiah(int(n), lang)
            ),
        }
    )
    return claims_chart, controls.arrow(table), int(claims["suppressed"].sum())


claims_chart, by_program, withheld_cells = shell.built(
    "overview.claims", shell.PUBLIC, view, claims_shown
)
if claims_chart is None:
    st.info(
        _(
            "Too few paid claims to publish them by period without identifying anyone (each "
            "period and program needs at least {k}). The totals above include them."
        ).format(k=k)
    )
else:
    shell.chart(claims_chart, key="claims")
st.markdown("**" + _("All time, by program") + "**")
controls.table(by_program, lang)
st.caption(
    _(
        "{cells} year-program cells are not shown (fewer than {k} claims, or withheld so that "
        "such a cell cannot be worked out from the totals). Only JKK (work accident) and "
        "JKM (death) claims that happened in a month protected by donations are counted, as in the "
        "totals above; JHT payouts are the workers' own old-age savings and are not shown."
    ).format(cells=number(withheld_cells, lang), k=k)
)
