"""GeoPolRisk reproduces the reference implementation (geopolrisk-py 2.0.1) to 1e-9.

The reference runs in its own virtual environment (it pins Python < 3.12 and pandas <=
2.3.3, and writes to the home directory on import), in a subprocess with a temporary HOME.
``.ci/run`` creates that environment and sets ``CELLCHAIN_REFERENCE_PYTHON``; without it
this module is skipped with a reason.
"""

import json
import math
import os
import subprocess
from pathlib import Path

import pytest

from cellchain.metrics import geopolrisk as gpr

REFERENCE_PYTHON = os.environ.get("CELLCHAIN_REFERENCE_PYTHON")
RUNNER = Path(__file__).parent / "reference" / "geopolrisk_reference.py"
COUNTRIES = ("USA", "CHN", "DEU", "JPN", "IND", "KOR", "BOL", "RUS", "CHL", "S19")
YEARS = (2018, 2021, 2023, 2024)
TOLERANCE = 1e-9

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REFERENCE_PYTHON or not Path(REFERENCE_PYTHON).exists(),
                       reason="set CELLCHAIN_REFERENCE_PYTHON to a Python with "
                              "geopolrisk-py 2.0.1 (.ci/run does)"),
]


@pytest.fixture(scope="module")
def comparison(warehouse, tmp_path_factory):
    regions = {"EU27": gpr.EU27, "ANDEAN": ("BOL", "CHL", "PER", "ARG")}
    ours = gpr.grid(countries=COUNTRIES, regions=regions, years_=YEARS)
    refs = gpr.materials()
    codes = gpr.country_codes()
    members = {c: [codes[c]] for c in COUNTRIES}
    members.update({name: [codes[m] for m in ms] for name, ms in regions.items()})
    combos = [{"id": i, "material": refs[row.material], "year": int(row.year),
               "codes": members[row.country]}
              for i, row in enumerate(ours.itertuples())]
    tmp = tmp_path_factory.mktemp("reference")
    spec, out = tmp / "spec.json", tmp / "out.json"
    spec.write_text(json.dumps({"combos": combos}))
    home = tmp / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "USERPROFILE": str(home)}
    res = subprocess.run([REFERENCE_PYTHON, str(RUNNER), str(spec), str(out)], env=env,
                         capture_output=True, text=True, timeout=1800, cwd=tmp)
    assert res.returncode == 0, res.stderr[-3000:]
    ref = {r["id"]: r for r in json.loads(out.read_text())["results"]}
    return ours, ref


def _close(a, b):
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=1e-15)


def test_sample_is_broad(comparison):
    ours, _ = comparison
    assert ours["material"].nunique() >= 50
    assert {"EU27", "ANDEAN", "USA", "CHN"} <= set(ours["country"])
    assert len(ours) >= 50 * 12 * 4


def test_every_computable_combination_matches(comparison):
    ours, ref = comparison
    mismatches, checked = [], 0
    for i, row in enumerate(ours.itertuples()):
        r = ref[i]
        if "error" in r:
            continue
        checked += 1
        for col in ("score", "import_risk", "hhi", "cf", "price"):
            if not _close(getattr(row, col), r[col]):
                mismatches.append((row.material, row.country, row.year, col,
                                   getattr(row, col), r[col]))
    assert checked >= 0.9 * len(ours)
    assert mismatches == [], mismatches[:10]


def test_computable_flag_matches_what_the_reference_can_compute(comparison):
    ours, ref = comparison
    flags = [(bool(row.computable), "error" not in ref[i])
             for i, row in enumerate(ours.itertuples())]
    assert all(a == b for a, b in flags), [
        (ours.iloc[i][["material", "country", "year"]].tolist(), ref[i].get("error"))
        for i, (a, b) in enumerate(flags) if a != b][:10]
