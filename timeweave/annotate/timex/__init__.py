"""Time expressions: find and normalise dates in historical prose into TIMEX3 values and EDTF intervals.

Public API: `find_timexes(text, *, dct=None)` (plain text, no spaCy), the spaCy component
`timeweave_timex_v1` (module `component`, imported on demand so this package stays light), and
`tag_timeml(in_dir, out_dir)` (module `timeml`).
"""

from timeweave.annotate.timex.engine import COMPONENT, find_timexes, parse_dct
from timeweave.annotate.timex.periods import load_periods

__all__ = ["COMPONENT", "find_timexes", "load_periods", "parse_dct"]
