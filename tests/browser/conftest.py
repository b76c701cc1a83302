"""A real Chromium against `lingkaran demo` running on a free port (Playwright, system browser)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.load import free_port as _free_port
from tests.load import wait_until_up as _wait_until_up

CHROMIUM = os.environ.get("LINGKARAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def stop_app(process: subprocess.Popen, url: str) -> None:
    """Stop the app and make sure it is gone: `lingkaran demo` once left its Streamlit
    server running after its own process had been terminated."""
    process.terminate()
    process.wait(timeout=20)
    try:
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
    except OSError:
        return
    raise AssertionError(f"the app still answers at {url} after its process ended")


@contextlib.contextmanager
def demo_server(url: str, log_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`lingkaran --db <url> demo --port N`, exactly as a user starts it, on a free port;
    stopped (and checked gone) on leaving. Yields its address."""
    port = _free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "--db", url, "demo", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        address = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(address, process)
            yield address
        finally:
            stop_app(process, address)


@pytest.fixture(scope="session")
def app_url(demo_url: str, tmp_path_factory) -> Iterator[str]:
    """The shared demo server of the browser tests."""
    with demo_server(demo_url, tmp_path_factory.mktemp("app") / "app.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set LINGKARAN_CHROMIUM)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="id-ID")
    # Playwright's 30 s default is short when the other xdist worker runs a burst of 200
    # clients beside it (a click once timed out so in CI); no test asserts a time.
    context.set_default_timeout(90_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


def screenshot(page, name: str, height: int = 1000) -> Path:
    """The page as seen; Streamlit scrolls inside its own container, so a taller viewport
    (``height``) is how a long page gets into one picture."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(1500)  # charts re-layout after the resize
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(page) -> None:
    """Until the script run has finished (Streamlit shows a running indicator meanwhile)."""
    page.wait_for_load_state("networkidle")
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=30_000)


@pytest.fixture(scope="session")
def provider():
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    users = [
        oidc_provider_mock.User(
            sub="ana", claims={"email": "ana@example.org", "email_verified": True}
        ),
        oidc_provider_mock.User(
            sub="boss", claims={"email": "boss@example.org", "email_verified": True}
        ),
    ]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def log_in(page, url: str, who: str) -> None:
    page.goto(f"{url}/donor")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name=who, exact=True).click()  # the mock provider's form
    # Back in the app once the callback has set the session cookie and redirected.
    page.wait_for_url(
        lambda address: address.startswith(url) and "oauth2callback" not in address,
        timeout=30_000,
    )
    page.wait_for_load_state("networkidle")


def write_secrets(folder, port: int, provider: str, cookie_secret: str) -> None:
    """``folder/.streamlit/secrets.toml`` for production mode behind the mock provider."""
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        'client_id = "lingkaran"\n'
        'client_secret = "lingkaran-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )


# Streamlit's own markup that no page of ours can change, each allowance by rule and place:
# the sidebar's sectioned navigation (st.navigation with "Public" and "Donors") puts each
# section's <header> and <li> items in a <div> directly inside its <ul>, so the <ul> holds
# other children than <li> and the <li> have no list for a parent. Those two rules still run
# on every other part of the page.
STREAMLIT_ALLOWANCES = {("list", "listitem"): '[data-testid="stSidebarNavItems"]'}


def accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands (the engine is
    shipped inside axe-playwright-python and run in this Chromium: nothing is fetched)."""
    from axe_playwright_python.sync_playwright import Axe

    # Streamlit dims what a running script has not drawn again yet (data-stale) and fades it
    # back: axe measured a link at that moment as too faint (a clean-clone CI run, dark
    # scheme). Scan the page at rest: no run going, nothing stale, the fade over.
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
            && !document.querySelector('[data-stale="true"]')""",
        timeout=60_000,
    )
    page.wait_for_timeout(1_000)
    axe = Axe()
    allowed = [rule for rules in STREAMLIT_ALLOWANCES for rule in rules]
    results = [axe.run(page, options={"rules": {rule: {"enabled": False} for rule in allowed}})]
    for rules, place in STREAMLIT_ALLOWANCES.items():
        results.append(
            axe.run(page, context={"exclude": [[place]]}, options={"runOnly": list(rules)})
        )
    return [
        f"{violation['id']} ({violation['impact']}): {node['html'][:200]}"
        for result in results
        for violation in result.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]
