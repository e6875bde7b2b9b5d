"""The records of the news extractor: what a proposal is about (:class:`Target`) and the
proposal itself (:class:`Proposal`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Target:
    """What a proposal is about: a registry facility or entity, or a proposed new one."""

    id: str
    kind: str  # facility or entity
    name: str
    matched: bool
    score: float | None
    country: str | None = None
    city: str | None = None
    stage: str | None = None
    operator: str | None = None


@dataclass
class Proposal:
    """One proposed change, with where in the article it comes from.

    ``value`` is in ``unit``; ``start``/``end`` are offsets [characters] of ``sentence``
    in the article text; ``confidence`` is the extractor's (high, medium, low);
    ``registry`` is ``confirms``, ``conflicts`` or ``new`` with ``current`` the
    registry's value when it conflicts.
    """

    kind: str
    target: Target
    field: str
    value: object
    unit: str | None
    date: str | None
    modality: str
    sentence: str
    start: int
    end: int
    confidence: str
    detail: dict = field(default_factory=dict)
    registry: str = "new"
    current: object = None
    accept: bool = False
    writable: bool = True
    id: str = ""
    article: str = ""


def known(p: Proposal) -> int:
    """How many details a proposal states (a stated share beats none)."""
    return sum(v is not None for v in p.detail.values())
