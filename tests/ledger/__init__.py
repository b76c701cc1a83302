"""Tests of dashboard.ledger, one file per module."""
