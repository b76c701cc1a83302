"""CPU of one page run in the server process: the overview and the largest donor's page.

    python bench/page_runs.py --db sqlite:////tmp/demo50k.db [--runs 5]

Each page is run through Streamlit's AppTest (the script as the server runs it, without a
browser or a websocket): once to fill the caches kept per ledger version, then ``--runs``
times, each in a new AppTest session, measuring the process CPU time of the run (script,
queries answered from the caches, figures, and the messages Streamlit builds for the
browser). Prints the median and the fastest. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "web" / "app.py")


def page_run(page: str, query: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"../../pages/{page}.py")
    for key, value in query.items():
        at.query_params[key] = value
    began = time.process_time()
    at.run()
    spent = time.process_time() - began
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].message}")
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["LINGKARAN_DATABASE_URL"] = args.db
    os.environ["LINGKARAN_MODE"] = "demo"  # any donor's page without a login

    from dashboard.accounts.access import OPERATOR
    from dashboard.ledger.db import open_ledger
    from queries import donor

    largest = donor.donors(open_ledger(args.db, create=False), OPERATOR).iloc[0]["donor_id"]
    for page, query in (("overview", {}), ("donor_impact", {"donor": largest})):
        page_run(page, query)  # fills the caches kept per ledger version
        runs = [page_run(page, query) * 1000 for _ in range(args.runs)]
        print(
            f"{page:<13} CPU per run: median {statistics.median(runs):.0f} ms, "
            f"fastest {min(runs):.0f} ms"
        )


if __name__ == "__main__":
    main()
