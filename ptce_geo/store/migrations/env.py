"""Alembic environment: the connection comes from :func:`ptce_geo.store.engine.migrate`."""

from alembic import context

from ptce_geo.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
