"""Link: merge entity mentions of all documents into entities with aliases (corpus level).

`link_entities(engine)` runs once per build, after every document's mentions are stored. It reads
all `mentions` rows, resolves alias keys into entities (`resolve.py`: acronyms, spelling and
transliteration variants, person-name variants, "X or Y" appositions, a small state gazetteer and
optional `aliases.csv` authority files) and writes the differences from the stored `entities`,
`aliases`, `alias_sources` and `mentions.entity_id` in one transaction, so running it twice gives the
same store. An entity's id is a hash of its type and name (`store.entity_ids`): the same files give
the same ids whether they were built at once or one at a time.
"""

from timeweave.link.store import COMPONENT, LinkReport, link_entities, read_authority

__all__ = ["COMPONENT", "LinkReport", "link_entities", "read_authority"]
