"""The HAProxy configuration `lingkaran` writes, and what it says when HAProxy is missing.
The processes themselves run in tests/browser/test_processes_browser.py."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.web import serving


def proxy_config(*args: str):
    return CliRunner().invoke(main, ["proxy-config", *args])


def test_the_configuration_for_several_machines_is_one_haproxy_accepts(tmp_path):
    result = proxy_config(
        "--port", "8080", "--backend", "127.0.0.1:8501", "--backend", "127.0.0.2:8501"
    )
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert "bind :8080" in lines
    assert "server app1 127.0.0.1:8501 check cookie app1" in lines
    assert "server app2 127.0.0.2:8501 check cookie app2" in lines
    assert any(line.startswith(f"cookie {serving.AFFINITY_COOKIE} insert") for line in lines)
    assert "timeout tunnel 8h" in lines  # the websocket outlives an HTTP request's timeout
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not shutil.which(haproxy):
        pytest.skip("no HAProxy to check the configuration with")
    (tmp_path / "haproxy.cfg").write_text(result.output)
    checked = subprocess.run(
        [haproxy, "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_the_api_goes_to_its_own_processes_with_the_app_processes_standing_in():
    result = proxy_config(
        "--backend", "10.0.0.2:8501", "--backend", "10.0.0.3:8501", "--api-backend", "10.0.0.4:8600"
    )
    assert result.exit_code == 0, result.output
    api = result.output.split("backend api\n", 1)[1].splitlines()
    lines = [line.strip() for line in result.output.splitlines()]
    assert "use_backend api if { path_beg /api/ /embed/ }" in lines  # embeds: no cookie
    assert "    server api1 10.0.0.4:8600 check" in api
    assert "    server app1 10.0.0.2:8501 check backup" in api
    assert "    server app2 10.0.0.3:8501 check backup" in api
    alone = proxy_config("--backend", "10.0.0.2:8501").output
    assert "backend api" not in alone
    embeds = alone.split("backend embeds\n", 1)[1]  # without the affinity cookie
    assert "use_backend embeds if { path_beg /embed/ }" in alone and "cookie" not in embeds


@pytest.mark.parametrize("backend", ["10.0.0.2", "10.0.0.2:http", ":8501", "10.0.0.2:70000"])
def test_a_backend_that_is_not_host_and_port_is_refused(backend):
    result = proxy_config("--backend", backend)
    assert result.exit_code == 2
    assert f"{backend!r}: expected HOST:PORT" in result.output


def test_serving_on_several_processes_without_haproxy_says_how_to_install_it(
    monkeypatch, tmp_path, demo_copy_url
):
    monkeypatch.setattr(serving.shutil, "which", lambda name: None)
    monkeypatch.setattr(serving, "PROXY_PLACES", ())
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "https://lingkaran.example.org/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-that-is-long-enough-0123456789"\n'
        'client_id = "lingkaran"\n'
        'client_secret = "secret"\n'
        'server_metadata_url = "https://id.example.org/.well-known/openid-configuration"\n'
    )
    monkeypatch.setenv("LINGKARAN_STATEMENT_KEY", "a-production-secret-for-tests")
    result = CliRunner().invoke(main, ["--db", demo_copy_url, "serve", "--processes", "2"])
    assert result.exit_code == 1
    assert "apt-get install haproxy" in result.output
    assert "Traceback" not in result.output


def test_the_server_sends_each_message_without_waiting_for_an_acknowledgement(monkeypatch):
    """Streamlit's own listening socket, as dashboard.web.launch prepares it: the connections it
    accepts have TCP_NODELAY (without it, the overview's first visit waited 40 ms for the
    browser's delayed acknowledgement after its largest message)."""
    import socket

    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)
    assert serving.send_without_delay() and serving.send_without_delay()  # once is enough
    listening = starlette_server._bind_socket("127.0.0.1", 0, 8)
    with listening, socket.create_connection(listening.getsockname()[:2]):
        listening.setblocking(True)
        accepted, _address = listening.accept()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_every_server_process_starts_through_the_launcher_that_mends_it():
    command, _environment = serving.app_command(
        "sqlite:///x.db", "demo", port=8501, max_upload_mb=50
    )
    assert command[1:4] == ["-m", "dashboard.web.launch", "run"]
