"""queries.public and dashboard.publish.open_data on the worked example, figures by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from dashboard.core.vocabulary import AGE_BANDS, UNDER_AGE, age_band_label
from dashboard.publish import open_data, releases
from queries import public
from tests.conftest import TODAY
from tests.ledgers import import_all, worked_example

BLOCK = 113_600


@pytest.fixture
def example(cli, tmp_path, engine):
    import_all(cli, worked_example(tmp_path))
    assert cli("allocate").exit_code == 0
    return engine


def test_covered_workers_by_attribute(example):
    cube = public.publication_cube(example, TODAY)

    def workers(by: str) -> list:
        return open_data.plan_table(cube, (by,))[[by, "workers"]].values.tolist()

    assert workers("province") == [["ID-JB", 1], ["ID-MA", 1]]
    assert workers("age_band") == [["45–54", 2]]


def test_the_cube_counts_workers_months_and_rupiah(example):
    cube = public.aggregates(example, ("month", "donor_type"))
    assert cube.values.tolist() == [["2024-05", "corporate", 2, 12, 2 * BLOCK]]
    years = public.aggregates(example, ("year", "province"))
    assert years.values.tolist() == [[2024, "ID-JB", 1, 6, BLOCK], [2024, "ID-MA", 1, 6, BLOCK]]


def test_the_published_cube_withholds_the_two_workers(example):
    releases.publish(example, TODAY, k=10)
    published = open_data.aggregates(example, ("province",))
    assert published["suppressed"].tolist() == [True, True]
    rows = open_data.records(published)
    assert rows[0] == {
        "province": "ID-JB",
        "workers": None,
        "protected_months": None,
        "allocated_idr": None,
        "suppressed": True,
    }
    exact = open_data.build(example, 1, TODAY)  # the builder, without perturbation
    assert open_data.records(exact.tables[("province",)])[0]["workers"] == 1


def test_paid_claims_by_quarter_are_the_claims_donations_made_possible(example):
    """docs/contract.md: only JKK and JKM claims inside coverage; K2 (2024-11-01) falls after
    the block and is left out, so the chart adds up to the headline."""
    claims = public.paid_claims(example)[["quarter", "program", "claims", "amount_idr"]]
    assert claims.values.tolist() == [["2024-Q3", "JKK", 1, 5_000_000]]


def test_paid_claims_by_year_add_up_the_quarters(example):
    by_year = public.paid_claims(example, "year")[["year", "program", "claims", "amount_idr"]]
    assert by_year.values.tolist() == [["2024", "JKK", 1, 5_000_000]]
    with pytest.raises(ValueError, match="quarter or year"):
        public.paid_claims(example, "month")


def test_monthly_protection_and_donations_by_type(example):
    months = public.monthly_protection(example, TODAY)
    by_month = dict(zip(months["month"], months["protected_workers"], strict=True))
    assert by_month[dt.date(2024, 4, 1)] == 0
    assert by_month[dt.date(2024, 5, 1)] == by_month[dt.date(2024, 10, 1)] == 2
    assert by_month[dt.date(2024, 11, 1)] == 0
    assert months["cumulative_corporate_idr"].iloc[-1] == 300_000
    assert months["cumulative_personal_idr"].iloc[-1] == 0


def test_the_donors_wall_names_only_donors_who_chose_it(cli, example, tmp_path):
    from tests.conftest import write_csv

    cli(
        "import",
        "donors",
        write_csv(
            tmp_path, "p.csv", ["donor_id", "name", "type"], [["P1", "Ibu Sari", "personal"]]
        ),
    )
    cli(
        "import",
        "donations",
        write_csv(
            tmp_path,
            "g.csv",
            ["donation_id", "donor_id", "received_on", "amount_idr"],
            [["G1", "P1", "2024-06-10", "50000"]],
        ),
    )
    wall = public.donors_wall(example)
    wall = wall.astype(object).where(wall.notna(), None)  # the pool has no name
    assert wall.values.tolist() == [
        ["PT Contoh Peduli", "corporate", 300_000, 2, 1],
        [None, "anonymous", 50_000, 0, 1],
    ]


def test_the_summary_withholds_small_worker_counts(example):
    releases.publish(example, TODAY, k=10)
    summary = open_data.summary(example)
    assert summary["figures"]["covered_workers"] is None  # 2 < 10
    assert summary["figures"]["donated_idr"] == 300_000
    assert open_data.build(example, 2, TODAY).summary["covered_workers"] == 2


def test_bad_dimensions_are_refused_by_name():
    with pytest.raises(ValueError, match="got 'province,worker_id'"):
        open_data.parse_dimensions("province,worker_id")
    assert open_data.parse_dimensions(None) == open_data.CUBE


def test_attributed_claims_are_the_ones_the_report_counts(example):
    claims = public.attributed_claims(example)[["program", "claims", "amount_idr"]]
    assert claims.values.tolist() == [["JKK", 1, 5_000_000]]  # K2 of 2024-11 is uncovered


def _same_tables(engine) -> list[tuple[str, ...]]:
    """The plan's tables whose cells, summed from the one-pass cube, differ from the
    table computed on its own (public.aggregates)."""
    cube = public.publication_cube(engine, TODAY)
    differ = []
    for by in open_data.PLAN:
        alone = public.aggregates(engine, by, TODAY).astype(dict.fromkeys(by, str))
        summed = open_data.plan_table(cube, by).drop(columns=list(open_data.CELL_KEYS))
        summed = summed.astype(dict.fromkeys(by, str))
        if not alone.reset_index(drop=True).equals(summed.reset_index(drop=True)):
            differ.append(by)
    return differ


def test_every_published_table_sums_from_the_cube_exactly(example):
    """On SQLite and PostgreSQL: distinct workers by year and donor type come counted apart."""
    assert _same_tables(example) == []


def test_every_published_table_sums_from_the_cube_exactly_on_the_demo(demo_engine):
    assert len(public.aggregates(demo_engine, ("year", "donor_type"))) > 20
    assert _same_tables(demo_engine) == []


def _coverage_rows(engine, as_of: dt.date, salt: int) -> pd.DataFrame:
    """Every coverage row received by ``as_of`` with its worker's attributes, its key and
    its worker's key (a small ledger's rows, read whole once)."""
    statement = text(
        "SELECT c.id, c.worker_key, c.start_month, c.months, c.amount_idr, d.type AS donor_type,"
        " w.province, w.occupation, w.gender, w.birth_year FROM coverage c"
        " JOIN donations n ON n.id = c.donation_key JOIN donors d ON d.id = n.donor_key"
        " JOIN workers w ON w.id = c.worker_key WHERE n.received_on <= :as_of"
    )
    with engine.connect() as conn:
        rows = pd.read_sql_query(statement, conn, params={"as_of": as_of})

    def band(birth_year: int) -> str:
        age = as_of.year - birth_year
        named = [age_band_label(low, high) for low, high in AGE_BANDS if low <= age <= high]
        return named[0] if named else UNDER_AGE

    def key(ids: pd.Series) -> pd.Series:
        return (ids + salt) * public.GOLDEN % public.KEY_SPACE

    return rows.assign(
        year=rows["start_month"] // 12,
        age_band=rows["birth_year"].map(band),
        sums_key=key(rows["id"]),
        worker_record=key(rows["worker_key"]),
    )


def _cube_oracle(rows: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """One plan table and its cell keys from the coverage rows themselves, in pandas: each
    cell's distinct workers and the sum of their keys, its worker-months, rupiah and the sum
    of its rows' keys."""
    keys = list(by)
    sums = rows.groupby(keys)[["months", "amount_idr", "sums_key"]].sum()
    sums = sums.rename(columns={"months": "protected_months", "amount_idr": "allocated_idr"})
    distinct = rows.drop_duplicates([*keys, "worker_key"]).groupby(keys)
    workers = pd.DataFrame(
        {"workers": distinct["worker_key"].size(), "workers_key": distinct["worker_record"].sum()}
    )
    frame = sums.join(workers).reset_index()
    return frame[[*keys, *open_data.FIGURES, *open_data.CELL_KEYS]].astype(dict.fromkeys(keys, str))


@pytest.mark.parametrize("salt", [0, 987_654_321])
def test_the_cube_s_cells_and_keys_match_the_coverage_rows_counted_apart(demo_engine, salt):
    """The cube is read in one pass that marks each worker's first group of a year, a donor
    type and in all; summed into every table of the plan it gives the distinct workers, and
    the keys of those workers and rows, that counting the rows table by table gives."""
    as_of = dt.date(2026, 6, 30)  # a cut-off: later donations are left out of both
    cube = public.publication_cube(demo_engine, as_of, salt)
    rows = _coverage_rows(demo_engine, as_of, salt)
    for by in open_data.PLAN:
        summed = open_data.plan_table(cube, by).astype(dict.fromkeys(by, str))
        expected = _cube_oracle(rows, by)
        assert len(summed) > 1, by
        pd.testing.assert_frame_equal(
            summed.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
        )
