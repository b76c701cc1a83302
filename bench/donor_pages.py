"""Time the donor pages' queries for the largest donor (uncached, median of 5 runs).

    python bench/donor_pages.py --db sqlite:////path/to/demo.db

Default: the `lingkaran demo` database (built first if missing, 50,000 workers). Figures go
into the README by hand; nothing here is asserted. Goal (issue "Donor impact pages"): each
page's queries together under 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time

from dashboard.accounts.access import OPERATOR
from dashboard.core import config
from dashboard.ledger.db import open_ledger
from dashboard.ledger.demo import has_programme, seed_programme
from queries import donor
from queries.figures import Period


def timed(function, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    url = args.db or config.demo_database_url()
    engine = open_ledger(url)
    if not has_programme(engine):
        seed_programme(engine, workers=50_000)
    access = OPERATOR
    largest = donor.donors(engine, access).iloc[0]["donor_id"]
    today = dt.date.today()
    last_year = Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    first = donor.donations(engine, access, largest).iloc[0]["donation_id"]
    impact = {
        "headline": lambda p: donor.headline(engine, access, largest, p, today),
        "flow": lambda p: donor.flow(engine, access, largest, p),
        "monthly": lambda p: donor.monthly(engine, access, largest, p),
        "profile": lambda p: donor.profile(engine, access, largest, p, today),
        "claims": lambda p: donor.claims(engine, access, largest, p, today),
        "donations": lambda p: donor.donations(engine, access, largest, p),
        "unconfirmed": lambda p: donor.unconfirmed(engine, access, largest, p),
    }
    gc.freeze()  # as the serving process does after its imports (dashboard/web/server.py)
    print(f"database: {url}; largest donor: {largest}")
    for name, period in (("all time", Period()), (f"{today.year - 1}", last_year)):
        total = 0.0
        for query, run in impact.items():
            ms = timed(lambda run=run, period=period: run(period))
            total += ms
            print(f"  [{name}] {query:<10} {ms:7.1f} ms")
        print(f"  [{name}] impact page queries in total: {total:.0f} ms")
    expand = timed(lambda: donor.donation_coverage(engine, access, largest, first))
    print(f"  donation_coverage({first}): {expand:.1f} ms")
    this_year = Period(dt.date(today.year, 1, 1), today)

    def compare_page() -> None:
        for period in (this_year, last_year):
            donor.headline(engine, access, largest, period, today)
            donor.monthly(engine, access, largest, period)

    compare = timed(compare_page)
    print(f"  compare page queries in total: {compare:.0f} ms")


if __name__ == "__main__":
    main()
