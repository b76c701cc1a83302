"""The correction channel's widgets: which address the rate limit counts."""

from __future__ import annotations

from dashboard.web.corrections import address_of


def test_the_rate_limits_address_is_the_proxys_entry_never_one_a_browser_wrote():
    """Behind the local HAProxy (a loopback peer, which Streamlit gives as None) the client is
    the last X-Forwarded-For entry; a forged earlier entry, or the header sent straight to a
    process reached from outside, is not taken (docs/operations.md)."""
    assert address_of(None, ["6.6.6.6, 203.0.113.9"]) == "203.0.113.9"
    assert address_of(None, ["6.6.6.6", "203.0.113.9"]) == "203.0.113.9"  # two headers
    assert address_of("198.51.100.2", ["6.6.6.6"]) == "198.51.100.2"  # forged: ignored
    assert address_of(None, []) == "local"
