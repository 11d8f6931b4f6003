"""Making the claim rows and the comparisons made of them what this run computed, in the transaction that read them.

Claim comparisons go into the same `comparisons` / `comparison_statements` tables as those of
`reconcile` (component `timeweave.claims.v1`), so the chronicle JSON, the exports and the web pages carry
them with no code of their own. A comparison's id is a hash of what it is about (its event or entity, its
field, its rank among the relations of that question) into [FIRST_ID, FIRST_ID + SPAN), above every id
reconcile hashes its own into, so neither takes the other's and a comparison keeps its id while its
question stays; collisions are settled in the order of the keys over the whole corpus, so the ids depend
on the set of comparisons only, never on history. A claim's id is likewise a hash of what it says where
(`claim_ids`), so adding a source keeps the ids of every other source's claims (pages that want reading
order sort by source and offset). Only the rows that differ from the stored ones are deleted and
inserted, so an incremental run and a full one leave the same rows, and a run that changed little writes
little. A comparison whose event `reconcile` removed went with it (the foreign key cascades); one a
historian's correction changed differs from what this run computed and is written again, for the
correction to be applied again after this stage.

Which stored rows are read: ids are hashed, so each table's id range is cut into BUCKETS equal ranges, and the
digest of the rows this stage wrote in each range is kept (corpus_state `claims.written`, in the transaction
that wrote them). A range whose wanted rows hash to the kept digest holds them already, unless a writer other
than this stage changed it since: (1) a historian's correction (`curate` edits claim comparisons after this
stage): once one was ever logged every range is read, as when `local` is None (a full run, or no kept
digests); (2) a source removed or re-stored (`store.writer` deletes its comparison statements, its claims go
with its row): the ranges holding a wanted claim or statement of a source in `local` (the build's added,
changed and removed sources) are read, and a row of a removed source is wanted no more, so its range's digest
differs; (3) an event removed by `reconcile` takes its comparisons along, and a comparison whose event is gone
is wanted under another key, so its range differs too. Every other range is left unread: an add reads the ranges
its few changed rows fall in. The row counts guard the ranges left unread: the stored rows outside the ranges
read (a table's count less the rows read) must be as many as the wanted rows there, which are the rows this stage
wrote there (equal digests), or that table is read whole. (The check used to be of the whole tables' counts,
which every cascade of (2) and (3) changes, inside ranges that are read anyway: at 1,600 documents nearly every
add removed an event with a claim comparison and so read all 9,333 claims and 1,113 comparisons.)

The digests of the claim ranges are not made anew from every row either: a range's signature (`_signatures`: its
claims' ids, the event and comparison this run gave each, and the cache entry each was read from with its place
there) is kept beside its digest, and a range whose signature is the last run's holds the rows it held then, so
its kept digest stands and its rows are not made (an add at 1,600 documents made and hashed 9,350 rows).
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections import defaultdict

from sqlalchemy import Connection, delete, func, insert, select, update

from timeweave.claims.align import Relation, group_key
from timeweave.claims.extract import Claim
from timeweave.reconcile.incremental import ID_SPACE
from timeweave.store import schema as t

COMPONENT = "timeweave.claims.v1"
FIRST_ID = ID_SPACE  # reconcile's comparison ids are below it (reconcile/incremental.py)
SPAN = 2**29  # claim comparison ids stay below FIRST_ID + SPAN: a curation's next id (max + 1) fits a PostgreSQL INTEGER
CLAIM_SPAN = 2**31 - 2  # claim ids stay in [1, 2**31 - 1): a PostgreSQL INTEGER
CHUNK = 500
BUCKETS = 256  # id ranges per table whose digests are kept (`claims.written`)
WRITTEN = "claims.written"  # corpus_state key: digests of the rows this stage wrote, per range, and the row counts
CLAIM_COLUMNS = ("event_id", "mention_id", "source_id", "start", "end", "kind", "facet", "value", "polarity",
                 "modality", "voice", "voice_name", "question", "comparison_id", "component")


def clear(conn: Connection) -> None:
    """Remove every claim and claim comparison (the rows of this stage)."""
    ours = select(t.comparisons.c.id).where(t.comparisons.c.component == COMPONENT)
    conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(ours)))
    conn.execute(delete(t.comparisons).where(t.comparisons.c.component == COMPONENT))
    conn.execute(delete(t.claims))


def _chunks(ids: list[int]):
    ids = sorted(ids)
    for at in range(0, len(ids), CHUNK):
        yield ids[at:at + CHUNK]


def _comparison_row(relation: Relation, known: set[int]) -> dict | None:
    """The `comparisons` columns of a relation (without id), or None when it has nothing to stand under: its
    event is gone and it is about no entity alone."""
    entity = getattr(relation, "entity_id", None)
    if relation.event_id not in known and entity is None:
        return None
    row = {"event_id": relation.event_id if relation.event_id in known else None, "kind": relation.kind,
           "field": relation.field, "explanation": relation.explanation, "component": COMPONENT}
    if "entity_id" in t.comparisons.c:  # migration 0015: a comparison about an entity alone
        row["entity_id"] = entity
    return row


def ids(keys: list[tuple]) -> list[int]:
    """An id in [FIRST_ID, FIRST_ID + SPAN) for each key: a hash of the key, the next probe on a collision, the
    keys taken in sorted order so the result depends on the set of keys only."""
    return _hashed(keys, FIRST_ID, SPAN)


def claim_ids(claims: list[Claim], bases: list[int] | None = None) -> list[int]:
    """The row id of each claim: a hash of what it says where, (source, sentence, kind, facet, value, and its rank
    among the claims of its source saying just that), in [1, 2**31), the next probe on a collision, settled in the
    order of the keys: so a claim keeps its id when a source is added before it, and the ids are those of a full
    run whatever the history (claims used to be numbered in reading order, so adding a source renumbered every
    claim after it and rewrote their rows).

    `bases`: `claim_bases` of these claims, kept from an earlier run (the cache keeps each source's with its
    claims): when no two collide they are the ids, and no claim is hashed again."""
    if bases is not None and len(bases) == len(claims) and len(set(bases)) == len(bases):
        return list(bases)
    return _hashed(_claim_keys(claims), 1, CLAIM_SPAN)


def claim_bases(claims: list[Claim]) -> list[int]:
    """Each claim's first-probe id, which `claim_ids` gives it when no two claims share one. A claim's key holds
    its source and its rank among that source's claims saying the same, so a source's bases depend on its own
    claims alone and can be kept with them (`incremental`), saving an add the hashing of every claim."""
    return _bases([repr(key) for key in _claim_keys(claims)], 1, CLAIM_SPAN)


def _claim_keys(claims: list[Claim]) -> list[tuple]:
    seen: dict[tuple, int] = {}
    keys = []
    for c in claims:
        said = (c.source_id, c.start, c.end, c.kind, c.facet, c.value[:500])
        seen[said] = seen.get(said, -1) + 1
        keys.append(said + (seen[said],))
    return keys


def _bases(texts: list[str], first: int, span: int) -> list[int]:
    return [first + int.from_bytes(hashlib.blake2b((text + "\x1f0").encode("utf-8"), digest_size=8).digest(), "big")
            % span for text in texts]


def _hashed(keys: list[tuple], first: int, span: int) -> list[int]:
    if len(keys) > span // 2:
        raise ValueError(f"{len(keys)} rows need more than half of the {span} ids they are hashed into; "
                         "raise claims.write.SPAN or CLAIM_SPAN")
    texts = [repr(key) for key in keys]
    bases = _bases(texts, first, span)
    if len(set(bases)) == len(bases):
        return bases  # no two keys share a first hash, so no key probes: the sorted pass below gives these ids
    taken: set[int] = set()
    out: dict[int, int] = {}
    for position in sorted(range(len(keys)), key=lambda i: texts[i]):
        attempt = 0
        while True:
            blob = (texts[position] + "\x1f" + str(attempt)).encode("utf-8")
            found = first + int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big") % span
            if found not in taken:
                break
            attempt += 1
        taken.add(found)
        out[position] = found
    return [out[i] for i in range(len(keys))]


def _ranges(column: str, buckets: set[int] | None, first: int, span: int) -> str:
    """SQL text: `column` in one of these buckets' id ranges (None: every row), adjacent ranges merged. The bounds
    are integers this module computes, written into the text (no parameters, so one text serves SQLite and
    PostgreSQL): a Core expression of up to 256 ranges cost more to build and compile than the read."""
    if buckets is None:
        return "1 = 1"
    if not buckets:
        return "1 = 0"
    spans: list[list[int]] = []
    for b in sorted(buckets):
        low, high = first + b * span // BUCKETS, first + (b + 1) * span // BUCKETS
        if spans and spans[-1][1] == low:
            spans[-1][1] = high
        else:
            spans.append([low, high])
    return " OR ".join(f"({column} >= {low} AND {column} < {high})" for low, high in spans)


def _bucket(cid: int, first: int, span: int) -> int:
    return (cid - first) * BUCKETS // span


def _digests(rows: dict[int, tuple], first: int, span: int) -> dict[str, str]:
    """bucket -> a digest of the rows (id and values) in its id range."""
    parts: dict[int, list[str]] = defaultdict(list)
    for cid in sorted(rows):
        parts[_bucket(cid, first, span)].append(repr((cid, rows[cid])))
    return {str(b): hashlib.blake2b("\n".join(p).encode("utf-8"), digest_size=12).hexdigest()
            for b, p in parts.items()}


def _rows(cids: list[int], buckets: list[int], claims: list[Claim], known: set[int], wanted) -> dict[int, tuple]:
    """id -> the `CLAIM_COLUMNS` of each claim (`wanted(bucket)`: of the claims in the ranges it says yes to)."""
    return {cid: (c.event_id if c.event_id in known else None, c.mention_id, c.source_id, c.start, c.end, c.kind,
                  c.facet, c.value[:500], c.polarity, c.modality, c.voice[:200], c.voice_name, c.question,
                  c.comparison_id, COMPONENT) for cid, b, c in zip(cids, buckets, claims) if wanted is None or wanted(b)}


def _signatures(cids: list[int], buckets: list[int], claims: list[Claim], known: set[int],
                entries: dict[str, str] | None) -> dict[int, str | None]:
    """bucket -> a digest of what its rows are made of, without making them: each claim's id, the event and the
    comparison this run gave it (the only columns not read from the claim as extracted), and its source's cache
    entry digest with its position among that source's claims (an entry's claims are a function of its digest).
    None for a range holding a claim whose source has no entry digest (not cached: its rows must be made)."""
    parts: dict[int, list[int]] = defaultdict(list)
    unsigned: set[int] = set()
    position, last, entry = 0, None, None
    for cid, b, c in zip(cids, buckets, claims):
        if c.source_id == last:
            position += 1
        else:  # a source's claims come together: its entry digest is read once
            position, last = 0, c.source_id
            entry = entries.get(last) if entries is not None else None
            entry = int(entry[:15], 16) if entry else None
        if entry is None:
            unsigned.add(b)
            continue
        event = c.event_id if c.event_id in known else None
        parts[b] += (cid, -1 if event is None else event, -1 if c.comparison_id is None else c.comparison_id,
                     entry, position)
    out: dict[int, str | None] = {b: None for b in unsigned}
    for b, values in parts.items():
        if b not in unsigned:
            out[b] = hashlib.blake2b(array("q", values).tobytes(), digest_size=12).hexdigest()
    return out


def _stale(kept: dict[str, str], now: dict[str, str]) -> set[int]:
    return {int(b) for b in kept.keys() | now.keys() if kept.get(b) != now.get(b)}


def _counts(conn: Connection) -> list[int]:
    """The stored claims and claim comparisons."""
    return [conn.execute(select(func.count()).select_from(t.claims)).scalar(),
            conn.execute(select(func.count()).select_from(t.comparisons)
                         .where(t.comparisons.c.component == COMPONENT)).scalar()]


def _kept_digests(conn: Connection, *, counted: bool = True) -> dict | None:
    """The digests and counts the last run kept, when no historian's correction was ever logged and (`counted`)
    the row counts are the ones it left; `write` checks the counts of the ranges it does not read instead."""
    value = conn.execute(select(t.corpus_state.c.value).where(t.corpus_state.c.key == WRITTEN)).scalar()
    if value is None or conn.execute(select(t.curation_actions.c.id).limit(1)).first() is not None:
        return None
    kept = json.loads(value)
    return kept if not counted or kept.get("counts") == _counts(conn) else None


def as_written(conn: Connection) -> bool:
    """Whether the stored rows can be the ones the last run wrote: it kept their digests, no correction was
    ever logged, and the row counts are the ones it left (a source removed since takes its claims along)."""
    return _kept_digests(conn) is not None


def mark_contested(conn: Connection, events: list[int]) -> None:
    """Set `contested` on these events (a reconcile that kept an event may have reset its status)."""
    for chunk in _chunks(events):
        conn.execute(update(t.events).where(t.events.c.id.in_(chunk)).values(status="contested"))


def kept_value(conn: Connection, key: str) -> dict:
    value = conn.execute(select(t.corpus_state.c.value).where(t.corpus_state.c.key == key)).scalar()
    return json.loads(value) if value else {}


def keep_value(conn: Connection, key: str, value: dict | None, *, compact: bool = False) -> None:
    """Set a corpus_state key (None: delete it); `compact`: without spaces or sorted keys (a large value)."""
    conn.execute(delete(t.corpus_state).where(t.corpus_state.c.key == key))
    if value is not None:
        text = json.dumps(value, separators=(",", ":")) if compact else json.dumps(value, sort_keys=True)
        conn.execute(insert(t.corpus_state), [{"key": key, "value": text}])


def _stored_comparisons(conn: Connection, buckets: set[int] | None = None) -> dict[int, tuple]:
    """id -> (row without id as a sorted tuple of items, statements in order) of the claim comparisons stored
    (in these buckets' id ranges; None: all), read in plain SQL (`_ranges`)."""
    names = [name for name in t.comparisons.c.keys() if name != "id"]
    query = (f"SELECT id, {', '.join(_quoted(names))} FROM comparisons WHERE component = '{COMPONENT}' "
             f"AND ({_ranges('id', buckets, FIRST_ID, SPAN)})")
    rows = {r[0]: tuple(sorted(zip(names, r[1:]))) for r in conn.exec_driver_sql(query)}
    spans: dict[int, list[tuple]] = {cid: [] for cid in rows}
    for chunk in _chunks(list(rows)):
        for s in conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(chunk))
                              .order_by(t.comparison_statements.c.id)):
            spans[s.comparison_id].append((s.source_id, s.start, s.end, s.value))
    return {cid: (row, tuple(spans[cid])) for cid, row in rows.items()}


