"""Keeping the claims of the sources whose inputs did not change, found by indexed reads of what the build touched.

What a source's claims depend on: `extract` reads one source at a time. A claim is made of one mention's
sentence and what its own source says around it (the same sentence, the paragraph before, up to two
event-telling paragraphs back: `extract.previous_accounts`), the names and types of the entities it names,
and the event `reconcile` joined each mention of that source to; duplicates are dropped within a sentence;
the claims come out sorted by source first. So a source's claims are a function of (1) its own rows, (2) its
voice (`load.assign_voices` over every source's authors), (3) which of its passages are copies (a copy makes
no claim), (4) the event id of each of its event mentions, (5) the entity id of each of its mentions and
those entities' names and types, and (6) the code and data of the claims package and of reconcile's loader.

Which sources are extracted again (`plan`), each input by the place it can change:
(1) the build's added and re-stored sources (`changes`); (2) the voices now against the map the last run
stored (one read of `sources`, only the sources sharing an author kept); (3) the copy marks now against the
stored ones (a read of the passages marked as copies only); (4) for each event in `changes.events` (reconcile
adds every event it created, removed or whose rows it changed), the mentions holding it now (indexed by
event) against the index row the last run stored for it (`claims.event:<id>`: source -> digest of the ids of
its mentions holding it): a source whose digest differs gained, lost or moved a mention, including one that
now holds no event, which only the stored row remembers; (5) the same for `changes.entities` (link adds every
entity created, removed or whose mentions or names changed) over `mentions.entity_id`, and an entity whose
stored name or type differs reaches every source naming it, then or now; (6) the code digest stored with
the state: any difference, or `changes` None or full, extracts every source. A source not in that set has
the same inputs as at the last run, so the claims that run extracted (kept as JSON in `corpus_state`, one
row per source, quotes included, before alignment touched them) are the ones a full run extracts now. A source
that only (4) made dirty, whose mentions hold the same sets of events under other ids (an event renumbered when
its founding mention came or went), keeps its cached claims with the ids replaced (`renamed`). The
extracted sources are read with `load(sources=...)` (their rows only) in batches of BATCH, which also bounds
the memory of a full run; the lists are joined in source order and numbered as a full extraction numbers
them. The index rows of the sources extracted again or removed are rewritten. tests/test_claims_incremental.py
checks each input, extracting source by source against the whole corpus, and incremental runs against full
ones.

What comes after extraction (embedding from the cache, alignment, relations, echoes) still reads every
claim in every run: placement by similarity within blocks capped at a size, the rejoining of one-voice
groups by value, the grouping by subject and the echoes of a lone claim compare claims across the whole
corpus. An index of those keys alone would not make it partial: claims joined by any key they share form
one component of 9,343 of the 9,350 claims of a 1,600-document store (4,778 even without the kind blocks,
echo values, participants and entity blocks), so reading what shares a key with the new claims reads the
corpus. What an added claim changes is found by following changed outputs phase by phase (same sides,
placement, subjects, rejoin, relations, echoes), which needs each phase's outputs and the block sizes kept:
not built yet, except for rejoin's searches by vector, whose answers are kept per block (`searched`; placement's,
kept the same way per candidate list, cost as much to fingerprint as to search). Reading every claim would stay: the claims an add's echoes and kind blocks compare with
span half the sources at 255 documents (427 and 406 claims of 129 and 93 of 249 sources) and the echoes 719 of
1,479 sources at 1,600, so reading only what an add touches needs the cache kept by key, not by source. It is
O(claims) with small constants (a claim's row id is a hash of what it says, `write.claim_ids`, so an added source
leaves the other rows alone), and the rows are written as a diff that reads only the id ranges it can change
(`write`). When the claims as extracted (the digest `claims_of_corpus` returns: every source's cache entry
that holds a claim, in order), the events and the settings are the last run's, the stage keeps that run's
rows without aligning again (`claims.basis`, the package docstring).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select

from timeweave.claims.cache import _claims_of, dump, load_claims  # noqa: F401  (load_claims: tests import it here)
from timeweave.claims.extract import Claim, extract
from timeweave.claims.renamed import renamed, renamings
from timeweave.claims.write import claim_bases
from timeweave.reconcile.incremental import code_digest as reconcile_digest
from timeweave.reconcile.load import Corpus, assign_voices, load
from timeweave.store import schema as t
from timeweave.store.changes import Changes

log = logging.getLogger(__name__)

PREFIX = "claims.source:"  # corpus_state key of a source's cached claims: PREFIX + sha1(source id)
HELD = "claims.held:"  # + sha1(source id): the events and entities its mentions held at the last run (digests)
REFS = {"event": "claims.event:", "entity": "claims.entity:"}  # + id: {"by": {source: digest}, "label": ...}
STATE = "claims.state"  # the code digest, the shared voices, the copy marks and the uncached sources of the last run
CHUNK = 500
BATCH = 40  # sources read and extracted at a time: bounds the memory of a full run


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the claims package (code and data) and of reconcile's (the loader, dates): claims extracted by
    other code are never kept as if this code had extracted them."""
    root = Path(__file__).resolve().parent
    h = hashlib.blake2b(reconcile_digest().encode(), digest_size=16)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


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


