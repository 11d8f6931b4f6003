"""`timeweave serve --edit`: the event and entity pages get forms that record corrections (timeweave.curate).

Without `--edit` none of this is registered and the server stays read-only. With it, writing needs
three things, so that neither another local user nor a web page open in the same browser can write:
- the token printed at start, exchanged once at `/-/edit/login?token=...` for an HttpOnly,
  SameSite=Strict session cookie (or sent as `Authorization: Bearer TOKEN` by a script);
- with the cookie, the CSRF token the forms carry (both are new at every start: a form from an
  earlier run is refused as stale, and nothing is changed);
- a request addressed to this machine (Host is loopback, against DNS rebinding) and, when the
  browser says where it comes from (Origin, else Referer), coming from this same origin.
Every value is escaped by the templates as everywhere else; a refused or invalid request changes
nothing and gets the app's one error shape.
"""

from __future__ import annotations

import contextvars
import hmac
import logging
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from timeweave.errors import TimeweaveError

log = logging.getLogger(__name__)

COOKIE = "timeweave_edit"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAX_BODY = 64 * 1024  # a form is small; a larger body is refused before it is parsed
_editing: contextvars.ContextVar[bool] = contextvars.ContextVar("timeweave_editing", default=False)


class Refused(TimeweaveError):
    """A write the server will not take: no token, stale token, another origin or host."""


def new_token() -> str:
    """The token printed at start (and needed to edit)."""
    return secrets.token_urlsafe(24)


