"""One plant's capacity in each year to the horizon: as announced, expected, and in the
low band. Pure functions of the plant's status and capacity rows and the configuration,
so a hand-built toy plant can be checked without the warehouse.

For the as-of year ``a`` (:data:`cellchain.pipeline.config.AS_OF`) and each later year:

- ``A(y)``: the announced capacity path, the latest dated capacity row with year <= y
  (nameplate, planned or target; on a tie nameplate beats planned beats target, then the
  more confident row) [canonical unit, e.g. GWh/yr].
- ``B``: what operates now: for a plant operating on 31 Dec of ``a``, its latest
  nameplate or planned capacity with year <= a; else 0.
- ``L(a) = B`` and ``L(y) = max(B, A(y))`` for y > a: the **announced** capacity. Capacity
  that was due by ``a`` but is not operating arrives, as announced, in ``a + 1``.
- Increments ``δ_t = L(t) - L(t-1)`` for t > a, each with a status ``s_t`` (the plant's
  own; for an operating plant, its recorded expansion status, else ``construction`` for a
  planned or nameplate row and ``announced`` for a target), a completion probability
  ``p(s_t)`` and an expected delay ``d(s_t) = n + f`` years (whole part n, fraction f).
- **expected** ``E(y) = min(L(y), B + Σ_t p(s_t) δ_t⁺ [(1 - f) 1(y >= t + n) +
  f 1(y >= t + n + 1)])``: each increase arrives with its probability after its delay; a
  reduction of the announced path applies at once (the ``min``).
- **low** ``= min(L(y), B + Σ_t δ_t⁺ 1(y >= t) over increments whose status is operating,
  construction or committed)``.

Hence E <= L always; E = L when every probability is 1 and every delay 0; and E grows
with each probability. Closed plants and projects cancelled under the stale rule carry
no capacity; plants without a dated capacity, without any capacity or without a status
are returned with a ``reason`` and counted separately by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from cellchain import units
from cellchain.pipeline.config import (
    LOW_BAND_STATUSES,
    OUT_STATUSES,
    STALE_STATUSES,
    PipelineConfig,
)

#: Order of capacity bases when two rows share a year (higher wins).
_BASIS_RANK = {"nameplate": 2, "planned": 1, "target": 0}
_CONFIDENCE = {"high": 0, "medium": 1, "low": 2}
#: How far along a project is; an undated status ahead of the latest dated one is later.
_PROGRESS = {"considered": 0, "announced": 1, "committed": 2, "construction": 3,
             "operating": 4}
#: Statuses that, dated after a plant started operating, describe a new phase of it.
_EXPANSION = ("construction", "committed", "announced", "considered")


@dataclass
class PlantPath:
    """A plant's capacity by year [``unit``], or the reason it has none."""

    facility: str
    unit: str | None
    status: str | None  # effective status on 31 Dec of the as-of year
    reason: str | None = None  # why the plant is not in the yearly sums
    undated_capacity: float | None = None  # largest capacity given without a year
    base: float = 0.0
    announced: dict[int, float] = field(default_factory=dict)
    expected: dict[int, float] = field(default_factory=dict)
    low: dict[int, float] = field(default_factory=dict)
    #: (year, increase, status, probability, delay) of each increment after the as-of year
    increments: list[tuple[int, float, str, float, float]] = field(default_factory=list)