def _key(source_id: str, prefix: str = PREFIX) -> str:
    return prefix + hashlib.sha1(source_id.encode("utf-8")).hexdigest()


def _chunks(values) -> Iterator[list]:
    values = sorted(values, key=repr)
    for at in range(0, len(values), CHUNK):
        yield values[at:at + CHUNK]


def _digest(mention_ids: list[int]) -> str:
    return hashlib.blake2b(repr(sorted(mention_ids)).encode(), digest_size=8).hexdigest()


def _holders(conn: Connection, kind: str, *, refs: Iterable[int] = (), sources: Iterable[str] = ()
             ) -> dict[int, dict[str, str]]:
    """id -> {source: digest of the ids of its mentions holding it} now, for events (`event_mentions.event_id`)
    or entities (`mentions.entity_id`), read by those ids or by those sources (indexed reads both)."""
    table = t.event_mentions if kind == "event" else t.mentions
    column = table.c.event_id if kind == "event" else table.c.entity_id
    held: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for by, values in ((column, refs), (table.c.source_id, sources)):
        for chunk in _chunks(set(values)):
            for mention, source, ref in conn.execute(select(table.c.id, table.c.source_id, column)
                                                     .where(by.in_(chunk), column.is_not(None))):
                held[ref][source].append(mention)
    return {ref: {source: _digest(ids) for source, ids in by_source.items()} for ref, by_source in held.items()}


def _labels(conn: Connection, entities: Iterable[int]) -> dict[int, list]:
    """entity id -> [name, type] as stored now (an entity gone has none)."""
    e = t.entities.c
    return {r[0]: [r[1], r[2]] for chunk in _chunks(set(entities))
            for r in conn.execute(select(e.id, e.name, e.type).where(e.id.in_(chunk)))}


def _read(conn: Connection, keys: Iterable[str]) -> dict[str, Any]:
    return {r.key: json.loads(r.value) for chunk in _chunks(set(keys))
            for r in conn.execute(select(t.corpus_state.c.key, t.corpus_state.c.value)
                                  .where(t.corpus_state.c.key.in_(chunk)))}


def _replace(conn: Connection, rows: dict[str, Any]) -> None:
    """Set these corpus_state keys to these values (None: delete the key)."""
    for chunk in _chunks(rows):
        conn.execute(delete(t.corpus_state).where(t.corpus_state.c.key.in_(chunk)))
    values = [{"key": k, "value": _text(v)}
              for k, v in sorted(rows.items()) if v is not None]
    for at in range(0, len(values), CHUNK):
        conn.execute(insert(t.corpus_state), values[at:at + CHUNK])


def clear_cache(conn: Connection) -> None:
    for prefix in (PREFIX, HELD, *REFS.values(), STATE):
        conn.execute(delete(t.corpus_state).where(t.corpus_state.c.key.startswith(prefix)))


def _voices(conn: Connection) -> dict[str, str]:
    """source id -> its voice, for the sources whose voice is not their own (they share an author)."""
    sources = [(r[0], list(r[1] or [])) for r in conn.execute(select(t.sources.c.id, t.sources.c.authors))]
    return {s: v for s, v in assign_voices(sources).items() if s != v}


def _copies(conn: Connection) -> dict[str, list[int]]:
    """source id -> its passages marked as copies (within it or of another document), for the sources with one."""
    out: dict[str, list[int]] = defaultdict(list)
    for pid, source in conn.execute(select(t.passages.c.id, t.passages.c.source_id)
                                    .where(t.passages.c.duplicate_of.is_not(None)).order_by(t.passages.c.id)):
        out[source].append(pid)
    return dict(out)


def _differ(old: dict, new: dict) -> set:
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}


def plan(conn: Connection, changes: Changes, state: dict[str, Any], voices: dict[str, str],
         copies: dict[str, list[int]], moved: set[str] | None = None) -> set[str]:
    """The sources whose claims may differ from the cached ones (see the module docstring), by indexed reads;
    `moved` takes those of them that only their events' holders made dirty (`renamed`)."""
    dirty = set(changes.added | changes.changed) | set(state.get("uncached", ()))
    dirty |= _differ(state.get("voices", {}), voices) | _differ(state.get("copies", {}), copies)
    by_event: set[str] = set()
    for kind, touched in (("event", changes.events), ("entity", changes.entities)):
        if not touched:
            continue
        stored = _read(conn, (REFS[kind] + str(ref) for ref in touched))
        now = _holders(conn, kind, refs=touched)
        labels = _labels(conn, touched) if kind == "entity" else {}
        for ref in touched:
            row = stored.get(REFS[kind] + str(ref), {})
            was, held = row.get("by", {}), now.get(ref, {})
            if kind == "entity" and row.get("label") != labels.get(ref):
                dirty |= was.keys() | held.keys()  # renamed, retyped, created or gone: every source naming it
            else:
                (by_event if kind == "event" else dirty).update(_differ(was, held))
    if moved is not None:
        moved |= by_event - dirty
    return dirty | by_event


