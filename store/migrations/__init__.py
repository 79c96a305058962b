"""Alembic environment and revisions; run through `store.db.migrate`."""
