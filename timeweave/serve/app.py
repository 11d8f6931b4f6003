"""The web application: one store, read-only pages with .json twins, one error shape.

As in datasette, the database is the API: every page is a dict rendered either by a Jinja2
template (autoescaped, because source texts are hostile input) or as JSON at the same path plus
`.json`. Errors are `{"ok": false, "error": ..., "status": ...}` in JSON and a page in HTML.
A Content-Security-Policy forbidding inline script is a second wall behind the escaping.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import platform
import sqlite3
from collections.abc import Callable, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, desc, select, text
from starlette.exceptions import HTTPException

import timeweave
from timeweave.errors import TimeweaveError
from timeweave.serve.filters import BadParameter
from timeweave.serve.timeline import mini_geometry
from timeweave.store import open_store
from timeweave.store import schema as t

log = logging.getLogger(__name__)

HERE = Path(str(resources.files("timeweave.serve")))
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
Handler = Callable[..., dict[str, Any]]


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the page: a source's `javascript:` URL is shown, never linked."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = _safe_url
    env.globals["mini_geometry"] = mini_geometry
    env.filters["combine_href"] = lambda e: {**e, "href": f"/events/{e['id']}"}
    env.filters["combine_lane"] = lambda lane, status: {
        **lane, "status": status, "href": f"/sources/{lane['source']}",
        "label": f"{lane['source']}: {lane.get('when_text') or lane.get('edtf')}"}
    env.filters["status_label"] = lambda s: (s or "").replace("_", " ")
    env.globals["query"] = lambda params, **change: "?" + urlencode({k: v for k, v in {**params, **change}.items() if v not in (None, "")})
    return env


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or request.query_params.get("_format") == "json"


def error_response(request: Request, status: int, message: str) -> Response:
    """The one error shape: JSON for .json paths, else an HTML page saying the same."""
    body = {"ok": False, "error": message, "status": status}
    if wants_json(request):
        return JSONResponse(body, status_code=status)
    env: Environment = request.app.state.templates
    html = env.get_template("error.html").render(title=f"Error {status}", data=body, alternate=None)
    return HTMLResponse(html, status_code=status)


def versions(engine: Engine) -> dict[str, Any]:
    """What is running: timeweave, Python, the database, spaCy, and what made the last build."""
    info: dict[str, Any] = {"timeweave": timeweave.__version__, "python": platform.python_version()}
    for package in ("spacy", "fastapi", "uvicorn", "sqlalchemy"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            info["postgres"] = conn.execute(text("SHOW server_version")).scalar()
        else:
            info["sqlite"] = sqlite3.sqlite_version
        run = conn.execute(select(t.runs).order_by(desc(t.runs.c.id)).limit(1)).first()
    info["last_build"] = None if run is None else {
        "run": run.id, "status": run.status, "finished_at": run.finished_at, "versions": run.versions}
    return info


class App:
    """Registers each page twice (HTML and .json) around one handler that returns a dict."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.api = FastAPI(title="timeweave", docs_url=None, redoc_url=None, openapi_url=None)
        self.api.state.templates = _templates()
        self.api.state.engine = engine

    def page(self, path: str, template: str, json_path: str | None = None) -> Callable[[Handler], Handler]:
        """Serve `handler(request, conn, **path_params)` at `path` (HTML) and `path.json`."""
        json_path = json_path or path + ".json"

        def register(handler: Handler) -> Handler:
            def endpoint(request: Request) -> Response:
                for name, value in request.path_params.items():  # /events/99999999999999999999: no such row
                    if isinstance(value, int) and not 0 <= value <= MAX_ID:
                        raise HTTPException(404, f"No {name.removesuffix('_id')} {value} in this store: ids run from 1 to {MAX_ID}.")
                with self.engine.connect() as conn:
                    data = handler(request, conn, **request.path_params)
                if wants_json(request):
                    return JSONResponse({"ok": True, **data})
                alt = re.sub(r":\w+}", "}", json_path).format(**request.path_params)
                if request.url.query:
                    alt += "?" + request.url.query
                html = self.api.state.templates.get_template(template).render(
                    data=data, alternate=alt, request_path=request.url.path, params=dict(request.query_params),
                    title=data.get("title", ""))
                return HTMLResponse(html)

            # The .json route first: `/sources/{id}` would otherwise swallow `x.json` as an id.
            self.api.add_api_route(json_path, endpoint, methods=["GET"], include_in_schema=False)
            self.api.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
            return handler

        return register


