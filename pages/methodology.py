"""Methodology: how every published figure is computed, and what the numbers cannot say."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.core.catalogue import FIGURES
from dashboard.core.formatting import date_text, rupiah
from dashboard.core.i18n import translator
from dashboard.publish.privacy import suppression_k
from dashboard.web import corrections, shell
from queries import public

lang = shell.language()
_ = translator(lang)
st.title(_("Methodology"))
st.caption(
    _(
        "Every figure in Lingkaran is computed from one allocation ledger, with the "
        "definitions of the Lingkaran data contract (version 3)."
    )
)

st.header(_("The figures"), anchor=False)
DEFINITIONS = {
    **{_(figure.label): _(figure.definition) for figure in FIGURES},
    _("Protection ending soon (donor page, monthly digest)"): _(
        "The workers whose protection from a donor ends in the next 60 days, by month: a "
        "worker's protection ends on the last day of the last month any of that donor's "
        "coverage rows gives them. The cost shown beside it is one more block like the "
        "donor's latest donation (its months and package) for each of them at the rates in "
        "force today: a figure, not a promise, since allocation decides who is served."
    ),
    _("Donors"): _("Donors with at least one donation."),
}
st.markdown("\n".join(f"- **{name}**: {meaning}" for name, meaning in DEFINITIONS.items()))
st.markdown(
    _(
        "Every figure is as of a date, at the end of that day: only the donations received, the "
        "claims paid and the confirmations made by then count. Months bought for after it are "
        "paid ahead, not history. Unless a date is chosen, it is the end of the chosen period "
        "if that has passed, else today."
    )
)

st.header(_("Allocation rules"), anchor=False)
RULES = (
    _("Donations are taken in order of the date received, then the donation id."),
    _(
        "Each donation funds blocks of `months_per_worker` consecutive months starting with "
        "the month after it was received (S). A block costs the sum of the monthly rate in "
        "force in each of its months, plus the JHT rate in force for a donation with the "
        "JKK + JKM + JHT package."
    ),
    _(
        "Eligible workers were registered before the first day of S, match the donation's "
        "earmarks (province, occupation) and have no coverage and no month they paid "
        "themselves in any month of the block; they are served in order of registration, "
        "then worker id."
    ),
    _(
        "While the unspent money covers a block and an eligible worker remains, one coverage "
        "row is written. What is left is the balance; it is never split into partial blocks."
    ),
    _("Allocation is deterministic and append-only: running it again changes nothing."),
)
st.markdown("\n".join(f"{i}. {rule}" for i, rule in enumerate(RULES, start=1)))

st.header(_("Contribution rates in force"), anchor=False)
rates = shell.query(public.rate_schedule)
st.dataframe(
    pd.DataFrame(
        {
            _("In force from"): rates["effective_from"],
            _("Contribution per worker per month"): rates["monthly_idr"].map(
                lambda n: rupiah(n, lang)
            ),
            _("JHT contribution per worker per month (JHT package)"): rates["jht_monthly_idr"].map(
                lambda n: rupiah(n, lang)
            ),
        }
    ),
    hide_index=True,
)
st.caption(
    _(
        "The JKK + JKM package: JKK is 1% of the Rp 1,000,000 minimum reported income "
        "(Rp 10,000), plus JKM Rp 6,800. JHT adds 2% of the same income (Rp 20,000)."
    )
)

st.header(_("Data freshness"), anchor=False)
when = shell.query(public.freshness)


def moment(value: dt.datetime | None) -> str:
    if value is None:
        return _("never")
    return f"{date_text(value.date(), lang, 'long')} {value:%H:%M} UTC"


# The labels stay out of f-strings: pybabel does not see a _() call inside one.
last_import, last_allocation = _("Last import"), _("Last allocation")
st.markdown(
    f"- {last_import}: **{moment(when['last_import'])}**\n"
    f"- {last_allocation}: **{moment(when['last_allocation'])}**"
)

k = suppression_k()
st.header(_("Privacy and small-cell suppression"), anchor=False)
PRIVACY = (
    _("The ledger holds pseudonymous workers only: no names, national ids or phone numbers."),
    _(
        "Public pages, downloads and the API publish a fixed set of tables and nothing finer: "
        "the programme's totals; workers, worker-months and rupiah by the year the coverage "
        "started, province, occupation, gender, age band and donor type, each alone and each "
        "pair (21 tables); workers protected each month; paid claims by year and program; "
        "continuation by donor type and by months of stimulus."
    ),
    _(
        "Any cell counting fewer than **{k}** workers (or claims) is withheld (“< {k}”) with "
        "its figures, and so is a continuation group with fewer than {k} workers who "
        "continued or who did not."
    ).format(k=k),
    _(
        "Method: cell suppression with an audit, over all those tables at once. Every relation "
        "a reader can use is written down: a table is the sum of the finer table; a count of "
        "distinct workers lies between its largest part and the sum of its parts; a listed "
        "cell counts at least one; a cell's worker-months are at least its workers, and its "
        "rupiah lie between its worker-months at the lowest and the highest monthly price. "
        "Linear programming then finds, for every withheld figure, the smallest and largest "
        "value consistent with everything published. Where the two meet, a published cell of "
        "a relation that pins it is withheld too, and the audit runs again until no withheld "
        "figure can be worked out."
    ),
    _(
        "A test proves it on a demo programme: an attacker written separately, holding every "
        "public answer at once, cannot work out any withheld figure, while the same attacker "
        "does when the audit is switched off."
    ),
    _(
        "Every public figure comes from a release: the programme as of the end of a month, "
        "stored and never changed (see Releases). Comparing releases is what would make "
        "small changes visible, so every figure below the headline carries a small offset: "
        "the sum of two whole numbers of steps between -{half} and {half}, one fixed by the "
        "workers, coverage or claims behind the figure (the same in every release while they "
        "stay the same, so averaging releases does not remove it), one drawn afresh for each "
        "release (so which figures changed says nothing about where a new worker is). A step "
        "is one worker or claim, three worker-months, Rp 50,400 of contributions or Rp "
        "5,000,000 of benefits. A figure is never more than {steps} steps from the truth and "
        "usually within one or two; parts need not add up to their totals. The headline "
        "figures are exact."
    ).format(half=(k + 1) // 2, steps=2 * ((k + 1) // 2)),
    _(
        "A second test attacks a series of releases: month ends across a new year, then one "
        "new donation between two releases, subtracted from each other and solved together "
        "in one linear program. It pins no withheld figure and no change of "
        "a few workers, and cannot tell in which province the new worker lives; the same "
        "releases published without offsets give changes away, and the province."
    ),
    _(
        "Anonymous donors' gifts are shown by month only once at least three different "
        "anonymous donors of the same type have given in the months pooled."
    ),
    _(
        "What this does not promise: a withheld figure may still be known to lie in a range "
        "(between 1 and 9, say); and someone who already knows a worker from outside the "
        "programme knows more than any table shows."
    ),
    _("Individual donors are anonymous unless they chose to be named."),
    _(
        "Sentences made to be published (the donor page's sentences for a sustainability "
        "report, the impact statement) single out nobody: claims are told by year, without "
        "the month, occupation, age or province of a claimant, and a year with fewer than "
        "{k} claims gives their benefits rounded to the nearest Rp 1,000,000."
    ).format(k=k),
)
st.markdown("\n".join(f"- {line}" for line in PRIVACY))

st.header(_("Limitations"), anchor=False)
LIMITS = (
    _(
        "The figures reflect what the ledger holds: claims not yet imported, or coverage bought "
        "outside the programme and not imported, are not visible."
    ),
    _("Age is computed from the birth year in the release's year; age bands shift every year."),
    _(
        "Province and occupation are the last values imported for a worker, not the values "
        "when the coverage was bought."
    ),
    _(
        "Claims outside any protected month, and every JHT payout (the worker's own savings), "
        "are neither counted nor shown: no figure presents them as made possible by donations."
    ),
    _(
        "A worker whose protection another donor took over counts as ended for the first "
        "donor, not as continued: only months the worker paid themselves count as continuing."
    ),
)
st.markdown("\n".join(f"- {line}" for line in LIMITS))

st.header(_("Corrections"), anchor=False)
st.write(
    _(
        'Anyone can say that something here is wrong with "Report a problem" in the sidebar of '
        "every public page. The team reads each report, and fixes appear in the next release."
    )
)
# The count is the channel's own state, not a release's figure: it is read as it stands.
st.markdown(corrections.open_reports_line(shell.ledger(), lang))
