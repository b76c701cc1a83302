"""Tests of dashboard.core, one file per module."""
