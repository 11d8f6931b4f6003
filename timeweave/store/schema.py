"""The store's tables, for the whole pipeline, as SQLAlchemy Core metadata.

One definition serves SQLite and PostgreSQL. Document-level tables (sources, texts, passages,
timexes, mentions, event_mentions) are written one document per transaction, so a killed build
leaves whole documents. Corpus-level tables (entities, aliases, events, comparisons) are derived
from them by `link` and `reconcile` and rewritten in one transaction at the end of a build.
Every column is documented in docs/schema.md; a test keeps the two in step.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text
from sqlalchemy import UniqueConstraint

metadata = MetaData()

migrations = Table(
    "migrations",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("applied_at", String(40), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("status", String(20), nullable=False),  # running | ok | failed | interrupted
    Column("command", Text),
    Column("versions", JSON, nullable=False),
    Column("config", JSON, nullable=False),
    Column("counts", JSON),
    # 0006 adds `pid`, `host` (build.mark_stale_runs); undeclared: `select(runs)` works on a store not migrated.
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("path", Text, nullable=False, unique=True),
    Column("sha256", String(64), nullable=False),
    Column("format", String(20), nullable=False),
    Column("encoding", String(40)),
    Column("size", Integer, nullable=False),
    Column("title", Text),
    Column("authors", JSON, nullable=False),
    Column("issued", String(40)),
    Column("kind", String(40), nullable=False),
    Column("kind_reason", Text, nullable=False),
    Column("doi", String(200)),
    Column("url", Text),
    Column("container_title", Text),
    Column("volume", String(40)),
    Column("issue", String(40)),
    Column("page", String(40)),
    Column("metadata_origin", String(40), nullable=False),  # csl-json | extracted
    Column("csl", JSON),
    Column("language", String(12)),  # ISO 639-1; not "en": stored and searchable, not annotated (T016)
    Column("pipeline", String(64), nullable=False),  # fingerprint of versions + config that shaped it
    Column("file_stat", String(100)),  # "size:mtime_ns:ctime_ns:inode" when last hashed: same, not hashed (0018)
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("updated_at", String(40), nullable=False),
    Index("ix_sources_run_id", "run_id"),  # an add's corpus stages read the sources stored since their last run (0020)
)

texts = Table(
    "texts",
    metadata,
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("text", Text, nullable=False),
)

passages = Table(
    "passages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("role", String(20), nullable=False),  # content | boilerplate
    Column("role_reason", Text),
    Column("sha1", String(40), nullable=False),  # of the whitespace-normalised passage text
    Column("duplicate_of", Integer),  # passages.id of the first occurrence, or null
    Column("duplicate_kind", String(20)),  # exact | near
    Column("duplicate_scope", String(20)),  # within (same document) | across (another document)
    UniqueConstraint("source_id", "seq"),
    Index("ix_passages_source", "source_id"),
    Index("ix_passages_sha1", "sha1"),
    Index("ix_passages_duplicate_of", "duplicate_of"),  # copy chains followed from a re-marked passage (0016)
)

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("path", Text, nullable=False),
    Column("code", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("hint", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

timexes = Table(
    "timexes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("passage_id", Integer),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("type", String(10), nullable=False),  # DATE | DURATION | SET | TIME
    Column("value", String(80)),  # TIMEX3 value
    Column("edtf", String(80)),
    Column("earliest", String(10)),  # YYYY-MM-DD
    Column("latest", String(10)),
    Column("granularity", String(20)),
    Column("modifier", String(20)),
    Column("anchor", String(20)),  # absolute | document_date | narrative | expression | none
    Column("reason", Text),
    Column("component", String(60), nullable=False),
    Index("ix_timexes_source", "source_id"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("passage_id", Integer),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("type", String(20), nullable=False),  # person | state | organization | military_unit | place | work | other
    Column("key", Text),  # normalised alias key used by `link`
    Column("entity_id", Integer),  # set by `link`
    Column("component", String(60), nullable=False),
    Index("ix_mentions_source", "source_id"),
    Index("ix_mentions_entity", "entity_id"),
    Index("ix_mentions_key", "key"),  # an add's link reads the mentions of the names it touches (0019)
)

event_mentions = Table(
    "event_mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("passage_id", Integer),
    Column("start", Integer, nullable=False),  # evidence span (the clause or sentence quoted)
    Column("end", Integer, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("trigger", Text, nullable=False),
    Column("lemma", Text),
    Column("type", String(20), nullable=False),
    Column("factuality", String(20), nullable=False),  # asserted | negated | hypothetical | reported
    Column("context", String(20), nullable=False),  # narrative | citation | title
    Column("timex_id", Integer),
    Column("when_text", Text),
    Column("edtf", String(80)),
    Column("earliest", String(10)),
    Column("latest", String(10)),
    Column("when_reason", Text),
    Column("when_kind", String(20)),  # governed | sentence | narrative | undated (how it was dated)
    Column("participants", JSON, nullable=False),  # [{"mention": mentions.id, "role": ...}]
    Column("place_mention", Integer),
    Column("sentence", Integer),
    Column("event_id", Integer),  # set by `reconcile`
    Column("component", String(60), nullable=False),
    Index("ix_event_mentions_source", "source_id"),
    Index("ix_event_mentions_event", "event_id"),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(20), nullable=False),
    Column("component", String(60), nullable=False),
)

aliases = Table(
    "aliases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("how", Text),  # why this alias joined the entity (acronym, variant, authority file ...)
    Column("rule", String(40)),  # the name of the link rule that joined it ("name" for the entity's own name)
    Index("ix_aliases_entity", "entity_id"),
)

alias_evidence = Table(  # migration 0005: the quotes that made each alias link
    "alias_evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alias_id", Integer, ForeignKey("aliases.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Index("ix_alias_evidence_alias", "alias_id"),
)

alias_sources = Table(
    "alias_sources",
    metadata,
    Column("alias_id", Integer, ForeignKey("aliases.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("count", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", Text, nullable=False),
    Column("type", String(20), nullable=False),
    Column("edtf", String(80)),
    Column("earliest", String(10)),
    Column("latest", String(10)),
    Column("when_reason", Text),
    Column("place", Integer),  # entities.id
    Column("part_of", Integer),  # events.id
    Column("status", String(20), nullable=False),  # corroborated | single_source | contested
    Column("factuality", String(20)),  # asserted | reported | negated | disputed | hypothetical (0012)
    Column("component", String(60), nullable=False),
    Index("ix_events_earliest", "earliest"),
)

event_participants = Table(
    "event_participants",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(20), primary_key=True),
)

comparisons = Table(
    "comparisons",
    metadata,
    Column("id", Integer, primary_key=True),
    # null (migration 0015): a comparison about an entity alone (who opposed, who was the first), see entity_id
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=True),
    Column("kind", String(20), nullable=False),  # agree | contradict | differ_in_framing | single_source
    Column("field", String(40), nullable=False),
    Column("explanation", Text, nullable=False),
    Column("component", String(60), nullable=False),
    Column("entity_id", Integer),  # entities.id a claim comparison is said of (stance, distinction), or null (0015)
)

comparison_statements = Table(
    "comparison_statements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("comparison_id", Integer, ForeignKey("comparisons.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("value", Text),
    Index("ix_comparison_statements_comparison", "comparison_id"),  # claims' range reads, cascades (0017)
    Index("ix_comparison_statements_source", "source_id"),  # a re-stored or removed source's statements (0017)
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("key", String(64), primary_key=True),  # sha1 of model name + text
    Column("model", String(100), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32 little-endian
)


# Migration 0010: the historian's corrections (timeweave/curate, docs/curate.md). `curation_actions` is an append-only
# log that no build rewrites; the two tables after it are derived from it by every `curate.apply`.
curation_actions = Table(
    "curation_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(64), nullable=False, unique=True),  # stable across stores (Web Annotation import/export)
    Column("kind", String(30), nullable=False),  # reject | restore | date | label | ... | undo (curate/kinds.py)
    Column("target", JSON, nullable=False),  # anchors: quotes with context, re-found after every rebuild
    Column("args", JSON, nullable=False),  # the action's values (an EDTF date, a label, a role, an undone uid ...)
    Column("note", Text),
    Column("author", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("origin", String(20), nullable=False),  # cli | web | import | library
)

curation_results = Table(
    "curation_results",
    metadata,
    Column("action_id", Integer, ForeignKey("curation_actions.id", ondelete="CASCADE"), primary_key=True),
    Column("state", String(20), nullable=False),  # applied | unchanged | stale | undone
    Column("detail", Text, nullable=False),
    Column("applies_to", JSON, nullable=False),  # {"events": [...], "entities": [...], "comparisons": [...]} now
    Column("checked_at", String(40), nullable=False),
)

curated_fields = Table(
    "curated_fields",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("object", String(20), nullable=False),  # event | entity | comparison
    Column("object_id", Integer, nullable=False),
    Column("field", String(30), nullable=False),  # date | label | type | place | participants | evidence | ...
    Column("action_id", Integer, ForeignKey("curation_actions.id", ondelete="CASCADE"), nullable=False),
    Column("author", String(200), nullable=False),
    Column("note", Text),
    Column("created_at", String(40), nullable=False),
    Index("ix_curated_fields_object", "object", "object_id"),
)


# Migration 0011: what the sources claim (timeweave/claims, docs/claims.md), rewritten by every build after
# `reconcile`; a claim's comparison is the row of `comparisons` its group (event, kind) gave, if any.
claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer),  # events.id it is about (null: its mention joined no event)
    Column("mention_id", Integer),  # event_mentions.id whose sentence makes it
    Column("source_id", String(200), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # occurrence | agent | cause | purpose | evaluation | outcome | quantity | attribution
    Column("facet", String(40), nullable=False),  # evaluation: name | judgement; quantity: the unit; else the kind or ""
    Column("value", Text, nullable=False),
    Column("polarity", String(1), nullable=False),  # + | - | ?
    Column("modality", String(20), nullable=False),  # asserted | reported | hypothetical | negated
    Column("voice", String(200), nullable=False),  # the independent voice (a source's, or quoted:<name>)
    Column("voice_name", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("comparison_id", Integer),  # comparisons.id of its group's comparison, or null
    Column("component", String(60), nullable=False),
    Index("ix_claims_event", "event_id"),
)


# Migration 0013: what incremental builds need (timeweave/store/changes.py, timeweave/store/copies.py).
# `corpus_state` holds facts about the store as a whole (the fingerprint of what the corpus stages
# depend on, as of their last complete run); `corpus_sources` lists the sources as the corpus stages
# last saw them, so the next build knows which were added, re-stored or removed since, even after an
# interrupted build; `passage_bands` keeps each passage's MinHash LSH bands and exact-copy key, so a new
# document is compared with the passages sharing a band only.
corpus_state = Table(
    "corpus_state",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

corpus_sources = Table(
    "corpus_sources",
    metadata,
    Column("source_id", String(200), primary_key=True),  # no foreign key: a removed source must stay to be noticed
    Column("version", String(200), nullable=False),  # run_id:sha256:pipeline of the stored copy the stages saw
)

passage_bands = Table(
    "passage_bands",
    metadata,
    Column("passage_id", Integer, nullable=False),  # no foreign key: the copies stage reads a re-stored
    Column("source_id", String(200), nullable=False),  # source's old bands before it drops them
    Column("band", Integer, nullable=False),  # -1: the exact-copy key; 0..b-1: an LSH band of the MinHash
    Column("key", BigInteger, nullable=False),  # 64-bit hash of the band's MinHash values (or of the exact key)
    Index("ix_passage_bands_key", "band", "key"),
    Index("ix_passage_bands_source", "source_id"),
    Index("ix_passage_bands_passage", "passage_id"),  # the bands of the passages an add touches (0016)
)

# Migration 0014: what the last `reconcile` computed, per connected component of its candidate pairs
# (timeweave/reconcile/incremental.py): a hash of the component's inputs, a hash of the rows it wrote
# (so a correction or a later stage editing them is noticed), and the status it gave each event (the
# claims stage may raise it to contested). A component whose inputs and rows are unchanged keeps them.
reconcile_components = Table(
    "reconcile_components",
    metadata,
    Column("signature", String(40), primary_key=True),
    Column("output", String(40), nullable=False),
    Column("statuses", Text, nullable=False),  # JSON {event id: status}
)