def _stored_claims(conn: Connection, buckets: set[int] | None) -> dict[int, tuple]:
    """id -> the `CLAIM_COLUMNS` of the stored claims in these buckets' id ranges (None: all), read in plain SQL
    (`_ranges`; a Row attribute costs microseconds)."""
    query = f"SELECT id, {', '.join(_quoted(CLAIM_COLUMNS))} FROM claims WHERE {_ranges('id', buckets, 1, CLAIM_SPAN)}"
    return {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql(query)}


def _quoted(names) -> list[str]:
    return [f'"{name}"' for name in names]  # "end" is a keyword of SQL


def write(conn: Connection, claims: list[Claim], relations: list[Relation], *,
          local: set[str] | None = None, bases: list[int] | None = None, known: set[int] | None = None,
          entries: dict[str, str] | None = None) -> dict[str, int]:
    """Make the store hold these claims and their comparisons, writing only rows that differ; contested events
    follow their contradictions. Returns the rows inserted, deleted and read, by table.

    `local`: the sources other writers may have touched since the last run (added, changed, removed): only the
    id ranges whose wanted rows differ from the ones kept last time, or hold a row of those sources, are read
    (module docstring); None reads every row. `bases`: the claims' `claim_bases`, when the caller kept them.
    `known`: the ids of the stored events, when the caller read them in this transaction (else they are read).
    `entries`: source -> the digest of its cached claims (`incremental`), which lets a range whose claims are the
    last run's keep its digest without its rows being made (`_signatures`)."""
    if known is None:
        known = {row[0] for row in conn.exec_driver_sql("SELECT id FROM events")}
    chosen: list[tuple[Relation, dict]] = []
    rank: dict[tuple, int] = {}
    keys = []
    for relation in relations:
        row = _comparison_row(relation, known)
        if row is None:
            continue
        about = (row["event_id"], row.get("entity_id"), row["field"])
        rank[about] = rank.get(about, -1) + 1
        keys.append(about + (rank[about],))
        chosen.append((relation, row))
    by_group: dict[tuple, list[Claim]] = {}
    for claim in claims:
        by_group.setdefault(group_key(claim), []).append(claim)
    wanted: dict[int, tuple] = {}
    blank = {name: None for name in t.comparisons.c.keys() if name != "id"}  # the table's columns, asked once
    for cid, (relation, row) in zip(ids(keys), chosen):
        full = blank | row
        spans = tuple((c.source_id, c.start, c.end, c.value) for c in relation.claims)
        wanted[cid] = (tuple(sorted(full.items())), spans)
        for claim in relation.claims:
            claim.comparison_id = cid
        for key in {group_key(c) for c in relation.claims}:  # the other claims of its groups point to it too
            for claim in by_group.get(key, ()):
                if claim.comparison_id is None:
                    claim.comparison_id = cid
    cids = claim_ids(claims, bases)
    buckets = [_bucket(cid, 1, CLAIM_SPAN) for cid in cids]
    signatures = _signatures(cids, buckets, claims, known, entries)
    kept = None if local is None else _kept_digests(conn, counted=False)
    # the ranges whose rows are the last run's (same signature): their kept digests stand, their rows are not made
    same = set() if kept is None else {b for b, s in signatures.items() if s is not None
                                       and kept.get("signatures", {}).get(str(b)) == s and str(b) in kept["claims"]}
    near = set() if kept is None else {b for b, c in zip(buckets, claims) if c.source_id in local}
    rows = _rows(cids, buckets, claims, known, None if kept is None else (lambda b: b not in same or b in near))
    digests = {"claims": {**_digests(rows, 1, CLAIM_SPAN), **{str(b): kept["claims"][str(b)] for b in same}},
               "comparisons": _digests(wanted, FIRST_ID, SPAN), "counts": [len(cids), len(wanted)],
               "signatures": {str(b): s for b, s in signatures.items() if s is not None}}
    if kept is None:
        dirty: dict[str, set[int] | None] = {"claims": None, "comparisons": None}
    else:
        dirty = {"claims": _stale(kept["claims"], digests["claims"]) | near,
                 "comparisons": _stale(kept["comparisons"], digests["comparisons"])
                 | {_bucket(cid, FIRST_ID, SPAN) for cid, (_, spans) in wanted.items()
                    if any(s[0] in local for s in spans)}}
    stored = _stored_comparisons(conn, dirty["comparisons"])
    have = _stored_claims(conn, dirty["claims"])
    if kept is not None:  # the rows outside the ranges read must be the ones this stage wrote there (docstring)
        counts = _counts(conn)
        if counts[0] - len(have) != sum(b not in dirty["claims"] for b in buckets):
            dirty["claims"] = None
            have = _stored_claims(conn, None)
            rows = _rows(cids, buckets, claims, known, None)
        if counts[1] - len(stored) != sum(_bucket(cid, FIRST_ID, SPAN) not in dirty["comparisons"] for cid in wanted):
            dirty["comparisons"] = None
            stored = _stored_comparisons(conn, None)
    drop = [cid for cid, value in stored.items() if wanted.get(cid) != value]
    add = sorted(cid for cid, value in wanted.items() if stored.get(cid) != value
                 and (dirty["comparisons"] is None or _bucket(cid, FIRST_ID, SPAN) in dirty["comparisons"]))
    for chunk in _chunks(drop):
        conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(chunk)))
        conn.execute(delete(t.comparisons).where(t.comparisons.c.id.in_(chunk)))
    if add:
        conn.execute(insert(t.comparisons), [dict(wanted[cid][0]) | {"id": cid} for cid in add])
        statements = [{"comparison_id": cid, "source_id": s, "start": a, "end": b, "value": v}
                      for cid in add for s, a, b, v in wanted[cid][1]]
        if statements:
            conn.execute(insert(t.comparison_statements), statements)

    stale = [cid for cid, row in have.items() if rows.get(cid) != row]
    new = sorted(cid for cid, row in rows.items() if have.get(cid) != row
                 and (dirty["claims"] is None or _bucket(cid, 1, CLAIM_SPAN) in dirty["claims"]))
    for chunk in _chunks(stale):
        conn.execute(delete(t.claims).where(t.claims.c.id.in_(chunk)))
    for chunk in _chunks(new):  # a chunk of row dicts at a time: a full run inserts every claim
        conn.execute(insert(t.claims), [dict(zip(CLAIM_COLUMNS, rows[cid])) | {"id": cid} for cid in chunk])
    mark_contested(conn, sorted({r.event_id for r in relations if r.kind == "contradict" and r.event_id in known}))
    keep_value(conn, WRITTEN, digests)
    return {"comparisons+": len(add), "comparisons-": len(drop), "claims+": len(new), "claims-": len(stale),
            "comparisons read": len(stored), "claims read": len(have)}
