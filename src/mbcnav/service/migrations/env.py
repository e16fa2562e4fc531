"""Alembic environment: migrations run on the connection the audit store hands over."""

from __future__ import annotations

from alembic import context

from mbcnav.service.audit import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through mbcnav.service.audit.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
