"""Alembic revisions, oldest first; each file is frozen once released (never edit one)."""
