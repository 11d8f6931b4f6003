"""Keeping the claims of the sources whose inputs did not change, so adding one source extracts one source's.

Why it is exact: `extract` reads one source at a time. A claim is made of one mention's sentence and what
its own source says around it (the same sentence, the paragraph before, up to two event-telling paragraphs
back: `extract.previous_accounts`), the names of the entities it names, and the event `reconcile` joined
each mention of that source to; duplicates are dropped within a sentence; the claims come out sorted by
source first. So the claims of a source depend on nothing but what its `signature` holds: every field of
its mentions as `load` resolved them (voices, copies, entity ids, sentences: `reconcile.incremental.mention_key`),
their events, the names and types of the entities they name, and the code and data of the claims package
and of reconcile's loader. A source whose signature equals the one stored by the last run gets the claims
that run extracted (kept as JSON in `corpus_state`, one row per source, before alignment touched them); the
others are extracted again, all in one call on a corpus of their mentions alone; the lists are joined in
source order and numbered as a full run numbers them. tests/test_claims_incremental.py checks that extracting
source by source gives what extracting the whole corpus gives, and that incremental builds give the rows
of a full one.

What comes after extraction (embedding from the cache, alignment, relations, echoes) reads every claim and
is a small share of the stage (bench/claims.py --profile), so it runs over all of them in every run, and the
rows are written as a diff (`write`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from timeweave.claims.extract import Claim, extract
from timeweave.reconcile.dates import Interval
from timeweave.reconcile.incremental import code_digest as reconcile_digest
from timeweave.reconcile.incremental import mention_key
from timeweave.reconcile.load import Corpus, Mention
from timeweave.store import schema as t

log = logging.getLogger(__name__)

PREFIX = "claims.source:"  # corpus_state key of a source's cached claims: PREFIX + sha1(source id)
CHUNK = 500


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the claims package (code and data) and of reconcile's (the loader, dates): claims extracted by
    other code are never kept as if this code had extracted them."""
    root = Path(__file__).resolve().parent
    h = hashlib.blake2b(reconcile_digest().encode(), digest_size=16)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def signatures(corpus: Corpus, event_of: dict[int, int | None]) -> dict[str, str]:
    """source id -> a hash of everything its claims depend on (see the module docstring)."""
    hashes: dict[str, Any] = {}
    names: dict[str, set[int]] = {}
    for m in corpus.mentions:
        h = hashes.get(m.source_id)
        if h is None:
            h = hashes[m.source_id] = hashlib.blake2b(code_digest().encode(), digest_size=20)
            names[m.source_id] = set()
        h.update(mention_key(m).encode() + b"\x1f" + str(event_of.get(m.id)).encode() + b"\n")
        named = names[m.source_id]
        named |= m.entities | m.agents | m.patients
        named.update(n[3] for n in m.named if n[3] is not None)
    out = {}
    for source_id, h in hashes.items():
        h.update(repr([(e, corpus.entity_names.get(e), corpus.entity_types.get(e))
                       for e in sorted(names[source_id])]).encode())
        out[source_id] = h.hexdigest()
    return out


def extract_sources(corpus: Corpus, event_of: dict[int, int | None], sources: set[str]) -> dict[str, list[Claim]]:
    """The claims of `sources` (source id -> its claims in reading order), extracted in one call over a corpus
    of their mentions alone; ids are positions within that call, renumbered by the caller."""
    if not sources:
        return {}
    sub = dataclasses.replace(corpus, mentions=[m for m in corpus.mentions if m.source_id in sources])
    out: dict[str, list[Claim]] = {source: [] for source in sources}
    for claim in extract(sub, event_of):
        out[claim.source_id].append(claim)
    return out


