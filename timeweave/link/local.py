"""Name-local rules: the links a rule adds for one name, kept from the last run for the names an add leaves alone.

A rule is name-local when the links it adds while visiting one key (its "calls": the `Resolver.edge`
calls, in order) read only that key's string, its own mentions (type votes, acronym form, first use)
and the keys of a *block* that string functions of the key fix, with their own mentions:

- the gazetteer (`Resolver.gazetteer_names`): the key alone;
- acronyms used alone (`Resolver.acronyms`, second half): the block is the key's letters, i.e. every
  key of two or more words whose initials are those letters;
- generic words (`variants.generic_words`): the block is every name whose squashed form is the key's
  squashed form minus a generic word (`squashed(key)` is `squashed(rest) + squashed(word)` or the reverse);
- spacing variants (`spelling.spacing`): the block is every key squashed alike; a key joins its block's first.

Such a rule's calls for a key can change only when the key's own mentions changed (it is `dirty`:
a source holding it was added, re-stored or removed) or when a key of its block is dirty (its
mentions, or whether it exists at all, changed). So an incremental run recomputes the calls of
those keys (`fresh`) and takes every other key's calls from the last run, and replays all of them
in the order of a full run (sorted keys, each key's calls in order). Replaying the same calls in the
same order after the same earlier rules gives the same graph: `edge` skips a pair that an earlier
call already linked, and that earlier state is the same too. (Which call comes first matters only
through that skip: what is read of the graph afterwards, components, sorted neighbours and sorted
edges, does not depend on the order edges were added.) The quotes in the calls are cut from
texts of sources that did not change (a changed source makes its keys dirty). Names found beside
mentions (`Resolver.found`) depend on other sources' findings, so for `generic_words` every key
found now or by the last run counts as dirty. The kept calls carry the digest of the linker's code,
words and knowledge (`store.findings_digest`); another digest, or none kept, recomputes every key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timeweave.link.resolve import Resolver

Call = tuple  # (key a, key b, how, rule, evidence: tuple[Evidence, ...])


def run(res: Resolver, rule: str, keys: Iterable[str], calls_of: Callable[[str], list[Call]],
        fresh: Callable[[str], bool] | None, *, callers: Callable[[], Iterable[str]] | None = None,
        within: Callable[[str], bool] | None = None) -> None:
    """Make the calls of `rule` for each of `keys` (sorted), in that order: from `calls_of(key)` when nothing is
    kept, when `fresh` is None (a full run) or when `fresh(key)`; else the calls the last run recorded for it.

    `callers()`, when calls are kept: the keys (of `keys`) that are fresh and may make a call; every other fresh key's
    `calls_of` is empty. Only those and the kept keys still in `keys` are visited then, in sorted order: a key that is
    neither makes no call in the loop over every key either (not fresh: its kept calls, none; fresh: none). `within`:
    whether a key is one of `keys` (asked of the kept keys)."""
    kept = res.rules_kept.get(rule) if res.rules_kept is not None and fresh is not None else None
    out = res.rules_now[rule] = {}
    if kept is not None and callers is not None:
        present = within if within is not None else set(keys).__contains__
        keys = sorted({k for k in kept if present(k)} | set(callers()))
    for key in keys:
        calls = calls_of(key) if kept is None or fresh(key) else kept.get(key)
        if calls:
            out[key] = calls
            for a, b, how, name, evidence in calls:
                res.edge(a, b, how, rule=name, evidence=evidence)


def to_json(rules: dict[str, dict[str, list[Call]]]) -> dict:
    return {rule: {key: [[a, b, how, name, [[e.source_id, e.start, e.end, e.quote] for e in evidence]]
                         for a, b, how, name, evidence in calls] for key, calls in by_key.items()}
            for rule, by_key in rules.items()}


def from_json(value: dict) -> dict[str, dict[str, list[Call]]]:
    from timeweave.link.resolve import Evidence

    return {rule: {key: [(a, b, how, name, tuple(Evidence(*e) for e in evidence))
                         for a, b, how, name, evidence in calls] for key, calls in by_key.items()}
            for rule, by_key in value.items()}
