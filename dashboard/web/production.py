"""Whether the app may start in production mode: its secrets are set and none is a demo's."""

from __future__ import annotations

import os

from dashboard.core.config import DEMO_STATEMENT_KEY, STATEMENT_KEY_VARIABLE

DEMO_COOKIE_SECRETS = {"", "demo", "changeme", "change-me", "lingkaran-demo-cookie-secret"}


def production_problems(secrets) -> list[str]:
    """Why production mode must not start: missing or demo secrets (empty when all is well)."""
    problems = []
    auth = secrets.get("auth", {}) if hasattr(secrets, "get") else {}
    cookie = str(auth.get("cookie_secret", "")) if hasattr(auth, "get") else ""
    if cookie.strip().lower() in DEMO_COOKIE_SECRETS or len(cookie) < 32:
        problems.append(
            "[auth] cookie_secret in .streamlit/secrets.toml is missing, a demo value or "
            "shorter than 32 characters"
        )
    if not auth or not (auth.get("client_id") or any(hasattr(v, "get") for v in auth.values())):
        problems.append("[auth] in .streamlit/secrets.toml names no identity provider")
    key = os.environ.get(STATEMENT_KEY_VARIABLE, "")
    if not key or key == DEMO_STATEMENT_KEY:
        problems.append(f"{STATEMENT_KEY_VARIABLE} is not set to a secret of your own")
    return problems