def _extract(conn: Connection, sources: list[str], undated_events: bool) -> Iterator[tuple[str, list[Claim]]]:
    """(source, its claims) for these sources, in sorted order, read BATCH sources at a time (memory bounded by
    a batch, not the corpus)."""
    for at in range(0, len(sources), BATCH):
        batch = sources[at:at + BATCH]
        corpus = load(conn, sources=batch, undated_events=undated_events)
        fresh = extract_sources(corpus, corpus.links, set(batch))
        del corpus
        for source in batch:
            yield source, fresh[source]


def claims_of_corpus(conn: Connection, changes: Changes | None, *, undated_events: bool = False,
                     reuse: Callable[[str | None, list[Claim]], bool] | None = None
                     ) -> tuple[list[Claim] | None, int, int, str | None, list[int] | None, dict[str, str]]:
    """Every claim of the corpus, numbered from 1 in reading order as `extract` numbers them, how many sources
    were extracted again and how many there are; the others keep their cached claims (none when `changes` is
    None or full, or the code changed). Refreshes the cache and its index. Last, a digest of every source's
    cache entry that holds a claim, in order (equal entries are equal claims), None when a source could not be
    cached: the stage skips what follows extraction when it and the rest of its inputs are unchanged. Then
    each claim's `write.claim_bases`, kept in its source's entry (None when an entry lacks them). Last, source ->
    the digest of its entry (a source that could not be cached has none), for `write` to tell the ranges whose
    claims are those it wrote last time.

    `reuse(digest, claims extracted now)`: when it says yes, the cached claims of the other sources are not read
    and the claims are None. It is asked only when the last run kept each source's entry digest (`STATE`)."""
    now = sorted(r[0] for r in conn.execute(select(t.sources.c.id)))
    voices, copies = _voices(conn), _copies(conn)
    state = _read(conn, [STATE]).get(STATE, {})
    full = changes is None or changes.full or state.get("code") != code_digest()
    moved: set[str] = set()
    if full:
        clear_cache(conn)
        dirty, state = set(now), {}
    else:
        dirty = plan(conn, changes, state, voices, copies, moved) & set(now)
    last = state.get("entries") if reuse is not None else None  # source -> its entry's digest ("": no claim)
    entry_digests: dict[str, str] = {}
    kept: dict[str, tuple[list[Claim], list[int] | None]] | None = None
    if last is None:
        kept = _kept(conn, set(now) - dirty, entry_digests)
        dirty |= set(now) - dirty - kept.keys()  # no cache (a source the last run could not cache): extracted
    else:
        dirty |= {s for s in now if s not in last}  # no cache: extracted
        entry_digests = {s: last[s] for s in now if s not in dirty}
    gone = set() if full else set(changes.removed) - set(now)
    entries = {} if full else _read(conn, (_key(s, HELD) for s in dirty | gone))
    held = {kind: _by_source(_holders(conn, kind, sources=dirty)) for kind in REFS}
    fresh: dict[str, list[Claim]] = {}
    writes: dict[str, Any] = {}
    new_refs: dict[str, dict[str, dict[int, str]]] = {}
    uncached = []
    kept_renamed = _renamed(conn, renamings(moved & dirty, entries, held, lambda s: _key(s, HELD)))
    extracted = _extract(conn, sorted(dirty - kept_renamed.keys()), undated_events)
    for source in sorted(dirty):
        claims = kept_renamed[source] if source in kept_renamed else next(extracted)[1]
        text = dump(claims)
        refs = {kind: held[kind].get(source, {}) for kind in REFS}
        new_refs[source] = refs
        if text is None:
            uncached.append(source)
        writes[_key(source)] = {"source": source, "claims": None if text is None else json.loads(text),
                                "ids": claim_bases(claims)}
        if text is not None:
            entry_digests[source] = _entry_digest(_text(writes[_key(source)])) if claims else ""
        writes[_key(source, HELD)] = {"source": source, **{kind: {str(k): v for k, v in refs[kind].items()}
                                                           for kind in REFS}}
        fresh[source] = claims, writes[_key(source)]["ids"]
    for source in gone:
        writes[_key(source)] = writes[_key(source, HELD)] = None
    writes.update(_index_rows(conn, entries, new_refs, gone))
    writes[STATE] = {"code": code_digest(), "voices": voices, "copies": copies, "uncached": sorted(uncached),
                     "entries": {s: entry_digests[s] for s in now if s in entry_digests}}
    if writes[STATE] == state:
        del writes[STATE]
    _replace(conn, writes)
    whole = None
    if not uncached:
        h = hashlib.blake2b(digest_size=16)
        for source in now:
            if entry_digests[source]:  # a source with no claim adds nothing to what is aligned
                h.update(f"{source}\0{entry_digests[source]}\n".encode("utf-8"))
        whole = h.hexdigest()
    if kept is None:
        if reuse(whole, [c for claims, _ids in fresh.values() for c in claims]):
            return None, len(dirty) - len(kept_renamed), len(now), whole, None, entry_digests
        kept = _kept(conn, set(now) - dirty)
        if kept.keys() != set(now) - dirty:
            raise RuntimeError("claims: the cache lacks sources its state lists; run `timeweave build --full`")
    found: list[Claim] = []
    bases: list[int] | None = []
    for source in now:
        claims, ids = fresh[source] if source in dirty else kept.pop(source)
        found += claims
        if bases is not None and ids is not None:
            bases += ids
        else:
            bases = None
    for number, claim in enumerate(found, start=1):
        claim.id = number
        claim.comparison_id = None
    return found, len(dirty) - len(kept_renamed), len(now), whole, bases, entry_digests


