"""Names people use for materials, resolved to cellchain's ids.

A material may be given as its id (``natural_graphite``), with spaces or hyphens and in
any case (``Natural Graphite``), by the GeoPolRisk reference's name (``Graphite``,
``Chromite``: the World Mining Data sheet names in ``hs_products.wmd_reference_id``), or
by a common alias or symbol (``graphite``, ``Li``, ``lithium carbonate``:
:data:`cellchain.nomenclature.MATERIAL_ALIASES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cellchain.errors import unknown
from cellchain.nomenclature import MATERIAL_ALIASES


def normal(name: str) -> str:
    """Lower case, single spaces for underscores, hyphens and runs of blanks."""
    return " ".join(str(name).replace("_", " ").replace("-", " ").lower().split())


def material(name: str, known: Iterable[str], reference: Mapping[str, str] | None = None,
             kind: str = "material") -> str:
    """The material id ``name`` means, among ``known`` ids; ``reference`` maps ids to the
    reference's names. UnknownValueError with the nearest names otherwise."""
    known = tuple(known)
    by_normal = {normal(k): k for k in known}
    for ref_id, ref_name in (reference or {}).items():
        if ref_id in known and ref_name:
            by_normal.setdefault(normal(ref_name), ref_id)
    for alias, target in MATERIAL_ALIASES.items():
        if target in known:
            by_normal.setdefault(alias, target)
    key = normal(name)
    if key in by_normal:
        return by_normal[key]
    raise unknown(kind, name, known)
