"""Lingkaran: the allocation ledger of GN Lingkaran and the dashboard that reads it."""
