"""Tests of dashboard.exports, one file per module."""
