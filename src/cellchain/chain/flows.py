"""Published trade figures for products the bundle's trade data does not carry.

CEPII BACI in the bundle covers battery raw materials and chemicals by HS code, but not
lithium-ion cells (HS 850760), cathode or anode material, spodumene concentrate or nickel
intermediates as such. The registry's ``flows`` table holds figures published for those
(customs statistics as reported, industry analysts), each with its source. This module
reads them and lays them out next to BACI rows, one row per figure, saying whether each
is a value (money), a quantity (mass or energy) or a share.
"""

from __future__ import annotations

from cellchain import nomenclature as nom
from cellchain.errors import InvalidInputError, unknown

#: Products asked for as a stage's material, and the traded forms the registry holds for
#: each: anode material is traded as spherical (natural) and artificial graphite as well as
#: finished anode; cathode material with its precursor (pCAM).
GROUPS = {"anode": ("anode", "spherical_graphite", "synthetic_graphite"),
          "cathode": ("cathode", "precursor")}

COLUMNS = ["year", "exporter", "exporter_name", "importer", "importer_name", "product",
           "measure", "value", "unit", "scope", "basis", "source_url", "confidence", "notes"]


def products() -> tuple[str, ...]:
    """Products with published flows in the registry (and the groups of :data:`GROUPS`
    whose traded forms have some)."""
    from cellchain.chain import model

    held = {r["product"] for r in model.tables()["flows"]}
    return tuple(sorted(held | {g for g, forms in GROUPS.items() if held & set(forms)}))


def _forms(product: str) -> tuple[str, ...]:
    return GROUPS.get(product, (product,))


def _country(value: str | None) -> str | None:
    from cellchain import countries

    if value is None:
        return None
    if value.strip().upper() in (nom.WORLD, "WORLD"):
        return nom.WORLD
    return countries.resolve(value)


def _name(code: str) -> str:
    from cellchain import countries

    return "World (all partners)" if code == nom.WORLD else countries.country_name(code)


def years(product: str, importer: str | None = None, exporter: str | None = None
          ) -> list[int]:
    """Years with published flows of ``product`` for the importer and/or exporter."""
    from cellchain.chain import model

    imp, exp = _country(importer), _country(exporter)
    return sorted({r["year"] for r in model.tables()["flows"] if r["product"] in _forms(product)
                   and (imp is None or r["importer"] == imp)
                   and (exp is None or r["exporter"] == exp)})


def cited(product: str, *, importer: str | None = None, exporter: str | None = None,
          year: int | None = None):
    """Published flows of ``product`` for an importer and/or exporter and a year.

    Parameters
    ----------
    product : str
        A product with registry flows, e.g. ``cells``, ``spodumene``; ``anode`` and
        ``cathode`` include their traded forms (:data:`GROUPS`), each row naming its own.
    importer, exporter : str, optional
        ISO3 code, ISO2 code, country name, or ``WLD``; at least one.
    year : int, optional
        Calendar year; the latest year with flows for the selection when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per published figure (:data:`COLUMNS`): ``measure`` is ``value`` (money,
        ``unit`` e.g. USD), ``quantity`` (t, GWh) or ``share`` (a fraction; ``unit`` says of
        what); ``basis`` is ``cited``; largest first within each measure.
    """
    import pandas as pd

    from cellchain.chain import model

    known = products()
    if product not in known:
        raise unknown("product with published flows", product, known)
    if not importer and not exporter:
        raise InvalidInputError("Give an importer or an exporter.",
                                "For example --importer USA or --exporter CHN.")
    imp, exp = _country(importer), _country(exporter)
    rows = [r for r in model.tables()["flows"] if r["product"] in _forms(product)
            and (imp is None or r["importer"] == imp) and (exp is None or r["exporter"] == exp)]
    years = sorted({r["year"] for r in rows})
    if not years:
        return pd.DataFrame(columns=COLUMNS)
    if year is None:
        year = years[-1]
    elif year not in years:
        raise InvalidInputError(f"No published {product} flows for that selection in {year}.",
                                f"Years with flows: {', '.join(map(str, years))}.")
    order = {"value": 0, "quantity": 1, "share": 2}
    picked = sorted((r for r in rows if r["year"] == year),
                    key=lambda r: (order.get(r["measure"], 3), r["unit"], -r["value"]))
    out = [{"year": r["year"], "exporter": r["exporter"], "exporter_name": _name(r["exporter"]),
            "importer": r["importer"], "importer_name": _name(r["importer"]),
            "product": r["product"], "measure": r["measure"], "value": r["value"],
            "unit": r["unit"], "scope": r["scope"], "basis": "cited",
            "source_url": r["source_url"], "confidence": r["confidence"],
            "notes": r["notes"]} for r in picked]
    return pd.DataFrame(out, columns=COLUMNS)


def baci_rows(df, product: str):
    """BACI partner rows (from :func:`cellchain.api.trade`) in the layout of :func:`cited`:
    one ``value`` row [kUSD] and one ``quantity`` row [t] per partner."""
    import pandas as pd

    out = []
    for r in df.to_dict("records"):
        imports = r["flow"] == "imports"
        exp, imp = (r["partner"], r["reporter"]) if imports else (r["reporter"], r["partner"])
        for measure, column, unit in (("value", "value_kusd", "thousand USD"),
                                      ("quantity", "quantity_t", "t")):
            if r[column] is None or r[column] != r[column]:
                continue
            out.append({"year": r["year"], "exporter": exp, "exporter_name": _name(exp),
                        "importer": imp, "importer_name": _name(imp), "product": product,
                        "measure": measure, "value": float(r[column]), "unit": unit,
                        "scope": f"HS {r['hs6']}", "basis": "CEPII BACI",
                        "source_url": _baci_url(),
                        "confidence": "high", "notes": None})
    return pd.DataFrame(out, columns=COLUMNS)


def _baci_url() -> str:
    """The citation URL of the bundle's trade table (from the bundle manifest)."""
    from cellchain.io import bundle

    return next((e.get("url", "") for e in bundle.entries() if e["table"] == "trade"), "")
