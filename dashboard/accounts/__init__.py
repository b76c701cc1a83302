"""Who may see what: capabilities, memberships and the audit log's writes, and the settings
a donor's administrator keeps (the fiscal year)."""
