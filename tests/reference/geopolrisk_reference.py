"""Run geopolrisk-py 2.0.1 (the reference) on a list of combinations; print JSON results.

Runs inside the reference's own virtual environment, with a temporary HOME (the package
writes to ~/Documents on import). Usage: python geopolrisk_reference.py SPEC.json OUT.json

SPEC: {"combos": [{"id": ..., "material": "Lithium", "year": 2022, "codes": [842]}, ...]}
Each combination is evaluated exactly as the reference's ``gprs_calc`` does for one
(year, country or region, material), calling its own functions; trade data is handed to
``aggregateTrade`` pre-filtered to the year and material, which selects the same rows it
would select itself, only faster. A combination whose evaluation raises is reported with
the error instead of stopping the run.
"""

import json
import sys

from geopolrisk.assessment.core import HHI, GeoPolRisk
from geopolrisk.assessment.utils import aggregateTrade, cvtcountry, mapped_baci


def main(spec_path, out_path):
    with open(spec_path) as fh:
        spec = json.load(fh)
    data = mapped_baci()
    groups = {key: frame for key, frame in data.groupby(["period", "rawMaterial"])}
    empty = data.iloc[0:0]
    results = []
    for combo in spec["combos"]:
        year, rm = int(combo["year"]), combo["material"]
        names = [cvtcountry(int(code), type="Name") for code in combo["codes"]]
        try:
            numerator, total, price = aggregateTrade(year, names, rm,
                                                     groups.get((year, rm), empty))
            production, hhi = 0.0, None
            for name in names:
                qty, hhi = HHI(rm, year, name)
                production += qty
            score, cf, ir = GeoPolRisk(numerator, total, price, production, hhi)
            results.append({"id": combo["id"], "score": float(score), "cf": float(cf),
                            "import_risk": float(ir), "hhi": float(hhi),
                            "price": float(price)})
        except Exception as exc:  # the reference cannot compute this combination
            results.append({"id": combo["id"], "error": f"{type(exc).__name__}: {exc}"})
    with open(out_path, "w") as fh:
        json.dump({"results": results}, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
