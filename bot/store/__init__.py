"""The store: the one place that remembers; nothing above it writes SQL."""

from bot.store.db import Database, StoreError

__all__ = ["Database", "StoreError"]
