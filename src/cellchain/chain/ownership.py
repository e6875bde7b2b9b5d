"""Ownership look-through, state ownership and the covered-entity control rule.

Everything is answered *as of* a year: a holding counts if it is valid on 31 December of
that year (``valid_from <= 31 Dec < valid_to``; partial dates mean their first day).

Look-through
    A facility's capacity is attributed to its ultimate owners by multiplying equity
    shares along every ownership chain. A facility without ownership rows belongs to its
    operator. An entity with no holders of its own is an ultimate owner. Where an entity's
    listed holders add up to less than 100 %, the remainder stays with the entity itself
    (its own country); for a facility, the remainder goes to an *undisclosed* owner in the
    facility's country.

Undisclosed shares
    Some sources name a holder but not its share ("X is part of Y"). Such holders split
    whatever the stated shares leave over equally; results that depend on this carry
    ``assumed = True``.

Covered-entity control rule (default)
    Implements the equity part of the control test in the U.S. Department of Energy's
    final interpretive rule "Interpretation of Foreign Entity of Concern" (89 FR 37079,
    6 May 2024, section III.E; proposed as 88 FR 84082, 4 Dec 2023;
    https://www.govinfo.gov/content/pkg/FR-2024-05-06/html/2024-08913.htm):
    an entity is controlled by the government of a covered nation when that government
    holds, directly or indirectly, 25 % or more of its equity, counting in full the
    holdings of entities it controls. Covered nations by default are China, Russia, Iran
    and North Korea (10 U.S.C. 4872(d)(2)). Only the equity test is implemented; board
    seats, voting rights, licensing and the jurisdiction test are not in the registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from cellchain.errors import UnknownValueError, unknown
from cellchain.io.registry import start_of

UNDISCLOSED = "undisclosed"
COVERED_NATIONS = ("CHN", "RUS", "IRN", "PRK")
CONTROL_THRESHOLD = 0.25
RULE_CITATION = ("DOE final interpretive rule on 'foreign entity of concern', 89 FR 37079 "
                 "(2024-05-06), sec. III.E: a covered-nation government holding >= 25 % of "
                 "equity, directly or through entities it controls (equity test only)")


@dataclass(frozen=True)
class ControlRule:
    """Which governments count, and the equity share that confers control [fraction]."""

    covered: tuple[str, ...] = COVERED_NATIONS
    threshold: float = CONTROL_THRESHOLD


@dataclass(frozen=True)
class Holding:
    """One holder of an entity or facility as of a year."""

    owner: str
    share: float
    assumed: bool  # True when the share was split from an undisclosed remainder


@dataclass(frozen=True)
class UltimateShare:
    """A slice of a facility or entity attributed to an ultimate owner."""

    owner: str  # entity id, or "undisclosed"
    country: str
    kind: str  # entity kind, or "undisclosed"
    share: float
    assumed: bool
    path: tuple[str, ...]  # from the ultimate owner down to the holding


@dataclass
class OwnershipGraph:
    """Entities, facilities and ownership rows, queried as of a year."""

    entities: dict[str, dict]
    facilities: dict[str, dict]
    ownership: list[dict]
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_records(cls, entities: Iterable[dict], facilities: Iterable[dict],
                     ownership: Iterable[dict]) -> OwnershipGraph:
        return cls({e["id"]: e for e in entities}, {f["id"]: f for f in facilities},
                   list(ownership))

    @cached_property
    def _by_owned(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for row in self.ownership:
            out.setdefault(row["owned"], []).append(row)
        return out

    @cached_property
    def _by_owner(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for row in self.ownership:
            out.setdefault(row["owner"], []).append(row)
        return out

    def check_node(self, node: str) -> None:
        if node not in self.entities and node not in self.facilities:
            raise unknown("entity or facility", node, list(self.entities) + list(self.facilities))

    # ----------------------------------------------------------------------------------
    def holders(self, node: str, year: int) -> list[Holding]:
        """Direct holders of an entity or facility valid on 31 Dec of ``year``.

        Undisclosed shares split the unstated remainder equally (``assumed``).
        """
        moment = date(year, 12, 31)
        rows = [r for r in self._by_owned.get(node, []) if _valid(r, moment)]
        stated = [r for r in rows if r["share"] is not None]
        unstated = [r for r in rows if r["share"] is None]
        holdings = [Holding(r["owner"], float(r["share"]), False) for r in stated]
        if unstated:
            rest = max(0.0, 1.0 - sum(h.share for h in holdings))
            holdings += [Holding(r["owner"], rest / len(unstated), True) for r in unstated]
        if not holdings and node in self.facilities:
            operator = self.facilities[node]["operator"]
            holdings = [Holding(operator, 1.0, False)]
        return holdings

    def ultimate(self, node: str, year: int, *, stop_at_state_owned: bool = False
                 ) -> list[UltimateShare]:
        """Ultimate owners of ``node`` as of ``year`` with look-through shares summing to 1.

        With ``stop_at_state_owned`` the chain stops at the last company below a state
        (e.g. Rosatom rather than the Russian government): the "company" view.
        """
        return self._walk(node, year, stop_at_state_owned, ())

    def _walk(self, node, year, stop, seen) -> list[UltimateShare]:
        """:meth:`ultimate`, memoised per (node, year, stop) for every node on the way, so
        plants of one company walk its owners' chain once, not once per plant."""
        key = (node, year, stop)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._ultimate(node, year, stop, seen)
        return found

    def _ultimate(self, node, year, stop, seen) -> list[UltimateShare]:
        if node in seen:  # defensive: validation rejects cycles
            return []
        holdings = self.holders(node, year)
        is_facility = node in self.facilities and node not in self.entities
        if stop and not is_facility and holdings and all(
                self.entities.get(h.owner, {}).get("kind") == "state" for h in holdings):
            holdings = []
        out: list[UltimateShare] = []
        remainder = 1.0 - sum(h.share for h in holdings)
        for h in holdings:
            if h.share <= 0:
                continue
            for u in self._walk(h.owner, year, stop, seen + (node,)):
                out.append(UltimateShare(u.owner, u.country, u.kind, u.share * h.share,
                                         u.assumed or h.assumed, u.path + (node,)))
        if remainder > 1e-12:
            if is_facility:
                country = self.facilities[node]["country"]
                out.append(UltimateShare(UNDISCLOSED, country, UNDISCLOSED, remainder, False,
                                         (UNDISCLOSED, node)))
            else:
                ent = self.entities[node]
                out.append(UltimateShare(node, ent["country"], ent["kind"], remainder, False,
                                         (node,)))
        return _merge(out)

    # ----------------------------------------------------------------------------------
    def state_share(self, node: str, year: int) -> dict[str, float]:
        """Look-through equity held by states, by the state's country [fraction]."""
        out: dict[str, float] = {}
        for u in self.ultimate(node, year):
            if u.kind == "state":
                out[u.country] = out.get(u.country, 0.0) + u.share
        return out

    def controlled_by(self, node: str, year: int, rule: ControlRule | None = None
                      ) -> tuple[str | None, float, list[str]]:
        """Covered government controlling ``node`` under ``rule``, if any.

        Returns ``(country or None, counted share, reasons)``: the share is the holdings
        of the government and of entities it controls, counted in full.
        """
        rule = rule or ControlRule()
        key = ("control", node, year, rule)
        if key in self._cache:
            return self._cache[key]
        ent = self.entities.get(node)
        if ent and ent["kind"] == "state" and ent["country"] in rule.covered:
            result = (ent["country"], 1.0, [f"{node} is the government of {ent['country']}"])
        else:
            counted: dict[str, float] = {}
            reasons: dict[str, list[str]] = {}
            for h in self.holders(node, year):
                country, _, why = self.controlled_by(h.owner, year, rule)
                if country:
                    counted[country] = counted.get(country, 0.0) + h.share
                    note = " (share not stated; equal split assumed)" if h.assumed else ""
                    reasons.setdefault(country, []).append(
                        f"{h.owner} holds {100 * h.share:.1f} % of {node}{note}")
                    reasons[country] += [w for w in why if w not in reasons[country]]
            best = max(counted, key=counted.get, default=None)
            if best is not None and counted[best] >= rule.threshold - 1e-12:
                result = (best, counted[best], reasons[best])
            else:
                result = (None, max(counted.values(), default=0.0),
                          [r for rs in reasons.values() for r in rs])
        self._cache[key] = result
        return result

    def holdings_of(self, entity: str, year: int) -> list[tuple[str, float, bool]]:
        """What ``entity`` holds directly as of ``year``: (owned id, share, assumed)."""
        out = []
        for row in self._by_owner.get(entity, []):
            if _valid(row, date(year, 12, 31)):
                for h in self.holders(row["owned"], year):
                    if h.owner == entity:
                        out.append((row["owned"], h.share, h.assumed))
                        break
        return out

    def history(self, node: str) -> list[dict]:
        """Every ownership row of ``node`` (as recorded), oldest first."""
        rows = self._by_owned.get(node, [])
        return sorted(rows, key=lambda r: (start_of(r["valid_from"]) or date.min, r["owner"]))


def _valid(row: dict, moment: date) -> bool:
    start = start_of(row["valid_from"]) or date.min
    end = start_of(row["valid_to"]) or date.max
    return start <= moment < end


def _merge(parts: list[UltimateShare]) -> list[UltimateShare]:
    """Combine slices held by the same ultimate owner (keeping the longest path)."""
    merged: dict[str, UltimateShare] = {}
    for p in parts:
        if p.owner in merged:
            q = merged[p.owner]
            merged[p.owner] = UltimateShare(q.owner, q.country, q.kind, q.share + p.share,
                                            q.assumed or p.assumed, q.path)
        else:
            merged[p.owner] = p
    return sorted(merged.values(), key=lambda u: (-u.share, u.owner))


__all__ = ["ControlRule", "Holding", "OwnershipGraph", "UltimateShare", "RULE_CITATION",
           "UnknownValueError"]
