"""Opening a store: a SQLite file by default, or a PostgreSQL database for teams.

`--db` takes either a path or a `postgresql://` URL; everything after `open_store` is the same
code on both. SQLite runs in WAL mode so the web UI can read while a build writes.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from timeweave.errors import StoreError
from timeweave.store.migrations import migrate


def engine_url(db: str | Path) -> str:
    """The SQLAlchemy URL for a `--db` value (file path or postgresql:// URL)."""
    text = str(db)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if text.startswith("postgresql+psycopg://"):
        return text
    if "://" in text:
        raise StoreError(
            f"Unsupported database URL {text!r}: use a file path (SQLite) or a postgresql:// URL."
        )
    if re.match(r"^(postgres(ql)?(\+\w+)?|sqlite):/", text, re.I):
        # "postgresql:/x" is what Path("postgresql://x") makes of a URL: never a SQLite file by that name.
        raise StoreError(
            f"{text!r} looks like a database URL that lost a slash (a URL passed through a file path?): "
            "write it as postgresql://USER@HOST/DB, or give a file path for SQLite."
        )
    return f"sqlite:///{Path(text).expanduser()}"


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_store(db: str | Path, *, create: bool = True, readonly: bool = False) -> Engine:
    """Open (and migrate) the store at `db`.

    `create=False` refuses to make a new SQLite file, so a mistyped path in `status` or `serve`
    says so instead of showing an empty store.
    """
    url = engine_url(db)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if not path.exists():
            if not create:
                raise StoreError(
                    f"No timeweave store at {path}. Run `timeweave build PATH --db {path}` first."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    try:
        if not readonly:
            migrate(engine)
    except Exception as exc:  # the driver's message is specific; add what to do
        raise StoreError(f"Could not open the store {db}: {exc}. Check the path or URL and permissions.") from exc
    return engine
