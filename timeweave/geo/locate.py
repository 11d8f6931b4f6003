"""Which stored places get coordinates, from which gazetteer, and why the others get none.

A place is an entity of type `place` or `state`. Its names (the entity name and every alias) are
looked up, in this order: the user gazetteer (it wins, and may say in which years a name holds); the GeoNames countries (drawn
at their capitals); then, unless a name says it is a river, lake, mountain, region or building
(`data/feature_words.tsv`), the GeoNames cities. A city is only taken when it is big enough
(`geo_min_population`) and not rivalled by a namesake of similar size elsewhere: an unknown river,
lake, region or village is reported as unlocated with the reason, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Connection, desc, func, select

from timeweave.geo.gazetteer import Entry, Gazetteer, feature_words, geonames, name_key, read_user_gazetteer
from timeweave.store import schema as t

PLACE_TYPES = ("place", "state")
KINDS = {"water": "a body of water", "relief": "a landform", "region": "a region", "building": "a building"}
DOMINANCE = 10  # a namesake city this many times smaller does not make a name ambiguous
DEFAULT_MIN_POPULATION = 100_000


@dataclass(frozen=True)
class Location:
    """Where a place entity is drawn, or why it is not."""

    entity: int
    name: str
    type: str
    lat: float | None
    lon: float | None
    how: str  # the gazetteer row and the name that matched, or the reason it is unlocated
    gazetteer_id: str | None = None  # a GeoNames URI or `user:<file>#<row>`
    certainty: str | None = None  # Linked Places: certain | less-certain (a country drawn at its capital)
    matched: str | None = None  # the name that matched

    @property
    def located(self) -> bool:
        return self.lat is not None

    def as_dict(self) -> dict:
        return asdict(self) | {"located": self.located}


def build_gazetteer(user_path: str | Path | None = None, *, min_population: int = DEFAULT_MIN_POPULATION) -> Gazetteer:
    """GeoNames (cities of at least `min_population`) plus the rows of a user gazetteer file, if any."""
    base = geonames(min_population)
    gaz = Gazetteer(countries=base.countries, cities=base.cities, city_aliases=base.city_aliases,
                    primary_names=base.primary_names)
    if user_path:
        for entry in read_user_gazetteer(user_path):
            gaz.add_user(entry)
    return gaz


def _pick(candidates: list[Entry]) -> tuple[Entry | None, str]:
    """The one city a name means, or None with the rivals when namesakes are of similar size."""
    unique = {e.id: e for e in candidates}
    ranked = sorted(unique.values(), key=lambda e: -e.population)
    if not ranked:
        return None, ""
    if len(ranked) == 1 or ranked[0].population >= DOMINANCE * max(1, ranked[1].population):
        return ranked[0], ""
    rivals = "; ".join(f"{e.origin.split('(')[-1].rstrip(')')} {e.name} ({e.population:,})" for e in ranked[:3])
    return None, f"ambiguous: several cities of similar size bear this name ({rivals}); add the right one to a user gazetteer"


def locate(entity: int, name: str, type_: str, names: list[str], gaz: Gazetteer, *,
           years: tuple[int, int] | None = None) -> Location:
    """Locate one place entity by its names (see the module docstring for the order and the rules)."""
    keys = list(dict.fromkeys(k for k in (name_key(n) for n in [name, *names]) if k))
    base = {"entity": entity, "name": name, "type": type_}
    for key in keys:
        for entry in gaz.user.get(key, []):
            if entry.holds_in(years):
                return Location(**base, lat=entry.lat, lon=entry.lon, how=f"{entry.origin}: {entry.name}",
                                gazetteer_id=entry.id, certainty=entry.certainty, matched=key)
    for key in keys:
        country = gaz.countries.get(key)
        if country:
            return Location(**base, lat=country.lat, lon=country.lon, how=country.origin, gazetteer_id=country.id,
                            certainty=country.certainty, matched=key)
    words = feature_words()
    for key in keys:
        found = [w for w in key.split() if w in words]
        if found and key not in gaz.primary_names:
            return Location(**base, lat=None, lon=None, how=(
                f"unlocated: named as {KINDS.get(words[found[0]], 'a feature')} ('{found[0]}' in '{key}'), not a settlement; the city gazetteer "
                "cannot place it: add it to a user gazetteer"))
    if type_ != "state":
        # A city's own name outranks another city's alternate name (Austin was once 'Waterloo').
        for table in (gaz.cities, gaz.city_aliases):
            candidates = [e for key in keys for e in table.get(key, [])]
            city, why = _pick(candidates)
            if city:
                return Location(**base, lat=city.lat, lon=city.lon, how=f"{city.origin}: {city.name}", gazetteer_id=city.id,
                                certainty="certain", matched=next(k for k in keys if city in table.get(k, [])))
            if why:
                return Location(**base, lat=None, lon=None, how="unlocated: " + why)
    return Location(**base, lat=None, lon=None, how=(
        "unlocated: in neither the user gazetteer nor the GeoNames countries and large cities; "
        "add it to a user gazetteer (setting `gazetteer`)"))


def store_settings(conn: Connection) -> tuple[str | None, int]:
    """The user gazetteer and population floor recorded with the store's last build (settings)."""
    config = conn.execute(select(t.runs.c.config).order_by(desc(t.runs.c.id)).limit(1)).scalar() or {}
    return (config.get("gazetteer") or None), int(config.get("geo_min_population") or DEFAULT_MIN_POPULATION)


def place_locations(conn: Connection, *, gazetteer: str | Path | None = None,
                    min_population: int | None = None) -> dict[int, Location]:
    """Every place entity of the store with its location or the reason it has none.

    `gazetteer` and `min_population` default to the settings the store's last build recorded.
    """
    recorded_path, recorded_floor = store_settings(conn)
    gaz = build_gazetteer(gazetteer if gazetteer is not None else recorded_path,
                          min_population=min_population or recorded_floor)
    aliases: dict[int, list[str]] = defaultdict(list)
    ent = t.entities.c
    places = conn.execute(select(ent.id, ent.name, ent.type).where(ent.type.in_(PLACE_TYPES)).order_by(ent.id)).all()
    ids = [p.id for p in places]
    for r in conn.execute(select(t.aliases.c.entity_id, t.aliases.c.text).where(t.aliases.c.entity_id.in_(ids))):
        aliases[r.entity_id].append(r.text)
    years: dict[int, tuple[int, int]] = {}
    if gaz.user:
        e = t.events.c
        for r in conn.execute(select(e.place, func.min(e.earliest), func.max(e.latest)).where(
                e.place.in_(ids), e.earliest.is_not(None)).group_by(e.place)):
            years[r[0]] = (int(r[1][:4]) if not r[1].startswith("-") else -int(r[1][1:5]), int(r[2][:4]) if not r[2].startswith("-") else -int(r[2][1:5]))
    return {p.id: locate(p.id, p.name, p.type, aliases[p.id], gaz, years=years.get(p.id)) for p in places}
