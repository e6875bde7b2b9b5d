"""The warehouse: built once, rebuilt on change, never left broken."""

import json

import pytest

from cellchain import caches
from cellchain.errors import DataError
from cellchain.io import bundle, store


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CELLCHAIN_CACHE_DIR", str(tmp_path / "cache"))
    store.close()
    yield tmp_path / "cache"
    store.close()


def test_built_once_then_reused(private_cache):
    path = store.build()
    mtime = path.stat().st_mtime_ns
    assert store.is_current()
    assert store.build() == path and path.stat().st_mtime_ns == mtime
    store.build(force=True)
    assert path.stat().st_mtime_ns != mtime
    kept = (path.name, store.STAMP_NAME)
    assert not [p for p in private_cache.iterdir() if p.name not in kept]


def test_tables_loaded(private_cache):
    store.build()
    (n,) = store.query_rows("SELECT count(*) FROM trade")[0]
    assert n == next(e["rows"] for e in bundle.entries() if e["table"] == "trade")


def test_corrupt_warehouse_is_rebuilt(private_cache):
    path = store.build()
    store.close()
    path.write_bytes(b"not a duckdb file")
    assert not store.is_current()
    store.build()
    assert store.is_current()


def test_changed_input_triggers_rebuild(private_cache, bundle_copy):
    store.build()
    manifest = json.loads((bundle_copy / "manifest.json").read_text())
    manifest["files"][0]["vintage"] += " (edited)"
    (bundle_copy / "manifest.json").write_text(json.dumps(manifest))
    caches.clear_all()
    assert not store.is_current()
    store.build()
    assert store.is_current()


def test_corrupt_bundle_file_names_file_and_keeps_old_warehouse(private_cache, bundle_copy):
    path = store.build()
    store.close()
    before = path.read_bytes()
    manifest = json.loads((bundle_copy / "manifest.json").read_text())
    manifest["files"][0]["vintage"] += " (edited)"  # force a rebuild
    (bundle_copy / "manifest.json").write_text(json.dumps(manifest))
    caches.clear_all()
    with open(bundle_copy / "countries.parquet", "r+b") as fh:
        fh.seek(100)
        fh.write(b"garbage")
    with pytest.raises(DataError, match="countries.parquet is corrupt") as info:
        store.build()
    assert "refresh_data.py" in str(info.value)
    assert path.read_bytes() == before  # the old warehouse is untouched
    kept = (path.name, store.STAMP_NAME)
    assert not [p for p in private_cache.iterdir() if p.name not in kept]


def test_missing_bundle_file(private_cache, bundle_copy):
    (bundle_copy / "governance.parquet").unlink()
    with pytest.raises(DataError, match="governance.parquet is missing"):
        store.build()
