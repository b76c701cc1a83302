"""The catalogue of the contract's figures (docs/contract.md "Figures"), written once.

Each figure's key, unit, label and definition in the catalogs' language, and the facts
that decide where it appears. What is built from it: ``queries.figures.LedgerFigures`` has
exactly these fields (``tests/core/test_catalogue.py``), ``queries.checks`` sums the
additive ones over donors, the open data's JSON Schema types them, the headline numbers
of every page, deck and statement are the headline ones in this order, a statement signed
before contract v2 verifies without the v2 ones, the methodology page defines each, and
the report pack names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.core.labels import N_

MONEY = "money"  # whole rupiah
COUNT = "count"  # workers or claims: a public count under k is withheld (null)
MONTHS = "months"  # worker-months


@dataclass(frozen=True)
class Figure:
    key: str
    unit: str
    label: str  # marked with N_(), translated where it is shown
    definition: str  # how it is computed, in words a donor can check
    additive: bool  # the programme's figure is the sum of every donor's
    headline: bool = False  # one of the headline numbers, shown in this order
    since: int = 1  # the contract version that added it

    @property
    def money(self) -> bool:
        return self.unit == MONEY


FIGURES: tuple[Figure, ...] = (
    Figure(
        "donated_idr",
        MONEY,
        N_("Donated"),
        N_("The sum of all donations, in whole rupiah."),
        additive=True,
        headline=True,
    ),
    Figure(
        "allocated_idr",
        MONEY,
        N_("Allocated to contributions"),
        N_(
            "The BPJS Ketenagakerjaan contributions paid from donations: the sum of all "
            "coverage rows."
        ),
        additive=True,
        headline=True,
    ),
    Figure(
        "balance_idr",
        MONEY,
        N_("Unspent balance"),
        N_("Donated minus allocated; never negative."),
        additive=True,
        headline=True,
    ),
    Figure(
        "covered_workers",
        COUNT,
        N_("Workers protected"),
        N_("Distinct workers with at least one coverage row."),
        additive=False,  # a worker two donors covered is one worker of the programme
        headline=True,
    ),
    Figure(
        "protected_months",
        MONTHS,
        N_("Protected worker-months"),
        N_("The sum of the months of all coverage rows."),
        additive=True,
        headline=True,
    ),
    Figure(
        "active_workers",
        COUNT,
        N_("Workers protected now"),
        N_("Distinct workers whose coverage includes the month of the reference date (today)."),
        additive=True,  # one coverage row a month: a worker is covered by one donor at a time
        headline=True,
    ),
    Figure(
        "claims_paid_count",
        COUNT,
        N_("Claims paid"),
        N_(
            "JKK (work accident) and JKM (death) claims with status paid whose incident fell "
            "in a month covered by one of that worker's coverage rows. Claims outside any "
            "coverage are attributed to no donor. JHT (old-age) payouts are the worker's own "
            "savings and are never counted as made possible by donations."
        ),
        additive=True,
        headline=True,
    ),
    Figure(
        "claims_paid_idr",
        MONEY,
        N_("Benefits paid"),
        N_("The benefits of those claims, paid to workers and their families."),
        additive=True,
        headline=True,
    ),
    Figure(
        "jht_saved_idr",
        MONEY,
        N_("Old-age savings (JHT)"),
        N_(
            "For donations with the JKK + JKM + JHT package: the JHT rate in force in each "
            "month of each coverage row, put into the worker's own JHT account."
        ),
        additive=True,
        since=2,
    ),
    Figure(
        "confirmed_idr",
        MONEY,
        N_("Confirmed by BPJS Ketenagakerjaan"),
        N_(
            "The sum of the coverage rows BPJS Ketenagakerjaan confirmed it received, each for "
            "exactly the row's amount; the rest of the allocated money awaits confirmation."
        ),
        additive=True,
        since=2,
    ),
    Figure(
        "unconfirmed_idr",
        MONEY,
        N_("Awaiting confirmation"),
        N_("Allocated minus confirmed: contributions BPJS Ketenagakerjaan has yet to confirm."),
        additive=True,
        since=2,
    ),
    Figure(
        "ended_workers",
        COUNT,
        N_("Workers whose protection ended"),
        N_(
            "Workers whose last month protected by these donations (L) lies more than three "
            "whole months before the reference month. A worker whose protection another "
            "donor took over counts as ended."
        ),
        additive=False,  # a worker's last month is the last of any donor's
        since=2,
    ),
    Figure(
        "continued_workers",
        COUNT,
        N_("Workers who continued on their own"),
        N_(
            "Of those ended workers, the ones who paid their own contributions in at least "
            "one of the months L+1 to L+3. The continuation rate is continued over ended."
        ),
        additive=False,
        since=2,
    ),
    Figure(
        "paid_ahead_months",
        MONTHS,
        N_("Paid ahead (worker-months)"),
        N_(
            "The months of these coverage rows after the month of the reference date: "
            "bought and paid for, not yet lived. They are part of the protected worker-months."
        ),
        additive=True,
        since=3,
    ),
)
BY_KEY = {figure.key: figure for figure in FIGURES}
KEYS = tuple(BY_KEY)
HEADLINE = tuple(figure for figure in FIGURES if figure.headline)
ADDITIVE = tuple(figure.key for figure in FIGURES if figure.additive)
SINCE_V2 = tuple(figure.key for figure in FIGURES if figure.since == 2)
SINCE_V3 = tuple(figure.key for figure in FIGURES if figure.since == 3)
