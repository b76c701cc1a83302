"""Donation impact: what one donor's money became, over a chosen period
(docs/contract.md "Figures")."""

import datetime as dt
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import streamlit as st

from dashboard.core import labels, vocabulary
from dashboard.core.formatting import (
    date_text,
    number,
    percent,
    ratio,
    rupiah,
    usd,
)
from dashboard.core.i18n import translator
from dashboard.exports.presentation import HEADLINE, period_text
from dashboard.exports.sentences import (
    claims_sentences,
    lapse_sentences,
    outlook_sentence,
    v2_sentences,
)
from dashboard.exports.statement import restated_statements
from dashboard.publish.privacy import suppression_k
from dashboard.web import charts, controls, documents, shell
from queries import donor

lang = shell.language()
ACTIVE = next(h for h in HEADLINE if h.key == "active_workers")
_ = translator(lang)

st.title(_("Donation impact"))
st.caption(
    _(
        "What your donation became: vulnerable workers protected by BPJS Ketenagakerjaan, "
        "months of protection, and the claims paid to them and their families."
    )
)

access = shell.require_member()
donor_id = controls.donor_picker(access)
if donor_id is None:
    st.stop()
info = shell.query(donor.donor_info, access, donor_id)


if access.donor_ids is not None:  # admins have no donor of their own and get no digest
    controls.digest_choice(access, lang)
period, as_of = controls.period_picker(info.fiscal_year_start)

# ── Headline ───────────────────────────────────────────────────────────────────────────────
head = shell.query(donor.headline, access, donor_id, period, as_of)
f = head.figures
st.subheader(f"{shell.plain(info.name)} · {labels.donor_type(info.type, lang)}", anchor=False)
st.caption(
    _(
        "Donations received {period}; every figure as of {date}: what was received, paid "
        "and confirmed by then."
    ).format(period=period_text(period, lang), date=date_text(as_of, lang, "long"))
)
# Whose protection from this donor ends soon: all their donations, whatever the period.
today = dt.date.today()
ending = shell.built(  # kept like the figures below: a run reads no answer and formats nothing
    "donor.lapses",
    access,
    (donor_id, today),
    lambda: lapse_sentences(shell.query(donor.lapses, access, donor_id, today), lang),
)
if ending:
    st.warning(" ".join(ending), icon=":material/hourglass_bottom:")
# Issued statements whose day later data restated (docs/contract.md "As of"): the donor is
# told. Kept per ledger version: only a write can restate one.
restated = shell.built(
    "donor.restated",
    access,
    (donor_id,),
    lambda: [
        _(
            "Your {document} as of {date} (code {code}) has been restated by data that arrived "
            "later: it still verifies with the figures it stated, and the Verify page shows "
            "the ledger's figures now."
        ).format(
            document=_("impact statement") if r.document == "statement" else _("report pack"),
            date=date_text(r.as_of, lang),
            code=r.code,
        )
        for r in restated_statements(shell.ledger(), access, donor_id)
    ],
)
for line in restated:
    st.warning(line, icon=":material/history:")
if f.donated_idr == 0:
    st.info(_("This donor made no donation in the chosen period."))
    st.stop()

usd_rate = st.number_input(
    _("Show US dollars too, at a rate you enter (rupiah per USD; 0 = no)"),
    min_value=0,
    max_value=1_000_000,
    value=0,
    step=100,
    key="usd-rate",
    help=_("The rate is never fetched: enter the one your report uses."),
)


def money(amount: int) -> str:
    shown = rupiah(amount, lang)
    return f"{shown} ≈ {usd(amount, usd_rate, lang)}" if usd_rate else shown


def dollars(column, amount: int) -> None:
    """US dollars under a figure, on a line of their own: beside the rupiah in the figure
    they made it too wide to read whole (cut off with "…" at 1,440 px)."""
    if usd_rate:
        column.caption(f"≈ {usd(amount, usd_rate, lang)}")


row = st.columns(3)
row[0].metric(_("Donated"), rupiah(f.donated_idr, lang))
dollars(row[0], f.donated_idr)
row[1].metric(
    _("Allocated to contributions"),
    rupiah(f.allocated_idr, lang),
    delta=_("{share} of donated").format(share=percent(head.allocated_share, lang, down=True)),
    delta_color="off",
    delta_arrow="off",
)
dollars(row[1], f.allocated_idr)
row[2].metric(_("Unspent balance"), rupiah(f.balance_idr, lang))
dollars(row[2], f.balance_idr)
row = st.columns(3)
row[0].metric(_("Workers protected"), number(f.covered_workers, lang))
row[1].metric(_("Protected worker-months"), number(f.protected_months, lang))
row[2].metric(
    ACTIVE.named(f, lang),
    number(f.active_workers, lang),
    help=_("Protected in the month of the date above."),
)
# What a page run draws is kept per ledger version, language, viewer and this view
# (shell.built): a run that finds it reads no query's answer and builds nothing again.
view = (donor_id, period, as_of)


