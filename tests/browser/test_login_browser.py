"""Production mode end to end: a real OIDC login (a mock provider on loopback) in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from dashboard.accounts.memberships import add_membership
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import AuditEntry
from tests.browser.conftest import (
    _free_port,
    _wait_until_up,
    accessibility_problems,
    log_in,
    screenshot,
    stop_app,
    wait_for_app,
    write_secrets,
)
from tests.conftest import write_csv

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def production_app(provider, demo_url, tmp_path_factory):
    """The app in production mode on a copy of the demo, behind the mock provider."""
    import shutil

    from sqlalchemy.engine import make_url

    folder = tmp_path_factory.mktemp("production")
    ledger = folder / "ledger.db"
    shutil.copy(make_url(demo_url).database, ledger)
    engine = open_ledger(f"sqlite:///{ledger}")
    add_membership(engine, "ana@example.org", "CSR-001", admin=False)
    add_membership(engine, "boss@example.org", None, admin=True)
    engine.dispose()
    port = _free_port()
    write_secrets(folder, port, provider, "end-to-end-cookie-secret-0123456789abcdef")
    environment = {
        **os.environ,
        "LINGKARAN_STATEMENT_KEY": "end-to-end-statement-key",
    }
    log = (folder / "app.log").open("w")
    # `lingkaran serve`, as an operator starts it, from the folder holding its secrets.
    command = [sys.executable, "-m", "dashboard.cli", "--db", f"sqlite:///{ledger}", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--max-upload-mb", "1"],
        cwd=folder,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    try:
        _wait_until_up(url, process)
        yield url, folder
    finally:
        stop_app(process, url)
        log.close()


def upload(page, path) -> None:
    """Drop a file on the uploader and wait until Streamlit has it."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)  # the rerun the upload triggers starts after the name shows
    wait_for_app(page)


@pytest.mark.parametrize(("lang", "says"), [("id", "Masuk"), ("en", "Log in")])
def test_the_sign_in_page_has_no_serious_accessibility_violation(production_app, page, lang, says):
    """axe-core on the admin console as a visitor who has not signed in meets it."""
    url, _ = production_app
    page.goto(f"{url}/admin?lang={lang}")
    page.get_by_role("button", name=says, exact=True).wait_for(timeout=30_000)
    wait_for_app(page)
    assert accessibility_problems(page) == []


def test_a_donor_user_logs_in_sees_only_their_donor_and_logs_out(production_app, page):
    url, _ = production_app
    page.goto(f"{url}/donor?donor=CSR-001")
    page.get_by_text("Halaman donatur bersifat pribadi").wait_for(timeout=30_000)
    wait_for_app(page)
    # `lingkaran serve` shows visitors the viewer toolbar only: no Deploy button.
    assert page.get_by_test_id("stAppDeployButton").count() == 0
    log_in(page, url, "ana")
    page.goto(f"{url}/donor?donor=BUMN-001")
    page.get_by_text("BUMN-001").first.wait_for(timeout=30_000)  # the "no such donor" warning
    wait_for_app(page)
    body = page.locator("body").inner_text()
    assert "PT Listrik Kepulauan" not in body
    page.get_by_role("combobox", name="Donatur").click()
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) == 1 and options[0].endswith("(CSR-001)")
    page.get_by_role("option").first.click()
    page.get_by_text("Jejak donasi").wait_for(timeout=30_000)
    # Her own monthly digest setting, in the sidebar: on, in Indonesian, to her address.
    page.get_by_text("Ringkasan bulanan lewat e-mail").click()
    page.get_by_text("Kirimi saya ringkasan bulanan").wait_for(timeout=30_000)
    assert page.get_by_label("Kirimi saya ringkasan bulanan").is_checked()
    screenshot(page, "login_donor_user", height=1400)
    assert page.get_by_role("link", name="Dampak donasi").count() == 1
    assert page.get_by_role("link", name="Konsol admin").count() == 0  # not listed for her

    page.goto(f"{url}/admin")
    page.get_by_text("Halaman ini untuk administrator").wait_for(timeout=30_000)

    # Log out from the sidebar: the donor pages are private again.
    assert page.get_by_text("Masuk sebagai ana@example.org").count() == 1
    page.get_by_role("button", name="Keluar").click()
    # Streamlit ends the session at the provider too (its end-session endpoint), which sends
    # the browser back to the app.
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda address: address.startswith(url), timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.goto(f"{url}/donor?donor=CSR-001")
    page.get_by_text("Halaman donatur bersifat pribadi").wait_for(timeout=30_000)
    assert "Jejak donasi" not in page.locator("body").inner_text()


def test_an_admin_imports_a_file_through_the_browser(production_app, page, tmp_path):
    url, folder = production_app
    log_in(page, url, "boss")
    page.goto(f"{url}/admin")
    page.get_by_text("Impor berkas kontrak").wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.get_by_role("link", name="Konsol admin").count() == 1
    good = write_csv(
        tmp_path,
        "donors-new.csv",
        ["donor_id", "name", "type"],
        [["KOM-900", "Komunitas Nelayan Baru", "community"]],
    )
    upload(page, good)
    page.get_by_role("button", name="Impor", exact=True).click()
    # The console speaks the page's language, results and reasons included.
    success = page.get_by_test_id("stAlertContentSuccess")
    success.get_by_text("donors-new.csv: 1 baru").wait_for(timeout=30_000)
    screenshot(page, "admin_import", height=1600)

    bad = write_csv(
        tmp_path,
        "donors-bad.csv",
        ["donor_id", "name", "type"],
        [["KOM 901", "Spasi", "community"]],
    )
    upload(page, bad)
    page.get_by_role("button", name="Impor", exact=True).click()
    page.get_by_text("ditolak, tidak ada yang ditulis").wait_for(timeout=30_000)
    page.get_by_text("id terdiri atas 1 sampai 64 karakter", exact=False).wait_for(timeout=30_000)
    engine = open_ledger(f"sqlite:///{folder / 'ledger.db'}")
    with engine.connect() as conn:
        logged = conn.execute(select(AuditEntry.actor, AuditEntry.action)).all()
    engine.dispose()
    assert ("boss@example.org", "import") in logged
    assert ("boss@example.org", "import refused") in logged

    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"donor_id,name,type\n" + b"X" * (2 * 2**20))
    upload(page, huge)
    refused = page.locator('[data-testid="stFileChip"]', has_text="huge.csv")
    assert "File must be 1.0MB or smaller" in refused.inner_text()

    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 not a contract file")
    upload(page, report)
    refused = page.locator('[data-testid="stFileChip"]', has_text="report.pdf")
    assert refused.locator('[data-testid="stFileChipIconError"]').count() == 1
    assert "application/pdf files are not allowed" in refused.inner_text()
    screenshot(page, "admin_oversized", height=1600)
