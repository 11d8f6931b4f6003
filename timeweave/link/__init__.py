"""Link: merge entity mentions of all documents into entities with aliases (corpus level).

`link_entities(engine)` runs once per build, after every document's mentions are stored. It reads
all `mentions` rows, resolves alias keys into entities (`resolve.py`: acronyms, spelling and
transliteration variants, person-name variants, "X or Y" appositions, a small state gazetteer and
optional `aliases.csv` authority files) and writes the differences from the stored `entities`,
`aliases`, `alias_sources` and `mentions.entity_id` in one transaction, so running it twice gives the
same store. An entity's id is a hash of its type and name (`store.entity_ids`): the same files give
the same ids whether they were built at once or one at a time.

What a build that adds, re-stores or removes sources recomputes (the rest is the last run's, kept in
`corpus_state` in link's transaction, each with a digest of the linker's code, words and knowledge):

- what a text says of its own names ("X (Y)", "X, also called Y", "X or Y", a title, "Hubei province", a
  name beside its acronym in parentheses):
  read from the changed sources' texts only (`intext.Findings`: a finding reads one text and its own
  mentions); the tests that weigh findings against the corpus run on all of them, as before;
- spelling variants: only names whose mentions changed are tested, each against its whole block (a
  pair depends on its two names and their own mentions alone);
- name-local rules (the gazetteer, an acronym used alone, generic words, spacing: `local.py`): only the names whose
  own mentions or block of names changed make their links again; the others' links are the last run's, and only
  the names with kept links or that may link now are visited (`local.run`'s callers);
- parts written another way (`parts.py`): a name's form is made again only when its mentions changed, a part's
  representative moved, or one of its words (or a word one edit from it) changed use class; the rest are the last run's;
- entities: only components holding a changed name, or whose links, found names or authority names
  differ from the last run's (`Resolver.signature`), are cut and diffed; the others keep their rows.
  Not once a correction was logged (corrections edit link's rows), nor when entity-id hashes collide.

- mention rows (`summary.py`): an add reads the rows of the changed sources, of the names whose mentions
  changed, of the ids the kept findings name, of found names, ship-prefix candidates and the components cut;
  every other name is read through its kept summary (mention count, type vote, acronym form, first use with its
  quote, first id);
- texts (`summary.Texts`): an add reads the changed sources' texts, those its kept findings quote and those of the
  changed names' first uses, not every text.

Rules that read only the names a string picks are answered from ranges of the sorted names ("W of ..." forms, an
acronym's initials, a spelling block); the conflicts of second names walk only the components they ask about.
The other rules (persons, ship prefixes, grouping the parts' forms) still run over every name (their decisions
read graph components built by earlier rules, or every name's type), from the summaries. tests/test_link_incremental.py, tests/test_link_summary.py and tests/test_incremental.py
compare incremental runs with full ones.
"""

from timeweave.link.store import link_entities, read_authority
from timeweave.link.write import COMPONENT, LinkReport

__all__ = ["COMPONENT", "LinkReport", "link_entities", "read_authority"]
