"""Tests of dashboard.accounts, one file per module."""
