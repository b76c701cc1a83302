"""A first visit in Chromium, at two ledger sizes, in one run: overview and largest donor.

    python bench/first_visit.py --db sqlite:////tmp/demo50k.db --db sqlite:////tmp/lingkaran-2m.db

For each ledger (with at least one public release: `lingkaran release`): `lingkaran --db URL
demo --port N` (demo mode: any donor page without a login), time its first API answer (read
from the stored release: nothing is built since issue 27), then ``--runs`` first visits,
each in a fresh browser context (no cookies, no Streamlit session): from navigation until
the page's script run has finished; and the open-data API's answers (each combination
asked once first, then timed). Each visit starts a new session, so the page's per-session
work is in every figure; what is kept per ledger version (the release read, the cached
queries) is what a first visitor after the first answer finds. Prints medians, the slowest
run and the ratio to the first ledger.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

from dashboard.accounts.access import OPERATOR
from dashboard.ledger.db import open_ledger
from queries import donor

CHROMIUM = os.environ.get("LINGKARAN_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=300) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


API = (
    "/api/v1/summary",
    "/api/v1/aggregates?by=province,occupation",
    "/api/v1/continuation?by=donor_type",
)


def fetch(url: str) -> float:
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as answer:
        answer.read()
    return time.perf_counter() - began


def visit(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="id-ID")
    page = context.new_page()
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=600_000)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=600_000)
    seconds = time.perf_counter() - began
    context.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        for url in args.db:
            largest = donor.donors(open_ledger(url, create=False), OPERATOR).iloc[0]["donor_id"]
            port = free_port()
            app = subprocess.Popen(
                [sys.executable, "-m", "dashboard.cli", "--db", url, "demo", "--port", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                wait_for(f"{base}/_stcore/health", 120)
                began = time.perf_counter()
                # answered from the latest stored release: nothing is built at start
                wait_for(f"{base}/api/v1/aggregates?by=province", 900)
                print(f"{url}: first API answer after {time.perf_counter() - began:.2f} s")
                for path in API:
                    fetch(f"{base}{path}")  # the first answer of a combination is computed
                    runs = [fetch(f"{base}{path}") for _ in range(args.runs)]
                    results.setdefault(f"GET {path}", {})[url] = runs
                pages = {"overview": f"{base}/", "donor page": f"{base}/donor?donor={largest}"}
                for name, address in pages.items():
                    # The first visitor fills the page's query caches (per ledger version).
                    cold = visit(browser, address)
                    print(f"  {name}: the very first visit {cold:.2f} s")
                    runs = [visit(browser, address) for _ in range(args.runs)]
                    results.setdefault(name, {})[url] = runs
            finally:
                app.terminate()
                app.wait(timeout=30)
        browser.close()
    first = args.db[0]
    for name, by_url in results.items():
        for url, runs in by_url.items():
            ratio = statistics.median(runs) / statistics.median(by_url[first])
            print(
                f"{name:<11} {url:<45} median {statistics.median(runs) * 1000:7.1f} ms, "
                f"slowest {max(runs) * 1000:7.1f} ms, x{ratio:.2f} of the first ledger"
            )


if __name__ == "__main__":
    main()
