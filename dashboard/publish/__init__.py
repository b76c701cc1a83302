"""What the public may see: the suppression threshold, the disclosure audit, the publication
built from the ledger's public answers, and the open-data API that serves it."""
