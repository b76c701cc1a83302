"""The suppression threshold and how a withheld count reads (the method: test_disclosure)."""

from __future__ import annotations

import pandas as pd

from dashboard.publish.privacy import shown_count, suppression_k


def test_the_threshold_is_configurable(monkeypatch):
    monkeypatch.setenv("LINGKARAN_SUPPRESSION_K", "5")
    assert suppression_k() == 5
    assert shown_count(pd.NA) == "< 5"
    monkeypatch.setenv("LINGKARAN_SUPPRESSION_K", "nonsense")
    assert suppression_k() == 10
    assert shown_count(12345) == "12.345"
