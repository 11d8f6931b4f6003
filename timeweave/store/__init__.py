"""Store: the SQLite/PostgreSQL database every stage writes to and the UI and exports read."""

from timeweave.store.db import engine_url, is_postgres, open_store

__all__ = ["engine_url", "is_postgres", "open_store"]
