"""Validation of the data bundle: hashes, schema and invariants.

Each problem names the file, the row (0-based, as stored) and the field, and says how to
fix it. Validation reads the Parquet files directly (pyarrow), independently of the
warehouse, so it can check a bundle before anything is built from it.
"""

from __future__ import annotations

from cellchain import schema
from cellchain.errors import DataError
from cellchain.errors import Problem as _Problem
from cellchain.io import bundle

#: pyarrow type names accepted for each DuckDB type in the attribute tables.
ARROW_TYPES = {
    "VARCHAR": {"string", "large_string"},
    "BOOLEAN": {"bool"},
    "SMALLINT": {"int16"},
    "INTEGER": {"int32"},
    "BIGINT": {"int64"},
    "DOUBLE": {"double"},
}


def Problem(file, row, field, message, hint):  # noqa: N802 (a constructor)
    """A bundle problem; rows of Parquet files are counted from 0."""
    return _Problem(file, row, field, message, hint, row_label="row")


def _first_rows(mask, limit: int = 5) -> list[int]:
    import numpy as np

    idx = np.flatnonzero(np.asarray(mask))
    return [int(i) for i in idx[:limit]]


def validate_bundle() -> list[Problem]:
    """Every problem in the bundle; an empty list means it is sound."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    problems: list[Problem] = []
    try:
        entries = bundle.entries()
    except DataError as exc:
        return [Problem("manifest.json", None, None, exc.message, exc.hint or "")]
    tables = {}
    attrs = schema.columns("bundle")
    for entry in entries:
        name = entry["file"]
        try:
            bundle.verify_file(entry)
        except DataError as exc:
            problems.append(Problem(name, None, None, exc.message, exc.hint or ""))
            continue
        table = pq.read_table(bundle.table_path(entry["table"]))
        sound = True
        for col in attrs.get(entry["table"], ()):
            if col.name not in table.column_names:
                problems.append(Problem(name, None, col.name, "column is missing",
                                        "rebuild the bundle with scripts/refresh_data.py"))
                sound = False
                continue
            arrow_type = str(table.schema.field(col.name).type)
            if arrow_type not in ARROW_TYPES[col.type]:
                problems.append(Problem(name, None, col.name,
                                        f"type {arrow_type}, schema says {col.type}",
                                        "rebuild the bundle with scripts/refresh_data.py"))
                sound = False
            elif col.required and table.column(col.name).null_count:
                rows = _first_rows(pc.is_null(table.column(col.name)))
                problems.append(Problem(name, rows[0], col.name,
                                        "required value is empty",
                                        "fill it in or drop the row"))
        if sound:  # value checks only on tables whose columns are as the schema says
            tables[entry["table"]] = table
    problems += _invariants(tables)
    return problems


def _invariants(tables: dict) -> list[Problem]:
    """Value checks: non-negative quantities, known countries, fractions in range."""
    import pyarrow.compute as pc

    problems: list[Problem] = []

    def check(table_name, mask, field, message, hint):
        rows = _first_rows(mask.fill_null(False))
        for row in rows:
            problems.append(Problem(f"{table_name}.parquet", row, field, message, hint))

    known_iso3 = set()
    if "countries" in tables:
        known_iso3 = set(tables["countries"].column("iso3").to_pylist())
    if "production" in tables:
        t = tables["production"]
        check("production", pc.less(t.column("quantity"), 0), "quantity",
              "negative production", "production is a non-negative quantity")
        if known_iso3:
            iso = t.column("iso3")
            unknown = pc.and_(pc.invert(t.column("is_aggregate")),
                              pc.invert(pc.is_in(iso, value_set=_arr(known_iso3))))
            check("production", unknown, "iso3", "unknown country code",
                  "use an ISO 3166 alpha-3 code listed in countries.parquet")
    if "trade" in tables:
        t = tables["trade"]
        for col in ("value_kusd", "quantity_t"):
            check("trade", pc.less(t.column(col), 0), col, "negative trade flow",
                  "values and quantities are non-negative")
        if "country_codes" in tables:
            cc = tables["country_codes"]
            baci = {int(c) for c, s in zip(cc.column("code").to_pylist(),
                                           cc.column("source").to_pylist(), strict=True)
                    if s == "baci"}
            for col in ("exporter_code", "importer_code"):
                bad = pc.invert(pc.is_in(t.column(col), value_set=_arr(baci, "int16")))
                check("trade", bad, col, "BACI country code not in country_codes",
                      "add the code to the country table or drop the flow")
    if "governance" in tables:
        t = tables["governance"]
        norm = t.column("normalized")
        check("governance", pc.or_(pc.less(norm, 0), pc.greater(norm, 1)), "normalized",
              "normalised score outside [0, 1]", "normalised scores are fractions")
    if "hs_products" in tables:
        t = tables["hs_products"]
        bad = pc.invert(pc.is_in(t.column("stage"), value_set=_arr({"mining", "refining"})))
        check("hs_products", bad, "stage", "unknown stage", "use mining or refining")
    return problems


def _arr(values, type_: str = "string"):
    import pyarrow as pa

    return pa.array(sorted(values), type=type_)
