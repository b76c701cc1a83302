"""Export, import-ledger and migrate: the same ledger, row for row, on another database."""

from __future__ import annotations

import json

import pytest

from dashboard.ledger.db import open_ledger
from dashboard.ledger.importer import KINDS
from dashboard.ledger.ledger_files import export_ledger
from queries.checks import check_ledger, compare_reports
from tests.conftest import TODAY, table_contents, table_counts

DATA_TABLES = KINDS  # the ledger's own tables, one per contract file


@pytest.fixture(scope="module")
def exported(demo_url, tmp_path_factory):
    """The small demo ledger exported once: (folder, manifest)."""
    folder = tmp_path_factory.mktemp("export")
    engine = open_ledger(demo_url)
    manifest = export_ledger(engine, folder)
    engine.dispose()
    return folder, manifest


def test_the_export_holds_the_contract_columns_and_canonical_spellings(exported):
    folder, manifest = exported
    assert set(manifest["files"]) == set(KINDS)
    headers = {kind: (folder / f"{kind}.csv").read_text().splitlines()[0] for kind in KINDS}
    assert headers["coverage"] == "donation_id,worker_id,start_month,months,amount_idr"
    assert headers["donors"] == "donor_id,name,type,show_name"
    assert headers["rates"] == "effective_from,monthly_idr,jht_monthly_idr"
    assert headers["self_paid"] == "worker_id,start_month,months"
    assert headers["confirmations"] == (
        "donation_id,worker_id,start_month,confirmed_on,amount_idr,reference"
    )
    assert manifest["contract_version"] == "3"
    assert manifest["files"]["self_paid"]["rows"] > 0
    assert manifest["files"]["confirmations"]["rows"] > 0
    first_donation = (folder / "donations.csv").read_text().splitlines()[1].split(",")
    assert first_donation[2][4] == "-" and first_donation[3].isdigit()  # ISO date, plain rupiah
    first_coverage = (folder / "coverage.csv").read_text().splitlines()[1].split(",")
    assert len(first_coverage[2]) == 7 and first_coverage[2][4] == "-"  # YYYY-MM
    for kind, entry in manifest["files"].items():
        lines = (folder / entry["file"]).read_text().splitlines()
        assert len(lines) - 1 == entry["rows"], kind


def test_round_trip_gives_identical_reports_check_and_bytes(
    cli, exported, engine, demo_url, tmp_path
):
    folder, manifest = exported
    result = cli("import-ledger", folder)
    assert result.exit_code == 0, result.output
    assert f"imported coverage.csv: {manifest['files']['coverage']['rows']} new" in result.output

    origin = open_ledger(demo_url)
    assert compare_reports(origin, engine, TODAY) == []
    assert check_ledger(engine, TODAY) == []
    origin.dispose()

    again = export_ledger(engine, tmp_path / "again")
    for kind in KINDS:
        assert (tmp_path / "again" / f"{kind}.csv").read_bytes() == (
            folder / f"{kind}.csv"
        ).read_bytes(), kind
    assert again["files"] == manifest["files"]


def test_a_tampered_file_is_refused_before_anything_is_written(cli, exported, engine, tmp_path):
    folder, _ = exported
    copy = tmp_path / "tampered"
    copy.mkdir()
    for path in folder.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    donations = (copy / "donations.csv").read_text().splitlines()
    fields = donations[1].split(",")
    fields[3] = str(int(fields[3]) + 1)  # one amount changed by one rupiah
    donations[1] = ",".join(fields)
    (copy / "donations.csv").write_text("\n".join(donations) + "\n")
    (copy / "claims.csv").unlink()
    before = table_contents(engine)

    result = cli("import-ledger", copy)

    assert result.exit_code == 1
    assert "donations.csv:0: changed since the export" in result.output
    assert "claims.csv:0: listed in the manifest but missing" in result.output
    assert table_contents(engine) == before


def test_a_refused_file_inside_the_folder_rolls_back_every_kind(cli, exported, engine, tmp_path):
    """A valid manifest over a file the importer refuses: not even the donors stay."""
    folder, manifest = exported
    copy = tmp_path / "conflict"
    copy.mkdir()
    for path in folder.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    claims = (copy / "claims.csv").read_text().splitlines()
    claims.append(claims[1])  # the same claim id twice
    (copy / "claims.csv").write_text("\n".join(claims) + "\n")
    edited = json.loads((copy / "manifest.json").read_text())
    from dashboard.ledger.importer import file_sha256

    edited["files"]["claims"].update(rows=len(claims) - 1, sha256=file_sha256(copy / "claims.csv"))
    (copy / "manifest.json").write_text(json.dumps(edited))

    result = cli("import-ledger", copy)

    assert result.exit_code == 1
    assert "appears more than once" in result.output
    assert all(table_counts(engine)[table] == 0 for table in DATA_TABLES if table != "rates")


def test_exported_files_reimport_with_the_ordinary_import(cli, exported, engine):
    folder, manifest = exported
    for kind in KINDS:
        result = cli("import", kind, folder / f"{kind}.csv")
        assert result.exit_code == 0, result.output
    for kind in KINDS:
        again = cli("import", kind, folder / f"{kind}.csv")
        assert f"0 new, {manifest['files'][kind]['rows']} unchanged" in again.output


