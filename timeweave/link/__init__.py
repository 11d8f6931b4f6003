"""Link: merge entity mentions of all documents into entities with aliases (corpus level).

`link_entities(engine)` runs once per build, after every document's mentions are stored. It reads
all `mentions` rows, resolves alias keys into entities (`resolve.py`: acronyms, spelling and
transliteration variants, person-name variants, "X or Y" appositions, a small state gazetteer and
optional `aliases.csv` authority files) and writes the differences from the stored `entities`,
`aliases`, `alias_sources` and `mentions.entity_id` in one transaction, so running it twice gives the
same store. An entity's id is a hash of its type and name (`store.entity_ids`): the same files give
the same ids whether they were built at once or one at a time.

What a text says of its own names ("X (Y)", "X, also called Y", "X or Y", a title, "Hubei province")
is read once per source and kept in `corpus_state` (`intext.Findings`, written in link's transaction):
a build that adds one source reads one text, and the rules that weigh those findings against the
corpus (`Resolver.key_type`, containers, found names) run on all of them, as before. Findings depend
on nothing but their source's rows and text and the code and words of the linker (`findings_digest`),
so the links are those of a full run; tests/test_link_incremental.py compares the two.
"""

from timeweave.link.store import COMPONENT, LinkReport, link_entities, read_authority

__all__ = ["COMPONENT", "LinkReport", "link_entities", "read_authority"]
