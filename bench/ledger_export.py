"""Time `export ledger` and `import-ledger` of a full ledger (default: the 2,000,000 bench).

    python bench/ledger_export.py --db sqlite:////tmp/lingkaran-2m.db

Builds nothing: run bench/ledger_scale.py first. Prints export time, folder size, import
time into a fresh SQLite file and the peak memory (ru_maxrss) of this process. Goal (issue
"Ledger export and round trip"): each under 2 minutes on SQLite.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from dashboard.ledger.db import open_ledger
from dashboard.ledger.ledger_files import export_ledger, import_ledger


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:////tmp/lingkaran-2m.db")
    parser.add_argument("--work", default=None, help="folder for the export and the copy")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="lingkaran-export-"))
    folder, copy = work / "ledger", work / "copy.db"
    copy.unlink(missing_ok=True)

    began = time.perf_counter()
    manifest = export_ledger(open_ledger(args.db), folder, progress=True)
    exported = time.perf_counter() - began
    size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    rows = {kind: entry["rows"] for kind, entry in manifest["files"].items()}
    print(f"export: {exported:.1f} s, {size:,.0f} MiB, rows {rows}; peak {peak_mib():,.0f} MiB")

    began = time.perf_counter()
    import_ledger(open_ledger(f"sqlite:///{copy}"), folder, progress=True, echo=print)
    print(f"import-ledger: {time.perf_counter() - began:.1f} s; peak {peak_mib():,.0f} MiB")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
