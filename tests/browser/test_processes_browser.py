"""`lingkaran serve --processes 2`: two app processes behind HAProxy on one PostgreSQL ledger,
a real login in Chromium that holds when a request lands on the other process, and the API
answered by its own process and by both app processes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

import pytest

from dashboard.accounts.memberships import add_membership
from dashboard.ledger.db import open_ledger
from dashboard.web.serving import AFFINITY_COOKIE, PROCESS_HEADER
from tests.browser.conftest import (
    _free_port,
    _wait_until_up,
    log_in,
    stop_app,
    wait_for_app,
    write_secrets,
)
from tests.conftest import IN_CI, postgres_programme

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture(scope="module")
def shared_ledger(tmp_path_factory):
    """A 2,000-worker programme in a PostgreSQL database of its own, dropped afterwards."""
    with postgres_programme(tmp_path_factory, 2_000, "lingkaran_serve") as url:
        engine = open_ledger(url)
        add_membership(engine, "ana@example.org", "CSR-001", admin=False)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def two_processes(provider, shared_ledger, tmp_path_factory):
    """`lingkaran serve --processes 2`, as an operator starts it, from its secrets' folder."""
    if shutil.which("haproxy") is None and not os.path.exists("/usr/sbin/haproxy"):
        message = "no HAProxy (apt-get install haproxy)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("processes")
    port = _free_port()
    write_secrets(folder, port, provider, "two-processes-cookie-secret-0123456789abcdef")
    log_path = folder / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "--db", shared_ledger, "serve"]
        + ["--processes", "2", "--port", str(port)],
        cwd=folder,
        env={**os.environ, "LINGKARAN_STATEMENT_KEY": "two-processes-statement-key"},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    try:
        _wait_until_up(url, process, seconds=120)
        started = re.search(
            r"127\.0\.0\.1 ports (\d+), (\d+)\) and one for the API \(port (\d+)\)",
            log_path.read_text(),
        )
        assert started, log_path.read_text()
        yield url, [int(p) for p in started.groups()]
    finally:
        stop_app(process, url)
        log.close()
    # Stopping the front process stopped the processes behind it too.
    for backend_port in started.groups():
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{backend_port}/_stcore/health", timeout=2)


def get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers, json.loads(answer.read())


def test_pages_are_spread_over_both_processes_and_the_api_has_its_own(two_processes):
    url, (first_app, second_app, api) = two_processes
    pinned = []
    for _ in range(4):
        with urllib.request.urlopen(f"{url}/", timeout=30) as answer:
            pinned.append((answer.headers[PROCESS_HEADER], answer.headers["Set-Cookie"]))
    assert {process for process, _ in pinned} == {"app1", "app2"}  # new visitors spread
    assert all(cookie.startswith(f"{AFFINITY_COOKIE}={p};") for p, cookie in pinned)
    with urllib.request.urlopen(
        urllib.request.Request(f"{url}/", headers={"Cookie": f"{AFFINITY_COOKIE}=app2"})
    ) as answer:  # a pinned visitor stays put
        assert answer.headers[PROCESS_HEADER] == "app2" and "Set-Cookie" not in answer.headers

    answers = [get(f"{url}/api/v1/summary") for _ in range(3)]
    assert {headers[PROCESS_HEADER] for headers, _ in answers} == {"api1"}
    summary = answers[0][1]
    assert summary["figures"]["covered_workers"] > 0
    assert all(body == summary for _, body in answers)
    for port in (first_app, second_app, api):  # every process answers it, with the same figures
        assert get(f"http://127.0.0.1:{port}/api/v1/summary")[1] == summary


def test_a_login_holds_when_a_request_lands_on_the_other_process(two_processes, page):
    url, _ = two_processes
    log_in(page, url, "ana")
    answer = page.goto(f"{url}/donor?donor=CSR-001")
    first = answer.headers[PROCESS_HEADER.lower()]
    page.get_by_text("Jejak donasi").wait_for(timeout=60_000)
    wait_for_app(page)

    # The browser is moved to the other process, which holds none of its session.
    other = "app2" if first == "app1" else "app1"
    page.context.add_cookies([{"name": AFFINITY_COOKIE, "value": other, "url": url}])
    answer = page.goto(f"{url}/donor?donor=CSR-001")
    assert answer.headers[PROCESS_HEADER.lower()] == other
    page.get_by_text("Jejak donasi").wait_for(timeout=60_000)
    wait_for_app(page)
    body = page.locator("body").inner_text()
    assert "Masuk sebagai ana@example.org" in body
    assert "Halaman donatur bersifat pribadi" not in body
    # Still only her donor, on this process too.
    page.goto(f"{url}/donor?donor=BUMN-001")
    page.get_by_text("BUMN-001").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert "Jejak donasi" not in page.locator("body").inner_text()
    assert not page.errors