def monthly() -> pd.DataFrame:
    """The donor's months (workers protected, donated, allocated) in the period."""
    return shell.query(donor.monthly, access, donor_id, period)


outlook = shell.built(
    "donor.outlook", access, view, lambda: outlook_sentence(monthly(), f.as_of, lang)
)
if outlook:
    st.caption(outlook)
row = st.columns(3)
row[0].metric(_("Claims paid"), number(f.claims_paid_count, lang))
row[1].metric(_("Benefits paid"), rupiah(f.claims_paid_idr, lang))
dollars(row[1], f.claims_paid_idr)
row = st.columns(3)
row[0].metric(
    _("Cost per protected worker-month"),
    rupiah(head.cost_per_worker_month, lang) if head.cost_per_worker_month else "–",
    help=_("Allocated divided by protected worker-months."),
)
row[1].metric(
    _("Benefits per rupiah allocated"),
    ratio(head.claims_per_rupiah, lang) if head.claims_per_rupiah is not None else "–",
    help=_("Benefits paid for every rupiah of contributions allocated."),
)

# ── Confirmed, continued, saved (contract v2) ───────────────────────────────────────────────
row = st.columns(3)
row[0].metric(
    _("Confirmed by BPJS Ketenagakerjaan"),
    rupiah(f.confirmed_idr, lang),
    delta=_("{share} of allocated").format(share=percent(head.confirmed_share, lang))
    if head.confirmed_share is not None
    else None,
    delta_color="off",
    delta_arrow="off",
    help=_("Contributions BPJS Ketenagakerjaan confirmed it received, row by row."),
)
dollars(row[0], f.confirmed_idr)
row[1].metric(
    _("Went on paying themselves"),
    percent(head.continuation_rate, lang) if head.continuation_rate is not None else "–",
    help=_(
        "Workers whose protection from this donor ended at least three months ago and who "
        "paid their own BPJS Ketenagakerjaan contributions within those three months."
    ),
)
if f.jht_saved_idr:
    row[2].metric(
        _("Old-age savings (JHT)"),
        rupiah(f.jht_saved_idr, lang),
        help=_("Put into the workers' own JHT accounts by donations with the JHT package."),
    )
    dollars(row[2], f.jht_saved_idr)
for line in v2_sentences(f, lang):
    st.caption(shell.plain(line))

documents.downloads(access, donor_id, info.fiscal_year_start, period, as_of, f, lang)
if f.allocated_idr == 0:
    st.info(
        _(
            "This money is not allocated yet: contributions are paid from the month after a "
            "donation is received, when `lingkaran allocate` runs."
        )
    )


# ── Money to protection ────────────────────────────────────────────────────────────────────
def donations() -> pd.DataFrame:
    """The donations received in the period, each with what it became."""
    return shell.query(donor.donations, access, donor_id, period, as_of)


def flow_chart():
    trail = donations()
    balances = trail.groupby(pd.to_datetime(trail["received_on"]).dt.year)["balance_idr"].sum()
    return charts.flow_sankey(
        shell.query(donor.flow, access, donor_id, period, as_of),
        balances.to_dict(),
        _("From donations to protection (rupiah)"),
        lang,
    )


shell.chart(shell.built("donor.flow", access, view, flow_chart), key="flow")
st.caption(
    _(
        "Bands are the rupiah donated, by where they went. A claim's band is the coverage in "
        "which a paid claim fell, not the benefit: the benefits paid were {benefits} (above)."
    ).format(benefits=money(f.claims_paid_idr))
)

# ── Over time ──────────────────────────────────────────────────────────────────────────────
left, right = st.columns(2)
shell.chart(
    shell.built(
        "donor.over-time",
        access,
        view,
        lambda: charts.protection_over_time(
            monthly(), _("Workers protected each month, and donations received"), lang, f.as_of
        ),
    ),
    key="over-time",
    place=left,
)
shell.chart(
    shell.built(
        "donor.cumulative",
        access,
        view,
        lambda: charts.cumulative_money(
            monthly(), _("Donated and allocated, cumulative (rupiah)"), lang
        ),
    ),
    key="cumulative",
    place=right,
)

# ── Who was protected ──────────────────────────────────────────────────────────────────────
st.subheader(_("Who was protected"), anchor=False)
names = {
    "province": labels.province,
    "occupation": lambda code: labels.occupation(code, lang),
    "gender": lambda code: labels.gender(code, lang),
    "age_band": str,
}


