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
from collections.abc import Iterable
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select

from dashboard.core.errors import ImportRefused, ValidationError
from dashboard.core.progress import progress_bar
from dashboard.ledger.db import alembic_config, tidy_after_bulk, writing
from dashboard.ledger.importer import (
    KIND_HANDLERS,
    KIND_REGISTRY,
    KINDS,
    ImportResult,
    contract_columns,
    file_sha256,
    import_into,
)

CONTRACT_VERSION = "3"
READABLE_VERSIONS = ("1", "2", "3")  # docs/contract.md "Versions": no file changed since v1
MANIFEST = "manifest.json"
STREAM_ROWS = 20_000


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
    files = {}
    with engine.connect() as conn:
        for kind in kinds:
            handler = KIND_HANDLERS[kind]
            path = folder / f"{kind}.csv"
            total = conn.execute(
                select(func.count()).select_from(handler.export_query().subquery())
            ).scalar_one()
            result = conn.execution_options(yield_per=STREAM_ROWS).execute(handler.export_query())
            with (
                path.open("w", newline="", encoding="utf-8") as handle,
                progress_bar(progress, total=total, desc=f"export {kind}") as bar,
            ):
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(contract_columns(kind))
                rows = 0
                for batch in result.partitions():
                    writer.writerows(handler.export_row(row) for row in batch)
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
        writing(conn)
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
            for table in (kind.table for kind in KIND_REGISTRY if not kind.seeded)
        )
