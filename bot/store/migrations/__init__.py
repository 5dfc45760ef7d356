"""Alembic migrations of the store; run them with `footcoach db upgrade` (start-up does too)."""
