"""Alembic environment: runs on the connection handed over by ``dashboard.ledger.db.upgrade``."""

from alembic import context
from sqlalchemy import create_engine

from dashboard.ledger.schema import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # `alembic` run by hand: use the configured URL
    from dashboard.core.config import database_url

    connection = create_engine(database_url()).connect()

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
