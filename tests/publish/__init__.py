"""Tests of dashboard.publish, one file per module."""