def _renamed(conn: Connection, renaming: dict[str, dict[int, int]]) -> dict[str, list[Claim]]:
    """The cached claims of the sources whose events were only renamed, with the new ids (`renamed`): those sources
    are not extracted again. A source whose entry lacks its claims, or holds an event the map lacks, is left out."""
    out = {}
    for value in _read(conn, (_key(s) for s in renaming)).values():
        if value["claims"] is not None:
            claims = renamed(_claims_of(value["claims"]), renaming[value["source"]])
            if claims is not None:
                out[value["source"]] = claims
    if out:
        log.info("claims: %d sources kept their cached claims with their events renamed", len(out))
    return out


def _text(value: Any) -> str:
    """A corpus_state value as `_replace` stores it."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _entry_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _by_source(holders: dict[int, dict[str, str]]) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for ref, by in holders.items():
        for source, digest in by.items():
            out[source][ref] = digest
    return out


def _kept(conn: Connection, sources: set[str], digests: dict[str, str] | None = None
          ) -> dict[str, tuple[list[Claim], list[int] | None]]:
    """The cached claims of these sources (their quotes included) and their kept `claim_bases` (None in an entry
    written before they were kept), of those that have them; `digests` takes the digest of each one's entry."""
    out = {}
    if sources:
        key = t.corpus_state.c.key
        # SQLite: a range of the primary key (its LIKE scans every row); PostgreSQL: LIKE, since a collation other
        # than C may order ':' and ';' apart from their bytes
        cached = and_(key >= PREFIX, key < PREFIX[:-1] + ";") if conn.dialect.name == "sqlite" else key.startswith(PREFIX)
        for r in conn.execute(select(t.corpus_state.c.value).where(cached)):
            entry = json.loads(r.value)
            if entry["source"] in sources and entry["claims"] is not None:
                out[entry["source"]] = _claims_of(entry["claims"]), entry.get("ids")
                if digests is not None:
                    digests[entry["source"]] = _entry_digest(r.value) if out[entry["source"]][0] else ""
    return out


def _index_rows(conn: Connection, entries: dict[str, Any], new: dict[str, dict], gone: set[str]) -> dict[str, Any]:
    """The rows of the index (event or entity id -> {source: digest of its mentions holding it}, an entity's label)
    that the sources extracted again or removed change."""
    replaced = {entry["source"] for entry in entries.values()} | set(new) | gone
    touched: dict[str, set[int]] = {kind: set() for kind in REFS}
    for entry in entries.values():
        for kind in REFS:
            touched[kind] |= {int(k) for k in entry.get(kind, {})}
    for refs in new.values():
        for kind in REFS:
            touched[kind] |= set(refs[kind])
    out: dict[str, Any] = {}
    for kind, ids in touched.items():
        stored = _read(conn, (REFS[kind] + str(ref) for ref in ids))
        labels = _labels(conn, ids) if kind == "entity" else {}
        holders: dict[int, dict[str, str]] = defaultdict(dict)
        for source, refs in new.items():
            for ref, digest in refs[kind].items():
                holders[ref][source] = digest
        for ref in ids:
            key = REFS[kind] + str(ref)
            by = {s: d for s, d in stored.get(key, {}).get("by", {}).items() if s not in replaced}
            by.update(holders.get(ref, {}))
            row = {"by": by} | ({"label": labels.get(ref)} if kind == "entity" else {})
            out[key] = row if by else None
    return out