def _start(value) -> date | None:
    """First day of a YYYY, YYYY-MM or YYYY-MM-DD date (or a date); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    parts = [int(p) for p in str(value).split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def effective_status(status_rows: list[dict], cfg: PipelineConfig
                     ) -> tuple[str | None, str | None]:
    """(the plant's status, the status of its next phase) on 31 Dec of the as-of year.

    The latest dated status by then wins (an undated status when none is dated, or when it
    is further along: construction or operating after a dated announcement). A
    plant that has operated stays ``operating`` while a later phase is recorded as
    construction, committed, announced or considered; that later status is the phase
    status. Pre-construction statuses without news for ``stale.shelved_after`` years
    become ``shelved``, for ``stale.cancelled_after`` years ``cancelled``.
    """
    moment = date(cfg.as_of, 12, 31)
    dated = sorted((_start(r["date"]), i, r["status"]) for i, r in enumerate(status_rows)
                   if r.get("date"))
    live = [(d, s) for d, _, s in dated if d <= moment]
    undated = [r["status"] for r in status_rows if not r.get("date")]
    if not live:
        if undated and not dated:
            return undated[-1], None
        return None, None
    last_date, last = live[-1]
    # An undated status further along than the latest dated one came after it (a project
    # is announced before it is built): it is the current status, and is not aged.
    ahead = [s for s in undated if _PROGRESS.get(s, -1) > _PROGRESS.get(last, 99)]
    if ahead:
        return max(ahead, key=_PROGRESS.get), None
    phase = None
    if last in _EXPANSION:
        since = [i for i, (_, s) in enumerate(live) if s == "operating"]
        if since and not any(s in ("idle", "closed") for _, s in live[since[-1]:]):
            phase = _stale(last, last_date, moment, cfg)
            last = "operating"
    if last != "operating":
        last = _stale(last, last_date, moment, cfg)
    return last, phase


def _stale(status: str, since: date, moment: date, cfg: PipelineConfig) -> str:
    if status not in STALE_STATUSES:
        return status
    years = (moment - since).days / 365.25
    if years >= cfg.stale.cancelled_after:
        return "cancelled"
    if years >= cfg.stale.shelved_after:
        return "shelved"
    return status


def _rows_in_unit(capacity_rows: list[dict]) -> tuple[str | None, list[dict]]:
    """Capacity rows converted to their canonical unit, keeping the most common unit."""
    converted = []
    for r in capacity_rows:
        if r.get("capacity") is None or r.get("unit") is None:
            continue
        value, unit = units.to_canonical_capacity(float(r["capacity"]), r["unit"])
        converted.append({**r, "capacity": value, "unit": unit})
    if not converted:
        return None, []
    counts: dict[str, int] = {}
    for r in converted:
        counts[r["unit"]] = counts.get(r["unit"], 0) + 1
    unit = max(sorted(counts), key=counts.get)
    return unit, [r for r in converted if r["unit"] == unit]


def _latest(rows: list[dict], year: int, bases=("nameplate", "planned", "target")):
    best = None
    for r in rows:
        if r.get("year") is None or r["year"] > year or r["basis"] not in bases:
            continue
        rank = (r["year"], _BASIS_RANK.get(r["basis"], -1),
                -_CONFIDENCE.get(r.get("confidence"), 3))
        if best is None or rank > best[0]:
            best = (rank, r)
    return None if best is None else best[1]


def plant_path(facility: str, status_rows: list[dict], capacity_rows: list[dict],
               cfg: PipelineConfig, horizon: int) -> PlantPath:
    """The plant's announced, expected and low capacity for each year from the as-of year
    to ``horizon`` (see the module docstring)."""
    unit, rows = _rows_in_unit(capacity_rows)
    status, phase = effective_status(status_rows, cfg)
    path = PlantPath(facility, unit, status)
    if unit is None:
        path.reason = "no capacity"
        return path
    dated = [r for r in rows if r.get("year") is not None]
    if not dated:
        path.reason = "no dated capacity"
        path.undated_capacity = max(r["capacity"] for r in rows)
        return path
    if status is None:
        path.reason = "no status"
        return path
    if status in OUT_STATUSES:
        path.reason = status
        return path
    a = cfg.as_of
    if status == "operating":
        now = _latest(dated, a, ("nameplate", "planned"))
        path.base = float(now["capacity"]) if now else 0.0
    levels = {a: path.base}
    for y in range(a + 1, horizon + 1):
        r = _latest(dated, y)
        levels[y] = max(path.base, float(r["capacity"]) if r else 0.0)
    path.announced = levels
    for t in range(a + 1, horizon + 1):
        inc = levels[t] - levels[t - 1]
        if inc <= 0:
            continue
        if status != "operating":
            s = status
        elif phase is not None:
            s = phase
        else:
            r = _latest(dated, t)
            s = "announced" if r is not None and r["basis"] == "target" else "construction"
        if s in OUT_STATUSES:
            continue
        path.increments.append((t, inc, s, cfg.p(s), cfg.d(s)))
    for y in range(a, horizon + 1):
        exp = low = path.base
        for t, inc, s, p, d in path.increments:
            n = math.floor(d)
            f = d - n
            arrived = (1 - f) * (y >= t + n) + f * (y >= t + n + 1)
            exp += p * inc * arrived
            if s in LOW_BAND_STATUSES and y >= t:
                low += inc
        path.expected[y] = min(levels[y], exp)
        path.low[y] = min(levels[y], low)
    return path
