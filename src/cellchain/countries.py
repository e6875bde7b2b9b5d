"""Country codes: resolve what a user types (ISO3, ISO2 or a name) to an ISO3 code."""

from __future__ import annotations

from cellchain import caches
from cellchain.errors import unknown
from cellchain.io import store


@caches.cached
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """(iso3 -> name, lookup key -> iso3) for every country the bundle knows."""
    names: dict[str, str] = {}
    keys: dict[str, str] = {}
    for iso3, iso2, name, _agg in store.query_rows(
            "SELECT iso3, iso2, name, is_aggregate FROM countries ORDER BY iso3"):
        names[iso3] = name
        keys[iso3.lower()] = iso3
        if iso2:
            keys.setdefault(iso2.lower(), iso3)
        keys.setdefault(name.lower(), iso3)
    for source_name, iso3 in store.query_rows(
            "SELECT source_name, iso3 FROM country_codes ORDER BY source, code"):
        keys.setdefault(source_name.lower(), iso3)
    return names, keys


def country_name(iso3: str) -> str:
    """English name of an ISO3 code (the code itself if unknown)."""
    return _table()[0].get(iso3, iso3)


def resolve(value: str) -> str:
    """ISO3 code for an ISO3/ISO2 code or country name; UnknownValueError otherwise."""
    names, keys = _table()
    key = value.strip().lower()
    if key in keys:
        return keys[key]
    raise unknown("country", value, list(names) + [n for n in names.values()])