def create_app(db: str | Path | Engine, *, edit: str | None = None) -> FastAPI:
    """The read-only web UI over the store at `db` (path, URL or an open engine)."""
    from timeweave.serve.maps import add_map_pages
    from timeweave.serve.edit import add_curation
    from timeweave.serve.ask import add_ask
    from timeweave.serve.claims import add_claim_pages
    from timeweave.serve.pages import add_pages

    engine = db if isinstance(db, Engine) else open_store(db, create=False, readonly=not edit)
    app = App(engine)
    api = app.api
    api.mount("/-/static", StaticFiles(directory=str(HERE / "static")), name="static")
    add_pages(app)
    add_ask(app)  # /ask and /ask.json (serve/ask.py)
    add_claim_pages(app)  # /claims and /claims.json: claims grouped by question (serve/claims.py)
    add_map_pages(app)
    add_curation(app, token=edit)  # `serve --edit`: forms and write routes guarded by `edit`, the token (serve/edit.py)

    @api.middleware("http")
    async def guard(request: Request, call_next):
        """Outermost: the Host/Origin allowlist, a 500 in the one error shape, the security headers on every answer."""
        refused = refused_host(request, getattr(request.app.state, "allowed_hosts", None))
        if refused:
            response = error_response(request, 403, refused)
        else:
            try:
                response = await call_next(request)
            except Exception as exc:  # what no handler caught: still the error shape, still the headers
                log.exception("error serving %s", request.url.path)
                response = error_response(request, 500, f"Internal error ({type(exc).__name__}). The server log has the details.")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code == 404 and exc.detail in (None, "Not Found"):
            message = f"Nothing at {request.url.path}. Start from / or search with /search?q=..."
        return error_response(request, exc.status_code, message)

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, f"Invalid request: {exc.errors()[0].get('msg', 'bad parameter')}")

    @api.exception_handler(BadParameter)
    async def bad_parameter(request: Request, exc: BadParameter) -> Response:
        return error_response(request, 400, str(exc))

    @api.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        return error_response(request, 500, f"Internal error ({type(exc).__name__}). The server log has the details.")

    return api


LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_ID = 2**63 - 1  # the largest id a database integer holds


def allowed_hosts(bound: str, public: bool | Sequence[str] = ()) -> frozenset[str]:
    """Host names a request may carry: localhost names, the bound address, and the names given to --public.

    A web page on another site can make the browser send requests to 127.0.0.1 under its own name
    (DNS rebinding); checking the Host header against this list refuses them."""
    names = set(LOCAL_NAMES)
    if bound not in ("0.0.0.0", "::", ""):
        names.add(bound.strip("[]").lower())
    if not isinstance(public, bool):
        names.update(name.strip().strip("[]").lower() for name in public if name.strip())
    return frozenset(names)


def _hostname(value: str) -> str:
    """`example.org:8000` -> `example.org`, `[::1]:8000` -> `::1`, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def refused_host(request: Request, allowed: frozenset[str] | None) -> str | None:
    """Why a request is refused (a Host or Origin not in `allowed`), or None; no check when `allowed` is None."""
    if allowed is None:
        return None
    host = _hostname(request.headers.get("host", ""))
    if host not in allowed:
        return (f"Host {host!r} is not served here (DNS rebinding protection). Open the UI as http://localhost/..., "
                "or start it with `timeweave serve --public NAME` to allow another name.")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        origin_host = _hostname(urlsplit(origin).netloc) if "://" in origin else ""
        if origin_host not in allowed:
            return f"Requests from pages of {origin!r} are not answered (only this UI's own pages may call it)."
    return None


def check_host(host: str, *, public: bool | Sequence[str]) -> None:
    """Refuse to bind beyond loopback unless asked: the UI has no login."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not public:
        raise TimeweaveError(
            f"Refusing to serve on {host}: it is reachable beyond this machine and the UI has no login. "
            "Pass --public NAME (the host name users will type) to do it anyway, or use --host 127.0.0.1.")


def serve(db: str | Path, *, host: str = "127.0.0.1", port: int = 8000, public: bool | Sequence[str] = False, edit: str | None = None) -> None:
    """Serve the UI over `db` until interrupted (blocking)."""
    import uvicorn

    check_host(host, public=public)
    app = create_app(db, edit=edit)
    app.state.allowed_hosts = allowed_hosts(host, public)  # the Host/Origin allowlist (`refused_host`)
    log.info("serving %s on http://%s:%d/", db, host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning")

