"""The whole ledger as the contract's files: export for auditors, import into another database.

`lingkaran export ledger` writes one CSV per kind in exactly the contract's columns and
canonical spellings (ISO dates, plain integer rupiah, ``YYYY-MM`` months), streamed in id
order so that the same ledger always gives the same bytes, and a ``manifest.json`` with each
file's row count and sha256. `lingkaran import-ledger` checks the manifest before anything is
written, then imports the contract's files in dependency order in one transaction, through the
ordinary importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import aliased
from tqdm import tqdm

from dashboard.core.errors import ImportRefused, ValidationError
from dashboard.core.months import month_label
from dashboard.ledger.db import alembic_config, tidy_after_bulk
from dashboard.ledger.importer import ImportResult, contract_columns, file_sha256, import_into
from dashboard.ledger.schema import (
    Claim,
    Confirmation,
    Coverage,
    Donation,
    Donor,
    Rate,
    SelfPaid,
    Worker,
)

CONTRACT_VERSION = "2"
READABLE_VERSIONS = ("1", "2")  # docs/contract.md: a v1 ledger is a valid v2 ledger
MANIFEST = "manifest.json"
KINDS = (  # dependency order
    "donors",
    "rates",
    "workers",
    "donations",
    "coverage",
    "claims",
    "self_paid",
    "confirmations",
)
STREAM_ROWS = 20_000


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _iso(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


@dataclass(frozen=True)
class _Export:
    columns: tuple[str, ...]
    query: Callable[[], Select]
    row: Callable[[tuple], list[str]]


def _exports() -> dict[str, _Export]:
    donor = aliased(Donor)
    return {
        "donors": _Export(
            contract_columns("donors"),
            lambda: select(Donor.donor_id, Donor.name, Donor.type, Donor.show_name).order_by(
                Donor.id
            ),
            lambda r: [r[0], r[1], r[2], _yes_no(r[3])],
        ),
        "rates": _Export(
            contract_columns("rates"),
            lambda: select(Rate.effective_month, Rate.monthly_idr, Rate.jht_monthly_idr).order_by(
                Rate.effective_month
            ),
            lambda r: [month_label(r[0]), str(r[1]), _text(r[2])],
        ),
        "workers": _Export(
            contract_columns("workers"),
            lambda: select(
                Worker.worker_id,
                Worker.registered_on,
                Worker.province,
                Worker.occupation,
                Worker.gender,
                Worker.birth_year,
            ).order_by(Worker.id),
            lambda r: [r[0], _iso(r[1]), r[2], r[3], r[4], str(r[5])],
        ),
        "donations": _Export(
            contract_columns("donations"),
            lambda: (
                select(
                    Donation.donation_id,
                    donor.donor_id,
                    Donation.received_on,
                    Donation.amount_idr,
                    Donation.months_per_worker,
                    Donation.earmark_province,
                    Donation.earmark_occupation,
                    Donation.package,
                )
                .join(donor, donor.id == Donation.donor_key)
                .order_by(Donation.id)
            ),
            lambda r: [
                r[0],
                r[1],
                _iso(r[2]),
                str(r[3]),
                str(r[4]),
                _text(r[5]),
                _text(r[6]),
                r[7],
            ],
        ),
        "coverage": _Export(
            contract_columns("coverage"),
            lambda: (
                select(
                    Donation.donation_id,
                    Worker.worker_id,
                    Coverage.start_month,
                    Coverage.months,
                    Coverage.amount_idr,
                )
                .join(Donation, Donation.id == Coverage.donation_key)
                .join(Worker, Worker.id == Coverage.worker_key)
                .order_by(Coverage.id)
            ),
            lambda r: [r[0], r[1], month_label(r[2]), str(r[3]), str(r[4])],
        ),
        "claims": _Export(
            contract_columns("claims"),
            lambda: (
                select(
                    Claim.claim_id,
                    Worker.worker_id,
                    Claim.program,
                    Claim.incident_on,
                    Claim.status,
                    Claim.paid_on,
                    Claim.amount_idr,
                )
                .join(Worker, Worker.id == Claim.worker_key)
                .order_by(Claim.id)
            ),
            lambda r: [r[0], r[1], r[2], _iso(r[3]), r[4], _iso(r[5]), _text(r[6])],
        ),
        "self_paid": _Export(
            contract_columns("self_paid"),
            lambda: (
                select(Worker.worker_id, SelfPaid.start_month, SelfPaid.months)
                .join(Worker, Worker.id == SelfPaid.worker_key)
                .order_by(SelfPaid.id)
            ),
            lambda r: [r[0], month_label(r[1]), str(r[2])],
        ),
        "confirmations": _Export(
            contract_columns("confirmations"),
            lambda: (
                select(
                    Donation.donation_id,
                    Worker.worker_id,
                    Coverage.start_month,
                    Confirmation.confirmed_on,
                    Confirmation.amount_idr,
                    Confirmation.reference,
                )
                .join(Coverage, Coverage.id == Confirmation.coverage_key)
                .join(Donation, Donation.id == Coverage.donation_key)
                .join(Worker, Worker.id == Coverage.worker_key)
                .order_by(Confirmation.id)
            ),
            lambda r: [r[0], r[1], month_label(r[2]), _iso(r[3]), str(r[4]), _text(r[5])],
        ),
    }


def schema_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def export_ledger(
    engine: Engine,
    folder: Path,
    kinds: Iterable[str] = KINDS,
    *,
    progress: bool = False,
    now: dt.datetime | None = None,
) -> dict:
    """Write the contract files of ``kinds`` and the manifest into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    exports = _exports()
    files = {}
    with engine.connect() as conn:
        for kind in kinds:
            export = exports[kind]
            path = folder / f"{kind}.csv"
            total = conn.execute(
                select(func.count()).select_from(export.query().subquery())
            ).scalar_one()
            result = conn.execution_options(yield_per=STREAM_ROWS).execute(export.query())
            with (
                path.open("w", newline="", encoding="utf-8") as handle,
                tqdm(total=total, desc=f"export {kind}", disable=not progress, leave=False) as bar,
            ):
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(export.columns)
                rows = 0
                for batch in result.partitions():
                    writer.writerows(export.row(row) for row in batch)
                    rows += len(batch)
                    bar.update(len(batch))
            files[kind] = {"file": path.name, "rows": rows, "sha256": file_sha256(path)}
    manifest = {
        "contract_version": CONTRACT_VERSION,
        "schema_revision": schema_revision(),
        "exported_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _digest_and_rows(path: Path) -> tuple[str, int]:
    """sha256 and data rows in one pass; rows by line ends, recounted as CSV records only
    when a quoted field could hold a line break (a double quote in the file)."""
    digest, line_ends, quoted = hashlib.sha256(), 0, False
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            line_ends += block.count(b"\n")
            quoted = quoted or b'"' in block
    if quoted:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return digest.hexdigest(), sum(1 for _ in csv.reader(handle)) - 1
    return digest.hexdigest(), line_ends - 1


def verify_manifest(folder: Path) -> dict:
    """The manifest, once every file it lists is present with its sha256 and row count.

    Raises ``ImportRefused`` naming each missing or changed file; nothing is read further.
    """
    manifest_path = folder / MANIFEST
    problems: list[ValidationError] = []
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except FileNotFoundError:
        error = ValidationError(MANIFEST, 0, None, None, f"no {MANIFEST} in {folder}")
        raise ImportRefused(MANIFEST, [error], 1) from None
    except (ValueError, KeyError, TypeError) as problem:
        error = ValidationError(MANIFEST, 0, None, None, f"not a ledger manifest: {problem}")
        raise ImportRefused(MANIFEST, [error], 1) from None
    if manifest.get("contract_version") not in READABLE_VERSIONS:
        found = manifest.get("contract_version")
        reason = f"contract version {found!r}, expected one of {', '.join(READABLE_VERSIONS)}"
        problems.append(ValidationError(MANIFEST, 0, "contract_version", None, reason))
    for kind, entry in files.items():
        if kind not in KINDS:
            problems.append(ValidationError(MANIFEST, 0, "files", kind, "not a contract kind"))
            continue
        path = folder / entry["file"]
        if not path.is_file():
            reason = "listed in the manifest but missing"
        elif (found := _digest_and_rows(path))[0] != entry["sha256"]:
            reason = "changed since the export: its sha256 differs from the manifest"
        elif found[1] != entry["rows"]:
            reason = f"holds {found[1]} rows, the manifest says {entry['rows']}"
        else:
            continue
        problems.append(ValidationError(entry["file"], 0, None, None, reason))
    if problems:
        raise ImportRefused(MANIFEST, problems, len(problems))
    return manifest


def import_ledger(
    engine: Engine, folder: Path, *, progress: bool = False, echo=lambda _m: None
) -> list[ImportResult]:
    """Import an exported folder: manifest checked first, all kinds in one transaction."""
    manifest = verify_manifest(folder)
    results = []
    with engine.begin() as conn:
        for kind in KINDS:
            entry = manifest["files"].get(kind)
            if entry is None:
                continue
            result = import_into(
                conn, kind, folder / entry["file"], progress=progress, sha256=entry["sha256"]
            )
            echo(f"imported {result.summary()}")
            results.append(result)
    tidy_after_bulk(engine)
    return results


def ledger_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return all(
            conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
            for table in (Donor, Worker, Donation, Coverage, Claim, SelfPaid, Confirmation)
        )


def compare_reports(first: Engine, second: Engine, as_of: dt.date | None = None) -> list[str]:
    """Every figure that differs between two ledgers: the programme's and each donor's."""
    from queries.figures import ledger_figures

    as_of = as_of or dt.date.today()
    with first.connect() as conn:
        donor_ids = list(conn.execute(select(Donor.donor_id).order_by(Donor.donor_id)).scalars())
    with second.connect() as conn:
        other_ids = list(conn.execute(select(Donor.donor_id).order_by(Donor.donor_id)).scalars())
    differences = []
    if donor_ids != other_ids:
        differences.append(f"donors: {len(donor_ids)} against {len(other_ids)}")
    for donor_id in [None, *donor_ids]:
        if donor_id is not None and donor_id not in other_ids:
            continue
        left = ledger_figures(first, donor_id, as_of).as_report()
        right = ledger_figures(second, donor_id, as_of).as_report()
        for key in left:
            if left[key] != right[key]:
                who = donor_id or "programme"
                differences.append(f"{who} {key}: {left[key]} against {right[key]}")
    return differences
