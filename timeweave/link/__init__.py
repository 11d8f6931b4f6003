"""Link: merge entity mentions of all documents into entities with aliases (corpus level).

`link_entities(engine)` runs once per build, after every document's mentions are stored. It reads
all `mentions` rows, resolves alias keys into entities (`resolve.py`: acronyms, spelling and
transliteration variants, person-name variants, "X or Y" appositions, a small state gazetteer and
optional `aliases.csv` authority files) and rewrites `entities`, `aliases`, `alias_sources` and
`mentions.entity_id` in one transaction, so running it twice gives the same store.
"""

from timeweave.link.store import COMPONENT, LinkReport, link_entities, read_authority

__all__ = ["COMPONENT", "LinkReport", "link_entities", "read_authority"]
