"""Lingkaran fetches nothing at run time: a real `lingkaran demo`, visited by a real Chromium,
opens no connection and looks up no name outside the machine.

Every Python process of the server (the command line and the Streamlit process it starts)
runs with an audit hook (PEP 578, installed by a ``sitecustomize`` on ``PYTHONPATH``) that
writes down each socket connection and each name lookup whose address is not this machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import demo_server

WATCHER = """
import json, os, socket, sys

_LOG = os.environ["LINGKARAN_OUTBOUND_LOG"]
_HERE = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", None}


def _outside(host):
    return not (host in _HERE or str(host).startswith("127."))


def _write(event, target):
    with open(_LOG, "a") as log:
        log.write(json.dumps([os.getpid(), event, repr(target)]) + "\\n")


def _watch(event, args):
    if event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6) and _outside(address[0]):
            _write(event, address)
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        if _outside(args[0]):
            _write(event, args[0])


sys.addaudithook(_watch)
"""


def watched(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose Python processes record every outside connection in a file."""
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(WATCHER)
    log = tmp_path / "outbound.log"
    log.touch()
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "LINGKARAN_OUTBOUND_LOG": str(log)}, log


def recorded(log: Path) -> list[list]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_the_watch_sees_streamlit_ask_for_the_machines_address(tmp_path):
    """The control: Streamlit's own look-up of the public address, as it runs without
    Lingkaran's launcher, is seen by the watch (the network here is closed, so it fails,
    but it is asked)."""
    environment, log = watched(tmp_path)
    subprocess.run(
        [sys.executable, "-c", "from streamlit import net_util; net_util.get_external_ip()"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=60,
    )
    events = recorded(log)
    assert any("checkip" in target for _pid, _event, target in events), events


@pytest.mark.usefixtures("browser")
def test_the_server_connects_to_nothing_outside(demo_url, browser, tmp_path):
    environment, log = watched(tmp_path)
    with demo_server(demo_url, tmp_path / "app.log", env=environment) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        for address, says in [
            ("/?lang=en", "Release 2026-10"),
            ("/donor?donor=BUMN-001", "Dari donasi ke perlindungan"),
            ("/open_data?lang=id", "Rilis 2026-10"),
        ]:
            page.goto(url + address)
            page.get_by_text(says).first.wait_for(timeout=60_000)
        context.close()
        with urllib.request.urlopen(f"{url}/api/v1/releases", timeout=30) as answer:
            assert answer.status == 200
    banner = (tmp_path / "app.log").read_text()
    assert "Did not auto detect external IP" not in banner
    assert "No runtime found" not in banner  # the operator's console: no false warning
    assert "Local URL" in banner  # Streamlit's banner was printed: its look-ups had their turn
    assert recorded(log) == []
