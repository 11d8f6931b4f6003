"""Entity mentions for historical text: en_core_web_sm's NER, repaired and retyped by rules.

The base model misses multi-word names ("Horatio Nelson"), calls rivers organisations
("Khalkhin-Gol" as ORG) and has no notion of demonyms or capitals used as actors ("the Soviet
side", "between Moscow and Tokyo"). `shape.py` repairs where a name starts and ends (initials,
titles, line breaks), `rules.py` finds and types names by general cues (place words, military
nouns, treaty words) read from `timeweave/knowledge` through `words.py`; `gazetteer.py` resolves names of
states for the narrative year `when.py` finds; `component.py` registers the
`timeweave_entities_v1` spaCy component that sets `doc._.entity_mentions`.
"""

from timeweave.annotate.entities.keys import alias_key

__all__ = ["alias_key"]
