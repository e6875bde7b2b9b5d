"""The "is the warehouse current" check: stat-based, hashing only when a stat changed."""

import json
import os

import pytest

from cellchain import caches
from cellchain.io import store


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CELLCHAIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    store.close()
    yield tmp_path / "cache"
    store.close()


@pytest.fixture
def count_hashes(monkeypatch):
    """Count calls of store.fingerprint (the hash of every input)."""
    calls = []
    real = store.fingerprint

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(store, "fingerprint", counted)
    return calls


def test_unchanged_inputs_are_not_hashed(private_cache, count_hashes):
    store.build()
    stamp = json.loads(store.stamp_path().read_text())
    assert stamp["fingerprint"] == store.fingerprint()
    count_hashes.clear()
    assert store.is_current() and store.build() == store.warehouse_path()
    assert count_hashes == []


def test_touched_input_is_hashed_once_and_stays_current(private_cache, bundle_copy,
                                                         count_hashes):
    path = store.build()
    mtime = path.stat().st_mtime_ns
    manifest = bundle_copy / "manifest.json"
    st = manifest.stat()
    os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))  # touched, same bytes
    count_hashes.clear()
    assert store.is_current()
    assert len(count_hashes) == 1
    assert store.is_current() and len(count_hashes) == 1  # the stamp was refreshed
    assert path.stat().st_mtime_ns == mtime  # and nothing was rebuilt


def test_changed_input_is_seen(private_cache, bundle_copy):
    store.build()
    manifest = json.loads((bundle_copy / "manifest.json").read_text())
    manifest["files"][0]["vintage"] += " (edited)"
    (bundle_copy / "manifest.json").write_text(json.dumps(manifest))
    caches.clear_all()
    assert not store.is_current()


def test_replaced_warehouse_is_checked(private_cache, count_hashes):
    path = store.build()
    store.close()
    path.write_bytes(b"not a duckdb file")
    count_hashes.clear()
    assert not store.is_current() and count_hashes == [1]


def test_recent_changes_are_always_hashed(private_cache, monkeypatch, count_hashes):
    """An input changed within RACY_SECONDS of the stamp could hide a same-size edit in
    the same clock tick: it is hashed rather than trusted."""
    store.build()
    monkeypatch.setattr(store, "RACY_SECONDS", 10.0**6)
    count_hashes.clear()
    assert store.is_current() and count_hashes == [1]


def test_overlay_file_added_is_seen(private_cache, tmp_path, monkeypatch):
    from cellchain.io import registry

    store.build()
    assert store.is_current()
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    lines = (registry.registry_dir() / "blocs.csv").read_text(encoding="utf-8").splitlines()
    (overlay / "blocs.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    monkeypatch.setenv("CELLCHAIN_DATA_DIR", str(overlay))
    assert not store.is_current()
