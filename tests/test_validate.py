"""`cellchain data validate`: hashes, schema and invariants."""


import pyarrow as pa
import pyarrow.parquet as pq

from cellchain import caches, schema, validate
from cellchain.io import bundle


def test_shipped_bundle_is_valid():
    assert validate.validate_bundle() == []


def test_schema_drives_ddl():
    sql = schema.ddl("trade")
    for col in schema.columns("bundle")["trade"]:
        assert f'"{col.name}" {col.type}' in sql
    assert "## `production`" in schema.reference_markdown()


def _rewrite(copy, table, transform):
    """Rewrite one bundle table and update its manifest hash (a consistent bad bundle)."""
    import json

    path = copy / f"{table}.parquet"
    pq.write_table(transform(pq.read_table(path)), path)
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["table"] == table:
            entry["sha256"] = bundle.file_sha256(path)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    caches.clear_all()


def test_negative_production_reported_with_row_and_field(bundle_copy):
    def negate_first(t):
        q = t.column("quantity").to_pylist()
        q[3] = -5.0
        return t.set_column(t.schema.get_field_index("quantity"), "quantity",
                            pa.array(q, pa.float64()))

    _rewrite(bundle_copy, "production", negate_first)
    problems = validate.validate_bundle()
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.row, p.field) == ("production.parquet", 3, "quantity")
    assert "negative" in str(p)


def test_hash_mismatch_reported(bundle_copy):
    with open(bundle_copy / "hs_products.parquet", "ab") as fh:
        fh.write(b"x")
    problems = validate.validate_bundle()
    assert any("hs_products.parquet is corrupt" in str(p) for p in problems)


def test_missing_column_reported(bundle_copy):
    _rewrite(bundle_copy, "governance", lambda t: t.drop(["normalized"]))
    problems = validate.validate_bundle()
    assert any(p.field == "normalized" and "missing" in p.message for p in problems)


def test_reference_docs_are_generated_from_schema():
    import importlib.util

    from conftest import REPO

    spec = importlib.util.spec_from_file_location("make_reference",
                                                  REPO / "docs" / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (REPO / "docs" / "reference.md").read_text(encoding="utf-8") == module.render()


def test_every_subpackage_is_installed():
    """pyproject's explicit package list must name every subpackage of src/cellchain."""
    import tomllib

    from conftest import REPO

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {"cellchain." + ".".join(p.parent.relative_to(REPO / "src" / "cellchain").parts)
             for p in (REPO / "src" / "cellchain").rglob("__init__.py")
             if p.parent != REPO / "src" / "cellchain"}
    assert found <= listed, found - listed
