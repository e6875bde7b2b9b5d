"""What the news extractor needs from the registry, indexed once: facilities, entities,
ownership, status, capacity and links rows, who is linked to each plant, and the
gazetteer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cellchain.news import gazetteer


@dataclass
class RegistryView:
    """The registry (with any overlay) as the extractor reads it."""

    facilities: dict[str, dict]
    entities: dict[str, dict]
    tables: dict[str, list[dict]]
    gaz: gazetteer.Gazetteer
    #: facility id -> entity ids linked to it: operator, owners, and their owners [ids].
    linked: dict[str, set[str]] = field(default_factory=dict)
    #: entity id -> the facilities it operates [ids].
    operated: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RegistryView:
        """From the warehouse (bundled registry plus ``--data-dir`` overlay)."""
        from cellchain.chain import model

        t = model.tables()
        return cls.from_tables(model.facilities(), model.entities(), t)

    @classmethod
    def from_tables(cls, facilities: dict, entities: dict, tables: dict) -> RegistryView:
        view = cls(facilities, entities, tables, gazetteer.build(entities, facilities))
        owners: dict[str, set[str]] = {}
        for r in tables["ownership"]:
            owners.setdefault(r["owned"], set()).add(r["owner"])
        for fid, fac in facilities.items():
            seen: set[str] = set()
            frontier = {fac["operator"], *owners.get(fid, set())} - {None}
            while frontier:
                seen |= frontier
                frontier = {o for e in frontier for o in owners.get(e, set())} - seen
            view.linked[fid] = seen
            view.operated.setdefault(fac["operator"], []).append(fid)
        return view

    def rows(self, table: str, **match) -> list[dict]:
        """Rows of ``table`` whose fields equal ``match``."""
        return [r for r in self.tables[table]
                if all(r.get(k) == v for k, v in match.items())]


def slug(text: str) -> str:
    """A lowercase-kebab id fragment from a name ("Navalmoral de la Mata" ->
    "navalmoral-de-la-mata")."""
    words = gazetteer.fold_words(text)
    return re.sub(r"-+", "-", "-".join(words)).strip("-")[:60]
