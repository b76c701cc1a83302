"""Lingkaran's page data side by side with two peers, on the same questions, in one run.

    pip install -e '.[bench]'
    python bench/peers.py --db sqlite:////tmp/lingkaran-2m.db \
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/lingkaran2m] [--runs 7]

The workloads are what the pages ask: the largest donor's impact page (all time and last
calendar year), the compare page (this year against last) and the overview. The peers:

- naive pandas: every table loaded into DataFrames once (the load is timed apart and then
  treated as cached, as `st.cache_data` would), each question answered with merges and
  groupbys;
- DuckDB over Parquet: the same tables written to Parquet once, each question one SQL query
  run by DuckDB.

The peers answer the core of each page: donated, allocated, worker-months, distinct workers,
paid claims (count, rupiah), the distinct workers by province, occupation and gender, the
rupiah by province, occupation and outcome, and the workers protected per month. Each
donor page is timed twice for Lingkaran: every query the page makes (the claims list, the
donation trail and the unconfirmed rows as well, which the peers do not compute), and only
the queries the peers' questions need (the same questions; its headline still computes
continuation, JHT and confirmations). The compare page asks only those. The overview reads
the latest stored release (issue 27: built once a month in the background), so it is timed
as that read, uncached; its figures are checked against the peers' from a release built
exact, once. Before timing, the peers' figures are compared with Lingkaran's and the run
stops if one differs.

Each workload runs ``--runs`` times, interleaved (Lingkaran, pandas, DuckDB, then again), on
a quiet machine; the median and the 95th percentile (the slowest run when there are fewer
than 20) are printed with the ratios. Nothing here is asserted; the README shows the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy import select

from dashboard.accounts.access import OPERATOR
from dashboard.ledger.db import open_ledger
from dashboard.ledger.derived import ATTRIBUTED_PROGRAMS
from dashboard.ledger.schema import Donor
from dashboard.publish import open_data
from dashboard.publish.privacy import suppression_k
from queries import donor
from queries.figures import Period, donor_key, ledger_figures

TABLES = {
    "workers": "SELECT id, province, occupation, gender, birth_year FROM workers",
    "donations": "SELECT id, donor_key, received_on, amount_idr FROM donations",
    "coverage": "SELECT donation_key, worker_key, start_month, months, amount_idr FROM coverage",
    "claims": "SELECT worker_key, program, incident_month, status, amount_idr FROM claims",
}
DIMENSIONS = ("province", "occupation", "gender")


# -- Lingkaran: the queries each page makes ----------------------------------------------------


def lingkaran_compare(engine, donor_id: str, periods, today: dt.date) -> list[dict]:
    """The compare page: the headline and the months of each period."""
    answers = []
    for period in periods:
        figures = donor.headline(engine, OPERATOR, donor_id, period, today).figures
        monthly = donor.monthly(engine, OPERATOR, donor_id, period)
        answers.append(
            {
                "donated": figures.donated_idr,
                "allocated": figures.allocated_idr,
                "months": figures.protected_months,
                "workers": figures.covered_workers,
                "claims": (figures.claims_paid_count, figures.claims_paid_idr),
                "monthly": per_month(monthly),
            }
        )
    return answers


def per_month(monthly: pd.DataFrame) -> dict[int, int]:
    return {
        month_index(d): int(n)
        for d, n in zip(monthly["month"], monthly["protected_workers"], strict=True)
        if n
    }


def lingkaran_donor_page(
    engine, donor_id: str, period: Period, today: dt.date, whole: bool = True
) -> dict:
    """Every query the donor page makes (``whole``), or only those the peers' questions
    need: the headline, the breakdowns, the flow and the months."""
    figures = donor.headline(engine, OPERATOR, donor_id, period, today).figures
    profile = donor.profile(engine, OPERATOR, donor_id, period, today)
    flow = donor.flow(engine, OPERATOR, donor_id, period)
    monthly = donor.monthly(engine, OPERATOR, donor_id, period)
    if whole:  # the claims list, the donation trail and the unconfirmed rows
        donor.claims(engine, OPERATOR, donor_id, period, today)
        donor.donations(engine, OPERATOR, donor_id, period)
        donor.unconfirmed(engine, OPERATOR, donor_id, period)
    by = {
        dimension: dict(zip(part["value"], part["workers"], strict=True))
        for dimension, part in profile.groupby("dimension")
        if dimension in DIMENSIONS
    }
    outcomes = flow.groupby("outcome")["allocated_idr"].sum()
    return {
        "donated": figures.donated_idr,
        "allocated": figures.allocated_idr,
        "months": figures.protected_months,
        "workers": figures.covered_workers,
        "claims": (figures.claims_paid_count, figures.claims_paid_idr),
        "by": by,
        "outcomes": {k: int(v) for k, v in outcomes.items()},
        "monthly": per_month(monthly),
    }


def lingkaran_overview(engine, today: dt.date) -> dict:
    """The overview's figures as a release computes them, exact (no perturbation) so that
    the peers can be compared with them cell by cell: the figures check only (a release at
    10,000,000 workers takes minutes to build, once a month, in the background)."""
    figures = ledger_figures(engine, None, today)
    built = open_data.build(engine, suppression_k(), today)
    by = {}
    for dimension in DIMENSIONS:
        frame = built.tables[(dimension,)]
        by[dimension] = dict(zip(frame[dimension], frame["workers"], strict=True))
    return {"workers": figures.covered_workers, "months": figures.protected_months, "by": by}


def lingkaran_overview_read(engine) -> dict:
    """What the overview page does (issue 27): ``open_data.publication``, the latest stored
    release read and unpacked, with its per-process cache emptied first, as on a process's
    first visit (later visits find it in memory)."""
    open_data._stored.cache_clear()
    published = open_data.publication(engine)
    return {dimension: published.tables[(dimension,)] for dimension in DIMENSIONS}


def month_index(day) -> int:
    day = pd.Timestamp(day)
    return day.year * 12 + day.month - 1


# -- naive pandas: every table in memory -------------------------------------------------------


def load_frames(engine) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        frames = {name: pd.read_sql_query(sql, conn) for name, sql in TABLES.items()}
    frames["donations"]["received_on"] = pd.to_datetime(frames["donations"]["received_on"])
    return frames


def in_period(days: pd.Series, period: Period) -> pd.Series:
    keep = pd.Series(True, index=days.index)
    if period.start is not None:
        keep &= days >= pd.Timestamp(period.start)
    if period.end is not None:
        keep &= days <= pd.Timestamp(period.end)
    return keep


def claim_outcomes(coverage: pd.DataFrame, claims: pd.DataFrame) -> pd.Series:
    """Per coverage row: 2 for a paid JKM claim inside it, 1 for JKK, 0 for none."""
    paid = claims[(claims["status"] == "paid") & claims["program"].isin(ATTRIBUTED_PROGRAMS)]
    rows = coverage.reset_index()[["index", "worker_key", "start_month", "months"]]
    matched = rows.merge(paid, on="worker_key")
    inside = (matched["incident_month"] >= matched["start_month"]) & (
        matched["incident_month"] < matched["start_month"] + matched["months"]
    )
    matched = matched[inside]
    rank = np.where(matched["program"] == "JKM", 2, 1)
    ranks = pd.Series(rank, index=matched["index"]).groupby(level=0).max()
    return ranks.reindex(coverage.index, fill_value=0), matched


def protected_per_month(coverage: pd.DataFrame) -> dict[int, int]:
    starts = coverage.groupby("start_month").size()
    ends = (coverage["start_month"] + coverage["months"]).value_counts()
    steps = starts.sub(ends, fill_value=0).sort_index()
    counts = steps.cumsum()
    months = range(int(counts.index.min()), int(counts.index.max()))
    counts = counts.reindex(months).ffill()
    return {m: int(n) for m, n in counts.items() if n}


def pandas_donor_page(frames, key: int, period: Period, full: bool = True) -> dict:
    """The donor page's figures (``full``), or only the headline and months (compare)."""
    donations = frames["donations"]
    gifts = donations[(donations["donor_key"] == key) & in_period(donations["received_on"], period)]
    coverage = frames["coverage"]
    coverage = coverage[coverage["donation_key"].isin(gifts["id"])]
    ranks, matched = claim_outcomes(coverage, frames["claims"])
    headline = {
        "donated": int(gifts["amount_idr"].sum()),
        "allocated": int(coverage["amount_idr"].sum()),
        "months": int(coverage["months"].sum()),
        "workers": coverage["worker_key"].nunique(),
        "claims": (len(matched), int(matched["amount_idr"].sum())),
        "monthly": protected_per_month(coverage),
    }
    if not full:
        return headline
    workers = frames["workers"].set_index("id")
    covered = workers.loc[coverage["worker_key"].unique()]
    attributes = workers.loc[coverage["worker_key"], ["province", "occupation"]]
    rupiah = (
        pd.DataFrame(
            {"outcome": ranks.to_numpy(), "amount_idr": coverage["amount_idr"].to_numpy()},
        )
        .assign(
            province=attributes["province"].to_numpy(),
            occupation=attributes["occupation"].to_numpy(),
        )
        .groupby(["province", "occupation", "outcome"])["amount_idr"]
        .sum()
    )
    outcomes = rupiah.groupby(level="outcome").sum()
    names = {0: "protected", 1: "JKK", 2: "JKM"}
    return {
        **headline,
        "by": {d: {k: int(v) for k, v in covered[d].value_counts().items()} for d in DIMENSIONS},
        "outcomes": {names[k]: int(v) for k, v in outcomes.items()},
    }


