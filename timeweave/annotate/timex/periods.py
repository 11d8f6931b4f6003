"""Named periods ("the Second World War", "the interwar period") from a data file users extend.

Periods are data, not code: `periods.tsv` next to this module lists each name, its aliases and
its dates; a project adds its own with a file of the same shape. A period is a DATE whose
interval comes from the file, so "during the Great Depression" dates an event to 1929–1939.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from timeweave.annotate.timex.calendar import iso_day, month_days
from timeweave.errors import ConfigError

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).with_name("periods.tsv")
_DATE = re.compile(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True)
class Period:
    name: str
    start: str  # as written in the file: YYYY, YYYY-MM or YYYY-MM-DD
    end: str
    note: str = ""

    def interval(self) -> tuple[str, str, str]:
        """(earliest, latest, edtf): a month or year end stands for its last day."""
        y0, m0, d0 = _parts(self.start)
        y1, m1, d1 = _parts(self.end)
        earliest = iso_day(y0, m0 or 1, d0 or 1)
        latest = iso_day(y1, m1 or 12, d1 or month_days(y1, m1 or 12))
        return earliest, latest, f"{self.start}/{self.end}"


def _parts(text: str) -> tuple[int, int | None, int | None]:
    m = _DATE.fullmatch(text)
    return int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None


class Periods:
    """A set of named periods and the one compiled regex that finds them."""

    def __init__(self, periods: dict[str, Period]) -> None:
        self.by_key = {k.lower(): p for k, p in periods.items()}
        names = sorted(periods, key=len, reverse=True)
        bodies = []
        for name in names:
            body = re.sub(r"^(?i:the)\s+", "", name)
            bodies.append(re.escape(body).replace(r"\ ", r"\s{1,2}"))
        self.regex = re.compile(r"\b(?<![\w])(?:[Tt]he\s{1,2})?(?:" + "|".join(bodies) + r")(?![\w])") if bodies else None

    def find(self, text: str):
        """Yield (start, end, Period) for each mention in `text`."""
        if self.regex is None:
            return
        for m in self.regex.finditer(text):
            key = " ".join(re.sub(r"^(?i:the)\s+", "", m.group()).split()).lower()
            period = self.by_key.get(key)
            if period is not None:
                yield m.start(), m.end(), period


def _read(path: Path) -> dict[str, Period]:
    found: dict[str, Period] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"Cannot read the periods file {path}: {exc}. Give a readable TSV file.") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 4 or not _DATE.fullmatch(cols[2].strip()) or not _DATE.fullmatch(cols[3].strip()):
            raise ConfigError(
                f"{path}:{n}: a period line needs 4 tab-separated columns: name, aliases (|-separated), "
                f"start and end as YYYY, YYYY-MM or YYYY-MM-DD. Got: {line!r}")
        name, aliases, start, end = (c.strip() for c in cols[:4])
        period = Period(name, start, end, cols[4].strip() if len(cols) > 4 else "")
        if period.interval()[0] > period.interval()[1] and not start.startswith("-"):
            raise ConfigError(f"{path}:{n}: the period {name!r} ends ({end}) before it starts ({start}).")
        for key in [name, *[a for a in aliases.split("|") if a.strip()]]:
            found[re.sub(r"^(?i:the)\s+", "", key.strip())] = period
    return found


@lru_cache(maxsize=8)
def load_periods(extra: str | None = None) -> Periods:
    """The bundled periods, plus those in the TSV file `extra` (which win on a name clash)."""
    periods = _read(BUNDLED)
    if extra:
        periods.update(_read(Path(extra)))
        log.info("named periods: %d names after adding %s", len(periods), extra)
    return Periods(periods)
