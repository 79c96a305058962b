"""Persistence: SQLModel tables, sessions, Alembic migrations and every query of the project.

All SQL lives in this package. Sessions are synchronous; async callers run them in threads.
Functions take and return domain models, never table rows, so rows never leak into workflows.
"""
