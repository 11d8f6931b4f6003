"""The read-only web UI: `serve(db)` runs it, `create_app(db)` builds the ASGI app (for tests)."""

from timeweave.serve.app import create_app, serve

__all__ = ["create_app", "serve"]