class Guard:
    """Checks a write request: token or session + CSRF, loopback Host, same Origin."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.session = secrets.token_urlsafe(32)  # the cookie given for the token
        self.csrf = secrets.token_urlsafe(32)  # in every form of this run

    def signed_in(self, request: Request) -> bool:
        return hmac.compare_digest(request.cookies.get(COOKIE, ""), self.session)

    def check_host(self, request: Request) -> str:
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if name not in LOOPBACK:
            raise Refused(f"Editing is refused for requests addressed to {host!r}: only this machine "
                          "(127.0.0.1 or localhost) may edit. Open the page at http://127.0.0.1:PORT/.")
        return host

    def check_write(self, request: Request, form: dict[str, str]) -> None:
        host = self.check_host(request)
        origin = request.headers.get("origin") or ""
        referer = request.headers.get("referer") or ""
        came_from = origin or (f"{urlsplit(referer).scheme}://{urlsplit(referer).netloc}" if referer else "")
        if came_from == "null":
            raise Refused("Refused a change whose origin the browser hides (Origin: null): reload the page from "
                          "this server and try again.")
        if came_from and came_from not in (f"http://{host}", f"https://{host}"):
            raise Refused(f"Refused a change sent from another site ({came_from}): edits are made from this server's pages only.")
        bearer = request.headers.get("authorization", "")
        if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].strip(), self.token):
            return
        if not self.signed_in(request):
            raise Refused("Editing needs the token printed when the server started: open /-/edit/login?token=TOKEN "
                          "(or send Authorization: Bearer TOKEN).")
        if not came_from:
            raise Refused("Refused a change that does not say where it comes from (no Origin or Referer).")
        if not hmac.compare_digest(form.get("csrf", ""), self.csrf):
            raise Refused("This form's edit token is stale (the server was restarted or the page is old): "
                          "reload the page and try again. Nothing was changed.")


def _form(body: bytes) -> dict[str, str]:
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()} | {f"{k}[]": "\n".join(v) for k, v in fields.items() if len(v) > 1}


def _ints(text: str) -> list[int]:
    from timeweave.curate import CurateError

    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise CurateError(f"Expected one or more ids (numbers), got {text!r}.")
    return [int(p) for p in parts]


def _event_action(engine: Engine, event_id: int, action: str, form: dict[str, str], who: dict[str, Any]) -> tuple[dict, str]:
    from timeweave import curate

    if action == "date":
        return curate.set_date(engine, event_id, form.get("edtf", ""), **who), f"/events/{event_id}"
    if action == "label":
        return curate.set_label(engine, event_id, form.get("label", ""), **who), f"/events/{event_id}"
    if action == "type":
        return curate.set_type(engine, event_id, form.get("type", ""), **who), f"/events/{event_id}"
    if action == "reject":
        return curate.reject(engine, event_id, **who), "/events"
    if action == "merge":
        return curate.merge(engine, [event_id, *_ints(form.get("others", ""))], **who), f"/events/{event_id}"
    if action == "move":
        result = curate.move(engine, form.get("evidence", ""), _ints(form.get("to", ""))[0], **who)
        return result, f"/events/{result['applies_to'].get('events', [event_id])[0]}"
    if action == "split":
        chosen = [v for v in (form.get("evidence[]") or form.get("evidence") or "").split("\n") if v]
        result = curate.split(engine, event_id, chosen, label=form.get("label") or None, **who)
        return result, f"/events/{result['applies_to'].get('events', [event_id])[-1]}"
    raise curate.CurateError(f"Unknown event correction {action!r}.")


def _entity_action(engine: Engine, entity_id: int, action: str, form: dict[str, str], who: dict[str, Any]) -> tuple[dict, str]:
    from timeweave import curate

    if action == "alias":
        return curate.alias(engine, entity_id, form.get("text", ""), remove=form.get("remove") == "1", **who), f"/entities/{entity_id}"
    if action == "type":
        return curate.entity_type(engine, entity_id, form.get("type", ""), **who), f"/entities/{entity_id}"
    if action == "merge":
        return curate.entity_merge(engine, [entity_id, *_ints(form.get("others", ""))], **who), f"/entities/{entity_id}"
    raise curate.CurateError(f"Unknown entity correction {action!r}.")


def _comparison_action(engine: Engine, comparison_id: int, action: str, form: dict[str, str], who: dict[str, Any]) -> tuple[dict, str]:
    from timeweave import curate

    if action == "wrong":
        result = curate.comparison_wrong(engine, comparison_id, **who)
        return result, f"/events/{form['event']}" if form.get("event", "").isdigit() else "/comparisons"
    raise curate.CurateError(f"Unknown comparison correction {action!r}.")


def add_curation(app: Any, *, token: str | None) -> None:
    """Marks of curated fields on every page; with a token (`serve --edit`), the forms and write routes."""
    from timeweave.curate.marks import marks_of
    from timeweave.serve.app import error_response

    api, engine = app.api, app.engine
    env = api.state.templates

    def curated(obj: str, object_id: int) -> list[dict[str, Any]]:
        with engine.connect() as conn:
            return marks_of(conn, obj, object_id)

    env.globals["curated"] = curated
    env.globals["editing"] = _editing.get
    if not token:
        return
    guard = Guard(token)
    env.globals["csrf"] = lambda: guard.csrf
    api.state.edit_guard = guard

    @api.middleware("http")
    async def editing_flag(request: Request, call_next):
        _editing.set(guard.signed_in(request))
        response = await call_next(request)
        # With the app's `no-referrer`, a browser sends `Origin: null` on a form POST, which proves
        # nothing; `same-origin` lets it say the form came from here (and still tells no other site).
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @api.get("/-/edit/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        try:
            guard.check_host(request)
        except Refused as error:
            return error_response(request, 403, str(error))
        given = request.query_params.get("token", "")
        if not hmac.compare_digest(given, guard.token):
            return error_response(request, 403, "Wrong or stale edit token: use the one `timeweave serve --edit` printed at start.")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, guard.session, httponly=True, samesite="strict", path="/")
        return response

    async def write(request: Request, handler, ident: int, action: str) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return error_response(request, 413, f"The form is larger than {MAX_BODY} bytes; nothing was changed.")
        form = _form(body)
        try:
            guard.check_write(request, form)
        except Refused as error:
            log.warning("edit refused: %s", error)
            return error_response(request, 403, str(error))
        who = {"note": form.get("note") or None, "by": form.get("by") or "web", "origin": "web"}
        try:
            result, then = handler(engine, ident, action, form, who)
        except TimeweaveError as error:
            return error_response(request, 400, f"{error} Nothing was changed.")
        log.info("edit: action %s %s: %s", result["id"], result["kind"], result["detail"])
        return RedirectResponse(then, status_code=303)

    @api.post("/-/edit/events/{event_id:int}/{action}", include_in_schema=False)
    async def edit_event(request: Request, event_id: int, action: str) -> Response:
        return await write(request, _event_action, event_id, action)

    @api.post("/-/edit/comparisons/{comparison_id:int}/{action}", include_in_schema=False)
    async def edit_comparison(request: Request, comparison_id: int, action: str) -> Response:
        return await write(request, _comparison_action, comparison_id, action)

    @api.post("/-/edit/entities/{entity_id:int}/{action}", include_in_schema=False)
    async def edit_entity(request: Request, entity_id: int, action: str) -> Response:
        return await write(request, _entity_action, entity_id, action)
