"""The ledger's write side: schema and migrations, the engine, the importer of the contract's
files, the allocator, the derived tables refreshed with every write, the ledger's export and
copy between databases, and the demo programme."""