def test_migrate_carries_the_ledger_and_the_apps_state(demo_copy_url, database_url):
    """The copy is checked and compared with its origin (the command says so), and refused
    into a database that already holds a ledger. Memberships, a fiscal year, digest choices
    and deliveries, an issued statement, a triaged report of a problem, the audit log and the
    public releases with their secret arrive on the new database: a move that lost them lost
    who may sign in, sent digests again, broke statements' verification, forgot the triage
    and weakened the releases' offsets."""
    import datetime as dt

    from click.testing import CliRunner
    from sqlalchemy import func, insert, select

    from dashboard.accounts.access import OPERATOR
    from dashboard.accounts.fiscal_year import set_fiscal_year_start
    from dashboard.accounts.memberships import add_membership, memberships
    from dashboard.cli import main
    from dashboard.exports.statement import make_statement, record_issue, verify_statement
    from dashboard.ledger.demo import is_seeded_demo
    from dashboard.ledger.schema import (
        AuditEntry,
        DigestDelivery,
        DigestSetting,
        Donor,
        Release,
        ReleaseSecret,
    )
    from queries.figures import Period
    from tests.conftest import TODAY

    origin = open_ledger(demo_copy_url)
    add_membership(origin, "csr@example.org", "CSR-002", admin=False)
    add_membership(origin, "boss@example.org", None, admin=True)
    from dashboard.publish import webhooks

    webhooks.register(origin, "https://partner.example.org/hook", "boss@example.org")
    set_fiscal_year_start(origin, "BUMN-001", 4, actor="boss@example.org")
    with origin.begin() as conn:
        conn.execute(
            insert(DigestSetting).values(email="csr@example.org", language="en", receives=True)
        )
        conn.execute(
            insert(DigestDelivery).values(
                email="csr@example.org",
                month=24_322,
                status="sent",
                at=dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC),
            )
        )
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    statement = make_statement(origin, OPERATOR, "CSR-002", period, TODAY)
    record_issue(origin, statement, "csr@example.org", "statement")
    from dashboard.accounts.corrections import decide, reports, submit_report

    report = submit_report(
        origin, text="wrong", contact="", page="donors", release_id=None, address="192.0.2.1"
    )
    decide(origin, report, "fixed", "corrected", "boss@example.org")
    with origin.connect() as conn:
        releases = conn.execute(select(Release.id, Release.payload).order_by(Release.id)).all()
        salt = conn.execute(select(ReleaseSecret.salt)).scalar_one()
        audit = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    assert len(releases) == 12

    result = CliRunner().invoke(main, ["migrate", "--from", demo_copy_url, "--to", database_url])
    assert result.exit_code == 0, result.output
    assert (
        "carried the app's state: 1 fiscal years, 2 memberships, 1 digest choices, "
        in result.output
    )
    assert "12 releases" in result.output

    target = open_ledger(database_url)
    assert sorted(memberships(target)) == sorted(memberships(origin))
    with target.connect() as conn:
        assert (
            conn.execute(
                select(Donor.fiscal_year_start).where(Donor.donor_id == "BUMN-001")
            ).scalar_one()
            == 4
        )
        assert (
            conn.execute(select(Release.id, Release.payload).order_by(Release.id)).all() == releases
        )
        assert conn.execute(select(ReleaseSecret.salt)).scalar_one() == salt
        assert conn.execute(
            select(DigestDelivery.email, DigestDelivery.month, DigestDelivery.status)
        ).all() == [("csr@example.org", 24_322, "sent")]
        # every entry carried, and the one saying the copy is still the demo
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == audit + 1
    assert [(r.text, r.status, len(r.history)) for r in reports(target)] == [("wrong", "fixed", 1)]
    assert [hook["url"] for hook in webhooks.listing(target)] == [
        "https://partner.example.org/hook"
    ]
    verified = verify_statement(target, "CSR-002", period, TODAY, statement.code)
    assert verified.confirmed and verified.figures == statement.figures, verified
    assert is_seeded_demo(target)  # the fictional programme moved: `demo` serves the copy
    from dashboard.ledger.check_runs import last_full_check, snapshot_of

    with target.connect() as conn:  # `check --since` on the target starts from migrate's check
        check = last_full_check(conn)
        assert check.violations == 0 and snapshot_of(conn, check.id) is not None
    target.dispose()
    origin.dispose()

    again = CliRunner().invoke(main, ["migrate", "--from", demo_copy_url, "--to", database_url])
    assert again.exit_code == 1
    assert "already holds a ledger" in again.output


def test_migrate_refuses_a_target_that_publishes_with_another_secret(demo_url, database_url):
    import datetime as dt

    from click.testing import CliRunner
    from sqlalchemy import func, insert, select, update

    from dashboard.cli import main
    from dashboard.ledger.schema import Release, ReleaseSecret, Worker

    origin = open_ledger(demo_url)
    with origin.connect() as conn:
        salt = conn.execute(select(ReleaseSecret.salt)).scalar_one()
    origin.dispose()
    target = open_ledger(database_url)
    with target.begin() as conn:  # a release of its own, under another secret
        conn.execute(update(ReleaseSecret).values(salt=salt + 1))
        conn.execute(
            insert(Release).values(
                id="2026-09",
                as_of=dt.date(2026, 9, 30),
                published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
                ledger_version="[]",
                method="cell-key",
                suppression_k=10,
                cells=0,
                cells_changed=0,
                changes="{}",
                payload=b"",
            )
        )

    result = CliRunner().invoke(
        main, ["migrate", "--from", demo_url, "--to", database_url, "--into-non-empty"]
    )
    assert result.exit_code == 1
    assert "different secrets" in result.output
    with target.connect() as conn:  # nothing of the demo's 5,000 workers was written
        assert conn.execute(select(func.count()).select_from(Worker)).scalar_one() == 0
        assert conn.execute(select(ReleaseSecret.salt)).scalar_one() == salt + 1
    target.dispose()