def pandas_overview(frames) -> dict:
    coverage = frames["coverage"]
    workers = frames["workers"].set_index("id")
    covered = workers.loc[coverage["worker_key"].unique()]
    protected_per_month(coverage)
    paid = frames["claims"][frames["claims"]["status"] == "paid"]
    paid.groupby([paid["incident_month"] // 12, "program"])["amount_idr"].agg(["size", "sum"])
    return {
        "workers": len(covered),
        "months": int(coverage["months"].sum()),
        "by": {d: {k: int(v) for k, v in covered[d].value_counts().items()} for d in DIMENSIONS},
    }


# -- DuckDB over Parquet -----------------------------------------------------------------------


def write_parquet(frames, folder: Path) -> duckdb.DuckDBPyConnection:
    db = duckdb.connect()
    for name, frame in frames.items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        db.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    return db


def duck_period(period: Period) -> str:
    conditions = ["d.donor_key = $key"]
    if period.start is not None:
        conditions.append(f"d.received_on >= DATE '{period.start}'")
    if period.end is not None:
        conditions.append(f"d.received_on <= DATE '{period.end}'")
    return " AND ".join(conditions)


def duck_donor_page(db, key: int, period: Period, full: bool = True) -> dict:
    """As ``pandas_donor_page``, each figure one DuckDB query over the Parquet files."""
    where = duck_period(period)
    programs = ", ".join(f"'{p}'" for p in ATTRIBUTED_PROGRAMS)
    rows = f"""
        WITH rows AS (
            SELECT c.* FROM coverage c JOIN donations d ON d.id = c.donation_key WHERE {where}
        ),
        matched AS (
            SELECT r.donation_key, r.worker_key, r.start_month, k.program, k.amount_idr
            FROM rows r JOIN claims k ON k.worker_key = r.worker_key
             AND k.incident_month >= r.start_month
             AND k.incident_month < r.start_month + r.months
            WHERE k.status = 'paid' AND k.program IN ({programs})
        )"""
    params = {"key": key}
    donated = db.execute(
        f"SELECT sum(amount_idr) FROM donations d WHERE {where}", params
    ).fetchone()[0]
    allocated, months, workers = db.execute(
        rows + " SELECT sum(amount_idr), sum(months), count(DISTINCT worker_key) FROM rows",
        params,
    ).fetchone()
    claims = db.execute(
        rows + " SELECT count(*), coalesce(sum(amount_idr), 0) FROM matched", params
    ).fetchone()
    monthly = db.execute(
        rows
        + """, steps AS (
                SELECT start_month AS month, count(*) AS step FROM rows GROUP BY 1
                UNION ALL
                SELECT start_month + months, -count(*) FROM rows GROUP BY 1
            )
            SELECT month, sum(sum(step)) OVER (ORDER BY month) FROM steps GROUP BY 1""",
        params,
    ).fetchall()
    headline = {
        "donated": int(donated or 0),
        "allocated": int(allocated or 0),
        "months": int(months or 0),
        "workers": int(workers),
        "claims": (int(claims[0]), int(claims[1])),
        "monthly": filled(monthly),
    }
    if not full:
        return headline
    by = {}
    for dimension in DIMENSIONS:
        by[dimension] = dict(
            db.execute(
                rows
                + f""" SELECT w.{dimension}, count(*) FROM workers w
                       WHERE w.id IN (SELECT worker_key FROM rows) GROUP BY 1""",
                params,
            ).fetchall()
        )
    outcomes = db.execute(
        rows
        + """, ranked AS (
                SELECT r.donation_key, r.worker_key, r.start_month, r.amount_idr,
                       max(CASE m.program WHEN 'JKM' THEN 2 WHEN 'JKK' THEN 1 ELSE 0 END) AS rank
                FROM rows r LEFT JOIN matched m USING (donation_key, worker_key, start_month)
                GROUP BY ALL
            )
            SELECT w.province, w.occupation,
                   CASE rank WHEN 2 THEN 'JKM' WHEN 1 THEN 'JKK' ELSE 'protected' END AS outcome,
                   sum(r.amount_idr)
            FROM ranked r JOIN workers w ON w.id = r.worker_key GROUP BY ALL""",
        params,
    ).df()
    return {
        **headline,
        "by": by,
        "outcomes": {
            k: int(v) for k, v in outcomes.groupby("outcome")[outcomes.columns[-1]].sum().items()
        },
    }


def filled(changes: list[tuple]) -> dict[int, int]:
    """Workers per month from (month, running total) at the months where it changes."""
    if not changes:
        return {}
    totals = dict(sorted((int(m), int(n)) for m, n in changes))
    months, current, out = sorted(totals), 0, {}
    for month in range(months[0], months[-1]):
        current = totals.get(month, current)
        if current:
            out[month] = current
    return out


def duck_overview(db) -> dict:
    workers, months = db.execute(
        "SELECT count(DISTINCT worker_key), sum(months) FROM coverage"
    ).fetchone()
    by = {}
    for dimension in DIMENSIONS:
        by[dimension] = dict(
            db.execute(
                f"""SELECT {dimension}, count(*) FROM workers
                    WHERE id IN (SELECT worker_key FROM coverage) GROUP BY 1"""
            ).fetchall()
        )
    db.execute(
        """WITH steps AS (
               SELECT start_month AS month, count(*) AS step FROM coverage GROUP BY 1
               UNION ALL SELECT start_month + months, -count(*) FROM coverage GROUP BY 1)
           SELECT month, sum(sum(step)) OVER (ORDER BY month) FROM steps GROUP BY 1"""
    ).fetchall()
    db.execute(
        """SELECT incident_month // 12, program, count(*), sum(amount_idr) FROM claims
           WHERE status = 'paid' GROUP BY ALL"""
    ).fetchall()
    return {"workers": int(workers), "months": int(months), "by": by}


# -- the run -----------------------------------------------------------------------------------


def same(name: str, ours: dict, theirs: dict, peer: str) -> None:
    for key, value in ours.items():
        if key == "by" and "by" in theirs:
            for dimension, counts in value.items():
                # The overview suppresses small cells ("< k"): compare what it publishes.
                mine = {k: v for k, v in counts.items() if isinstance(v, (int, np.integer))}
                other = {k: theirs["by"][dimension].get(k) for k in mine}
                if {k: int(v) for k, v in mine.items()} != other:
                    raise SystemExit(f"{name}: {peer} differs by {dimension}")
        elif key in theirs and value != theirs[key]:
            raise SystemExit(f"{name}: {peer} differs on {key}: {value!r} against {theirs[key]!r}")


def percentile95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="a ledger (repeat)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    today = dt.date.today()
    this_year = Period(dt.date(today.year, 1, 1), today)
    last_year = Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    engines = {make_label(url): open_ledger(url, create=False) for url in args.db}
    first = next(iter(engines.values()))
    largest = donor.donors(first, OPERATOR).iloc[0]["donor_id"]
    with first.connect() as conn:
        key = donor_key(conn, largest)
        donors = conn.execute(select(Donor.id)).scalars().all()
    print(f"{today}; largest donor {largest} of {len(donors)}; runs {args.runs}")

    began = time.perf_counter()
    frames = load_frames(first)
    print(f"naive pandas: tables loaded in {time.perf_counter() - began:.1f} s (then cached)")
    with tempfile.TemporaryDirectory(prefix="lingkaran-peers-") as folder:
        began = time.perf_counter()
        duck = write_parquet(frames, Path(folder))
        print(f"DuckDB: Parquet written in {time.perf_counter() - began:.1f} s")

        year = last_year.start.year
        workloads = {
            "donor page, all time: every query of the page": (
                lambda e: lingkaran_donor_page(e, largest, Period(), today),
                lambda: pandas_donor_page(frames, key, Period()),
                lambda: duck_donor_page(duck, key, Period()),
            ),
            "donor page, all time: the peers' questions": (
                lambda e: lingkaran_donor_page(e, largest, Period(), today, whole=False),
                lambda: pandas_donor_page(frames, key, Period()),
                lambda: duck_donor_page(duck, key, Period()),
            ),
            f"donor page, {year}: every query of the page": (
                lambda e: lingkaran_donor_page(e, largest, last_year, today),
                lambda: pandas_donor_page(frames, key, last_year),
                lambda: duck_donor_page(duck, key, last_year),
            ),
            f"donor page, {year}: the peers' questions": (
                lambda e: lingkaran_donor_page(e, largest, last_year, today, whole=False),
                lambda: pandas_donor_page(frames, key, last_year),
                lambda: duck_donor_page(duck, key, last_year),
            ),
            "compare page": (
                lambda e: lingkaran_compare(e, largest, (this_year, last_year), today),
                lambda: [
                    pandas_donor_page(frames, key, p, full=False) for p in (this_year, last_year)
                ],
                lambda: [duck_donor_page(duck, key, p, full=False) for p in (this_year, last_year)],
            ),
            "overview: the stored release the page reads": (
                lingkaran_overview_read,
                lambda: pandas_overview(frames),
                lambda: duck_overview(duck),
            ),
        }
        # Checked against the peers by what a release computes, exact; timed by the read.
        checked = {"overview: the stored release the page reads": lingkaran_overview}
        for name, (ours, naive, ducked) in workloads.items():
            for label, engine in engines.items():
                began = time.perf_counter()
                mine = checked[name](engine, today) if name in checked else ours(engine)
                if name in checked:
                    took = time.perf_counter() - began
                    print(f"{name} ({label}): built exact for the check in {took:.1f} s")
                mine = mine if isinstance(mine, list) else [mine]
                for peer, answer in (("pandas", naive()), ("DuckDB", ducked())):
                    answer = answer if isinstance(answer, list) else [answer]
                    for one, other in zip(mine, answer, strict=True):
                        same(f"{name} ({label})", one, other, peer)
        print("figures: Lingkaran, pandas and DuckDB agree on every workload")

        # As the serving process does after its imports (dashboard/web/server.py): long-lived
        # objects (here also the peers' tables) out of the collector's full passes.
        gc.freeze()
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for name, (ours, naive, ducked) in workloads.items():
                runs = [(label, lambda e=engine, f=ours: f(e)) for label, engine in engines.items()]
                runs += [("pandas", naive), ("DuckDB", ducked)]
                for label, run in runs:
                    began = time.perf_counter()
                    run()
                    samples.setdefault((name, label), []).append(time.perf_counter() - began)

    labels = [*engines, "pandas", "DuckDB"]
    print()
    print(
        "| workload | "
        + " | ".join(f"{label} median / p95" for label in labels)
        + " | "
        + " | ".join(f"{peer} ÷ {label}" for label in engines for peer in ("pandas", "DuckDB"))
        + " |"
    )
    print("|---" * (1 + len(labels) + 2 * len(engines)) + "|")
    for name in workloads:
        cells = []
        medians = {}
        for label in labels:
            runs = samples[(name, label)]
            medians[label] = statistics.median(runs)
            cells.append(f"{medians[label] * 1000:,.0f} / {percentile95(runs) * 1000:,.0f} ms")
        ratios = [
            f"{medians[peer] / medians[label]:.1f}"
            for label in engines
            for peer in ("pandas", "DuckDB")
        ]
        print(f"| {name} | " + " | ".join(cells + ratios) + " |")


def make_label(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


if __name__ == "__main__":
    main()
