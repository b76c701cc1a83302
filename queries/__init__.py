"""The read side: every question the pages and the CLI ask of the ledger, in plain SQLAlchemy."""
