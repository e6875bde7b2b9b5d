"""Process-level caches have one owner (cellchain.caches) and one reset: data changed under
a running process is seen by every derived answer after ``caches.clear_all()``, and after
a rebuilt warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cellchain import caches
from cellchain.testing import synthetic_overlay

SRC = Path(__file__).resolve().parents[1] / "src" / "cellchain"


@pytest.fixture
def private(tmp_path, monkeypatch):
    """A private warehouse cache, no overlay; the caches are reset on both sides."""
    monkeypatch.setenv("CELLCHAIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CELLCHAIN_DATA_DIR", raising=False)
    caches.clear_all()
    yield tmp_path
    caches.clear_all()


def _answers():
    from cellchain import years
    from cellchain.chain import model, shares
    from cellchain.network.build import build_network

    net = build_network(2024)
    return {"facilities": set(model.facilities()),
            "entities": set(model.entities()),
            "shares": shares.shares("cells", 2024, "location", measure="capacity"),
            "plants": set(net.plants["facility"]) - {""},
            "cells_nameplate": net.plants.loc[(net.plants["product"] == "cells")
                                              & (net.plants["kind"] == "plant"),
                                              "nameplate"].sum(),
            "years": years.available("registry")}


def test_clear_all_sees_a_changed_data_dir(private, monkeypatch):
    before = _answers()
    overlay = synthetic_overlay(private / "overlay", 30)
    added = {p.id for p in overlay.plants}
    monkeypatch.setenv("CELLCHAIN_DATA_DIR", str(overlay.folder))
    # the process still answers from what it read before ...
    assert _answers()["facilities"] == before["facilities"]
    caches.clear_all()  # ... until the one reset
    after = _answers()
    assert after["facilities"] - before["facilities"] == added
    assert after["entities"] - before["entities"] == set(overlay.entities)
    assert after["plants"] - before["plants"] == added
    cells = sum(p.capacity for p in overlay.plants if p.stage == "cells")
    assert after["cells_nameplate"] - before["cells_nameplate"] == pytest.approx(cells)
    named = (after["shares"]["capacity"] - after["shares"]["reconciled_capacity"]).sum() - (
        before["shares"]["capacity"] - before["shares"]["reconciled_capacity"]).sum()
    assert named == pytest.approx(cells)
    # and back: without the overlay, every answer is the first one again
    monkeypatch.delenv("CELLCHAIN_DATA_DIR")
    caches.clear_all()
    again = _answers()
    assert again["facilities"] == before["facilities"]
    assert again["plants"] == before["plants"]
    assert again["years"] == before["years"]
    pd.testing.assert_frame_equal(again["shares"], before["shares"])


def test_a_rebuilt_warehouse_resets_the_caches(private, monkeypatch):
    from cellchain.chain import model
    from cellchain.io import store

    first = set(model.facilities())
    overlay = synthetic_overlay(private / "overlay", 6)
    monkeypatch.setenv("CELLCHAIN_DATA_DIR", str(overlay.folder))
    store.build()  # the inputs changed: rebuilt, and every derived cache forgotten
    assert set(model.facilities()) - first == {p.id for p in overlay.plants}


def test_the_cli_data_dir_resets_the_caches(private, tmp_path):
    from cellchain.chain import model
    from cellchain.cli.main import _data_dir

    first = set(model.facilities())
    overlay = synthetic_overlay(tmp_path / "overlay", 3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CELLCHAIN_DATA_DIR", "")  # restored (unset) when the block ends
        _data_dir(overlay.folder)
        assert set(model.facilities()) - first == {p.id for p in overlay.plants}


def test_every_process_cache_is_registered():
    """No module memoises for the life of the process behind the registry's back."""
    offenders = []
    pattern = re.compile(r"\bfunctools\.(cache|lru_cache)\b|from functools import .*"
                         r"\b(cache|lru_cache)\b")
    for path in SRC.rglob("*.py"):
        if path.name == "caches.py":
            continue
        text = path.read_text(encoding="utf-8")
        if pattern.search(text) or re.search(r"^\s*@(cache|lru_cache)\b", text, re.M):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []
    # importing a module registers its caches
    from cellchain import years  # noqa: F401
    from cellchain.chain import model  # noqa: F401
    from cellchain.io import store  # noqa: F401
    from cellchain.network import trade  # noqa: F401

    names = caches.registered()
    for name in ("cellchain.chain.model.tables", "cellchain.chain.model.index",
                 "cellchain.chain.model.graph", "cellchain.network.trade.imports",
                 "cellchain.years.available", "cellchain.io.store.close"):
        assert name in names, name
