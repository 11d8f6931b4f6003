"""The correction log as W3C Web Annotations (JSON-LD), to share, review and re-apply to another store.

Each action is one `Annotation`: its targets are the quotes it is anchored by, each a
TextQuoteSelector (exact, prefix, suffix) + TextPositionSelector on the source, so any Web
Annotation tool (Recogito, Hypothesis) shows what was corrected where; its bodies are the note
(`commenting`) and the action itself as JSON (`editing`), which `import_log` reads back. An
action keeps its uid (the annotation's id), so importing the same file twice adds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

import timeweave
from timeweave.curate.kinds import KINDS, CurateError
from timeweave.curate.record import engine_of
from timeweave.store import schema as t

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PREFIX = "urn:timeweave:curation:"
FORMAT = "application/vnd.timeweave.curation+json"  # the editing body: {"kind", "args", "target"}
MOTIVATION = {"reject": "moderating", "comparison_wrong": "assessing", "comparison_add": "assessing"}


def _quotes(target: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for key in ("events", "entities"):
        for anchor in target.get(key, []):
            found += anchor.get("quotes", [])
    found += target.get("evidence", [])
    for comparison in target.get("comparisons", []):
        found += comparison["event"].get("quotes", []) + comparison.get("statements", [])
    return found


def annotation(row) -> dict[str, Any]:
    """One action as a Web Annotation."""
    body = []
    if row.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": row.note})
    body.append({"type": "TextualBody", "purpose": "editing", "format": FORMAT,
                 "value": json.dumps({"kind": row.kind, "args": row.args, "target": row.target}, ensure_ascii=False)})
    targets = [{"source": f"urn:timeweave:source:{q['source']}", "selector": [
        {"type": "TextQuoteSelector", "exact": q["quote"], "prefix": q.get("prefix", ""), "suffix": q.get("suffix", "")},
        {"type": "TextPositionSelector", "start": q["start"], "end": q["end"]}]} for q in _quotes(row.target)]
    return {"id": PREFIX + row.uid, "type": "Annotation", "motivation": MOTIVATION.get(row.kind, "editing"),
            "created": row.created_at, "creator": {"type": "Person", "name": row.author},
            "body": body, "target": targets}


def export_log(db: str | Path | Engine, out: str | Path) -> Path:
    """Write the whole log (undos included, oldest first) as one AnnotationCollection."""
    engine = engine_of(db)
    with engine.connect() as conn:
        rows = conn.execute(select(t.curation_actions).order_by(t.curation_actions.c.id)).all()
    items = [annotation(r) for r in rows]
    document = {"@context": ANNO_CONTEXT, "id": "urn:timeweave:curation-log", "type": "AnnotationCollection",
                "label": f"timeweave {timeweave.__version__}: a historian's corrections of the chronicle",
                "total": len(items),
                "first": {"id": "urn:timeweave:curation-log:page-1", "type": "AnnotationPage", "startIndex": 0, "items": items}}
    path = Path(out)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _items(document: Any, path: Path) -> list[dict[str, Any]]:
    if isinstance(document, dict) and document.get("type") == "AnnotationCollection":
        return list((document.get("first") or {}).get("items") or [])
    if isinstance(document, dict) and document.get("type") == "Annotation":
        return [document]
    if isinstance(document, list):
        return document
    raise CurateError(f"{path}: not a Web Annotation, a list of them or an AnnotationCollection. "
                      "Give a file written by `timeweave curate export`.")


def _action(item: dict[str, Any], path: Path, n: int) -> dict[str, Any]:
    where = f"{path}, annotation {n}"
    ident = str(item.get("id") or "")
    if not ident.startswith(PREFIX):
        raise CurateError(f"{where}: its id {ident!r} is not a timeweave correction ({PREFIX}...); it cannot be applied.")
    bodies = item.get("body") if isinstance(item.get("body"), list) else [item.get("body")]
    editing = [b for b in bodies if isinstance(b, dict) and b.get("format") == FORMAT]
    notes = [b.get("value") for b in bodies if isinstance(b, dict) and b.get("purpose") == "commenting"]
    if len(editing) != 1:
        raise CurateError(f"{where}: it has no editing body of format {FORMAT}; it was not written by `timeweave curate export`.")
    try:
        action = json.loads(editing[0]["value"])
    except (TypeError, ValueError) as exc:
        raise CurateError(f"{where}: its editing body is not JSON ({exc}).") from None
    if not isinstance(action, dict) or action.get("kind") not in KINDS or not isinstance(action.get("target"), dict):
        raise CurateError(f"{where}: unknown correction {action.get('kind') if isinstance(action, dict) else action!r}. "
                          f"Valid ones: {', '.join(KINDS)}.")
    for quote in _quotes(action["target"]):
        if not all(k in quote for k in ("source", "start", "end", "quote")):
            raise CurateError(f"{where}: a quote of its target lacks source, start, end or quote.")
    creator = item.get("creator") or {}
    return {"uid": ident[len(PREFIX):], "kind": action["kind"], "target": action["target"], "args": action.get("args") or {},
            "note": notes[0] if notes else None, "author": str(creator.get("name") or "unknown")[:200],
            "created_at": str(item.get("created") or ""), "origin": "import"}


def import_log(db: str | Path | Engine, path: str | Path) -> tuple[int, int]:
    """Append a file's corrections not yet in the log (by uid), then recompute the chronicle; (added, skipped)."""
    from timeweave.curate.record import recompute

    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CurateError(f"Could not read {path}: {exc}. Give a JSON file written by `timeweave curate export`.") from None
    actions = [_action(item, path, n) for n, item in enumerate(_items(document, path), start=1)]
    engine = engine_of(db)
    with engine.begin() as conn:
        known = {r[0] for r in conn.execute(select(t.curation_actions.c.uid))}
        new = [a for a in actions if a["uid"] not in known]
        if new:
            conn.execute(insert(t.curation_actions), new)
    if new:
        recompute(engine)  # the log applies to a fresh reading, never on top of itself
    return len(new), len(actions) - len(new)