def who_was_protected() -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pa.Table]:
    """Each breakdown with its groups named; the table of all four, as figures and as shown."""
    profile = shell.query(donor.profile, access, donor_id, period, as_of)
    by = {}
    for dimension in donor.BREAKDOWNS:
        by[dimension] = donor.breakdown(profile, dimension)
        by[dimension]["group"] = by[dimension][dimension].map(names[dimension])
    table = pd.concat(
        [
            by[dimension][["group", "workers", "protected_months", "allocated_idr"]].assign(
                by=labels.column(dimension, lang)
            )
            for dimension in donor.BREAKDOWNS
        ]
    )[["by", "group", "workers", "protected_months", "allocated_idr"]]
    shown = table.assign(
        workers=table["workers"].map(lambda n: number(n, lang)),
        protected_months=table["protected_months"].map(lambda n: number(n, lang)),
        allocated_idr=table["allocated_idr"].map(lambda n: rupiah(n, lang)),
    )
    return by, table, controls.arrow(shown)


by, who_table, who_shown = shell.built("donor.who", access, view, who_was_protected)
shell.chart(
    shell.built(
        "donor.province-map",
        access,
        view,
        lambda: charts.province_map(by["province"], _("Workers protected by province"), lang),
    ),
    key="province-map",
)
if box := controls.opened(_("The provinces as a ranked list"), "province-list"):
    with box:
        shell.chart(
            shell.built(
                "donor.province",
                access,
                view,
                lambda: charts.ranked_bars(
                    by["province"],
                    "group",
                    _("Workers protected by province"),
                    labels.MONEY_COLOUR,
                    lang,
                ),
            ),
            key="province",
        )
breakdowns = (
    ("occupation", _("Workers protected by occupation"), labels.WORKERS_COLOUR),
    ("gender", _("Workers protected by gender"), labels.NEUTRAL_COLOUR),
    ("age_band", _("Workers protected by age band"), labels.NEUTRAL_COLOUR),
)
for place, (dimension, title, colour) in zip(st.columns(3), breakdowns, strict=True):
    order = vocabulary.AGE_BAND_ORDER if dimension == "age_band" else None
    shell.chart(
        shell.built(
            f"donor.{dimension}",
            access,
            view,
            lambda frame=by[dimension], title=title, colour=colour, order=order: charts.ranked_bars(
                frame, "group", title, colour, lang, order=order
            ),
        ),
        key=dimension,
        place=place,
    )
if box := controls.opened(_("Table: who was protected"), "who-table"):
    with box:
        controls.table(who_shown, lang)
        controls.downloads(who_table, f"protected-{donor_id}")

# ── Claims made possible ───────────────────────────────────────────────────────────────────
st.subheader(_("Claims this donation made possible"), anchor=False)


def claims_made_possible() -> tuple[pd.DataFrame, pd.DataFrame, pa.Table, object]:
    """The donor's paid claims: as queried, as listed (figures; shown) and as a chart."""
    claims = shell.query(donor.claims, access, donor_id, period, as_of)
    listed = pd.DataFrame(
        {
            "program": claims["program"].map(lambda code: labels.program(code, lang)),
            "incident_month": claims["incident_month"].map(lambda d: d.strftime("%Y-%m")),
            "province": claims["province"].map(labels.province),
            "occupation": claims["occupation"].map(names["occupation"]),
            "age_band": claims["age_band"],
            "amount_idr": claims["amount_idr"],
        }
    )
    shown = controls.arrow(
        listed.assign(amount_idr=listed["amount_idr"].map(lambda n: rupiah(n, lang)))
    )
    chart = (
        None
        if claims.empty
        else charts.claims_by_program(claims, _("Benefits paid by quarter (rupiah)"), lang)
    )
    return claims, listed, shown, chart


def claim_sentences() -> str:
    """The claims as sentences to publish, one per year, as one Markdown list: one element
    on the page, not one per year (every element is a message to the browser on every run)."""
    lines = claims_sentences(claims, suppression_k(), lang)
    return "\n".join(f"- {shell.plain(line)}" for line in lines)


claims, claims_listed, claims_shown, claims_chart = shell.built(
    "donor.claims", access, view, claims_made_possible
)
if claims.empty:
    st.info(_("No paid claim yet within the protection this donation funded."))