def _encode(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return {"$set": sorted((_encode(v) for v in value), key=repr)}
    if isinstance(value, Interval):
        return {"$interval": [_encode(getattr(value, f.name)) for f in dataclasses.fields(Interval)]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a claim's dict with keys other than strings cannot be cached")
        return {"$dict": {k: _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a claim field of type {type(value).__name__} cannot be cached")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        (tag, inner), = value.items()
        if tag == "$set":
            return frozenset(_decode(v) for v in inner)
        if tag == "$interval":
            return Interval(*(_decode(v) for v in inner))
        if tag == "$tuple":
            return tuple(_decode(v) for v in inner)
        return {k: _decode(v) for k, v in inner.items()}
    return value


_SKIP = ("quote", "id", "comparison_id")  # the quote is the mention's sentence; ids are given per run


def dump(claims: list[Claim]) -> str | None:
    """A source's claims as JSON, every field but those in `_SKIP`; None when one cannot be written and read
    back equal (a field of a type this module does not know: the source is then extracted in every run)."""
    try:
        text = json.dumps([{f.name: _encode(getattr(c, f.name)) for f in dataclasses.fields(Claim)
                            if f.name not in _SKIP} for c in claims], separators=(",", ":"))
    except TypeError as error:
        log.warning("claims: not cached (%s)", error)
        return None
    sentences = {c.mention_id: c.quote for c in claims}
    back = load_claims(text, sentences)
    if [dataclasses.replace(c, id=0, comparison_id=None) for c in claims] != back:
        log.warning("claims: not cached (a field does not read back equal)")
        return None
    return text


def load_claims(text: str, sentences: dict[int, str]) -> list[Claim]:
    """Claims written by `dump`, their quotes put back from `sentences` (mention id -> its sentence)."""
    out = []
    for fields in json.loads(text):
        values = {name: _decode(value) for name, value in fields.items()}
        out.append(Claim(quote=sentences.get(values["mention_id"], ""), **values))
    return out


def _key(source_id: str) -> str:
    return PREFIX + hashlib.sha1(source_id.encode("utf-8")).hexdigest()


def read_cache(conn: Connection) -> dict[str, tuple[str, str]]:
    """source id -> (signature, claims JSON) as the last run left them."""
    out = {}
    for r in conn.execute(select(t.corpus_state.c.value).where(t.corpus_state.c.key.startswith(PREFIX))):
        entry = json.loads(r.value)
        out[entry["source"]] = (entry["signature"], entry["claims"])
    return out


def write_cache(conn: Connection, old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> None:
    """Make the cache hold `new`, touching only the sources whose entry differs (a removed source's goes)."""
    gone = sorted(_key(s) for s in old if old[s] != new.get(s))
    for at in range(0, len(gone), CHUNK):
        conn.execute(delete(t.corpus_state).where(t.corpus_state.c.key.in_(gone[at:at + CHUNK])))
    rows = [{"key": _key(s), "value": json.dumps({"source": s, "signature": sig, "claims": text})}
            for s, (sig, text) in sorted(new.items()) if old.get(s) != (sig, text)]
    if rows:
        conn.execute(insert(t.corpus_state), rows)


def clear_cache(conn: Connection) -> None:
    conn.execute(delete(t.corpus_state).where(t.corpus_state.c.key.startswith(PREFIX)))


def claims_of_corpus(conn: Connection, corpus: Corpus, event_of: dict[int, int | None], *,
                     full: bool) -> tuple[list[Claim], int]:
    """Every claim of the corpus, numbered from 1 in reading order as `extract` numbers them, and how many
    sources were extracted again; the sources whose signature is stored keep their cached claims (none when
    `full`). Refreshes the cache."""
    sigs = signatures(corpus, event_of)
    old = read_cache(conn)
    keep = {} if full else {s: entry for s, entry in old.items() if s in sigs and entry[0] == sigs[s]}
    dirty = set(sigs) - set(keep)
    fresh = extract_sources(corpus, event_of, dirty)
    sentences: dict[int, str] = {}
    if keep:
        sentences = {m.id: m.sentence for m in corpus.mentions if m.source_id in keep}
    new, found = dict(keep), []
    for source in sorted(sigs):
        if source in keep:
            found += load_claims(keep[source][1], sentences)
            continue
        text = dump(fresh[source])
        if text is not None:
            new[source] = (sigs[source], text)
        found += fresh[source]
    for number, claim in enumerate(found, start=1):
        claim.id = number
        claim.comparison_id = None
    if full:
        clear_cache(conn)
        old = {}
    write_cache(conn, old, new)
    return found, len(dirty)
