"""Production mode refuses to start on missing or demo secrets, before anything runs."""

from __future__ import annotations

from dashboard.web.production import production_problems


def test_production_refuses_demo_or_missing_secrets(monkeypatch):
    monkeypatch.delenv("LINGKARAN_STATEMENT_KEY", raising=False)
    assert len(production_problems({})) == 3
    demo = {"auth": {"cookie_secret": "changeme", "client_id": "x"}}
    assert any("cookie_secret" in p for p in production_problems(demo))
    monkeypatch.setenv("LINGKARAN_STATEMENT_KEY", "a-real-secret")
    good = {
        "auth": {
            "cookie_secret": "x" * 40,
            "client_id": "lingkaran",
            "client_secret": "s",
            "server_metadata_url": "https://id.example/.well-known/openid-configuration",
            "redirect_uri": "https://app.example/oauth2callback",
        }
    }
    assert production_problems(good) == []


def test_serve_refuses_to_start_with_demo_secrets_before_starting_anything(
    cli, monkeypatch, tmp_path
):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LINGKARAN_STATEMENT_KEY", raising=False)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[auth]\ncookie_secret = "changeme"\nclient_id = "lingkaran"\n'
    )
    started = []
    monkeypatch.setattr(
        "dashboard.web.serving.serve_processes", lambda *a, **k: started.append(a) or 0
    )

    result = cli("serve", "--port", "8999")

    assert result.exit_code == 1
    assert "refuses to start in production mode" in result.output
    assert "cookie_secret" in result.output and "LINGKARAN_STATEMENT_KEY" in result.output
    assert started == []