else:
    shell.chart(claims_chart, key="claims-chart")
    controls.table(claims_shown, lang)
    controls.downloads(claims_listed, f"claims-{donor_id}")
    if box := controls.opened(_("Sentences for your sustainability report"), "claim-sentences"):
        with box:
            st.markdown(shell.built("donor.claim-sentences", access, view, claim_sentences))
            st.caption(
                _(
                    "Made to be published, these sentences single out nobody: no month, "
                    "occupation, age or province of a claimant, and the benefits of fewer "
                    "than {k} claims rounded. The table above lists each claim exactly, "
                    "for you."
                ).format(k=suppression_k())
            )

# ── Donation trail ─────────────────────────────────────────────────────────────────────────
st.subheader(_("Donation trail"), anchor=False)


class Trail(NamedTuple):
    """The donation trail as figures (for the downloads), as shown, and what the page says
    of it."""

    figures: pd.DataFrame
    shown: pa.Table
    listed_workers: int  # the workers column's sum: a worker counts once per donation
    unconfirmed_rows: int
    donation_ids: list[str]


def trail_tables() -> Trail:
    trail = donations()
    figures = trail[
        [
            "donation_id",
            "received_on",
            "amount_idr",
            "allocated_idr",
            "balance_idr",
            "workers",
            "protected_months",
            "package",
            "confirmed_idr",
            "unconfirmed_rows",
        ]
    ]
    shown = figures.assign(
        received_on=figures["received_on"].map(lambda d: date_text(d, lang)),
        amount_idr=figures["amount_idr"].map(lambda n: rupiah(n, lang)),
        allocated_idr=figures["allocated_idr"].map(lambda n: rupiah(n, lang)),
        balance_idr=figures["balance_idr"].map(lambda n: rupiah(n, lang)),
        workers=figures["workers"].map(lambda n: number(n, lang)),
        protected_months=figures["protected_months"].map(lambda n: number(n, lang)),
        package=figures["package"].map(lambda code: labels.package(code, lang)),
        confirmed_idr=figures["confirmed_idr"].map(lambda n: rupiah(n, lang)),
        unconfirmed_rows=figures["unconfirmed_rows"].map(lambda n: number(n, lang)),
    )
    return Trail(
        figures,
        controls.arrow(shown),
        int(trail["workers"].sum()),
        int(trail["unconfirmed_rows"].sum()),
        list(trail["donation_id"]),
    )


trail = shell.built("donor.trail", access, view, trail_tables)
controls.table(trail.shown, lang)
listed = trail.listed_workers
if listed != f.covered_workers:  # the column is per donation; the headline counts people
    st.caption(
        _(
            "The workers column adds up to {listed}: a worker protected by more than one of "
            "these donations counts once for each. {distinct} different workers were "
            "protected, the figure at the top of the page."
        ).format(listed=number(listed, lang), distinct=number(f.covered_workers, lang))
    )
controls.downloads(trail.figures, f"donations-{donor_id}")
waiting = trail.unconfirmed_rows


def unconfirmed() -> tuple[pd.DataFrame, pa.Table]:
    """The oldest coverage rows awaiting confirmation: as figures and as shown."""
    rows = shell.query(donor.unconfirmed, access, donor_id, period, as_of)
    shown = rows.assign(amount_idr=rows["amount_idr"].map(lambda n: rupiah(n, lang)))
    return rows, controls.arrow(shown)


if waiting:
    if box := controls.opened(
        _("{rows} coverage rows not yet confirmed by BPJS Ketenagakerjaan").format(
            rows=number(waiting, lang)
        ),
        "unconfirmed",
    ):
        with box:
            pending, pending_shown = shell.built("donor.unconfirmed", access, view, unconfirmed)
            if len(pending) < waiting:
                st.caption(
                    _(
                        "The oldest {shown} are listed; the download of each donation has all."
                    ).format(shown=number(len(pending), lang))
                )
            controls.table(pending_shown, lang)
            controls.downloads(pending, f"unconfirmed-{donor_id}")
chosen = st.selectbox(
    _("Show the coverage rows of a donation"),
    trail.donation_ids,
    index=None,
    placeholder=_("Pick a donation…"),
    key="donation",
)
if chosen:
    rows = shell.query(donor.donation_coverage, access, donor_id, chosen)
    coverage = rows.assign(
        province=rows["province"].map(labels.province),
        occupation=rows["occupation"].map(names["occupation"]),
    )
    st.caption(
        _("{rows} coverage rows funded by donation {donation} (pseudonymous worker ids).").format(
            rows=number(len(coverage), lang), donation=chosen
        )
    )
    controls.table(
        coverage.assign(
            amount_idr=coverage["amount_idr"].map(lambda n: rupiah(n, lang)),
            confirmed_on=coverage["confirmed_on"].map(
                lambda d: date_text(d, lang) if pd.notna(d) else _("not yet")
            ),
        ),
        lang,
    )
    controls.downloads(coverage, f"coverage-{chosen}")
