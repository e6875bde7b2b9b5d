"""Reality checks: the observed baseline against published figures
(``tests/reference_figures.csv``). A failing check names the figure, its source, the
model's value and how far it is off."""

import csv
from pathlib import Path

import pytest

from cellchain.network import baseline
from cellchain.network.build import build_network
from cellchain.trace.exposure import exposure, normalise_market

FIGURES = Path(__file__).with_name("reference_figures.csv")
#: The measures these checks compute from the observed baseline (rows with other measures
#: are compared with other answers of the tool in other tests):
#: ``baseline_output`` (a country's or the EU27's output [model unit]),
#: ``baseline_import_share`` (``country`` is ``EXPORTER>IMPORTER``: the exporter's share of
#: the importer's imports) and ``baseline_own_supply_share`` (the share of a market's
#: supply from its own countries).
MEASURES = ("baseline_output", "baseline_import_share", "baseline_own_supply_share")


def _rows():
    """The baseline rows the baseline reaches; a row whose notes begin ``not reached:`` is
    a known gap, checked in ``tests/test_reference_figures.py`` to be still there."""
    with FIGURES.open(newline="") as f:
        return [r for r in csv.DictReader(f) if r["measure"] in MEASURES
                and not r["notes"].startswith("not reached:")]


_CACHE: dict[int, tuple] = {}


def _world(year: int):
    if year not in _CACHE:
        net = build_network(year)
        _CACHE[year] = (net, baseline.build(net))
    return _CACHE[year]


def model_value(row) -> float:
    """The baseline's value of the figure ``row`` describes."""
    year = int(row["year"])
    net, base = _world(year)
    product = {"lithium": "mine_lithium"}.get(row["product"], row["product"])
    measure = row["measure"]
    partner, _, place = row["country"].rpartition(">")
    members = net.markets["EU27"] if place == "EU27" else [place]
    rows = [net.index(c) for c in members if net.has(c)]
    if measure == "baseline_output":
        return float(net.output[product][rows].sum())
    if product == "cells":
        col = base.flows["cells"][:, list(net.markets).index(normalise_market(place))]
    else:
        col = base.flows[product][:, rows].sum(axis=1)
    if measure == "baseline_own_supply_share":
        return float(col[rows].sum() / col.sum())
    imports = col.copy()
    imports[rows] = 0.0
    return float(imports[net.index(partner)] / imports.sum())


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["id"])
def test_baseline_matches_published_figure(warehouse, row):
    value = model_value(row)
    ref, tol = float(row["value"]), float(row["tolerance"])
    off = value - ref
    # abs_pp: percentage points of a fraction; rel: a fraction of the figure
    allowed = tol * abs(ref) if row["tolerance_kind"] == "rel" else tol / 100
    assert abs(off) <= allowed, (
        f"{row['id']}: {row['figure']} ({row['country']}, {row['year']}) is "
        f"{ref:g} {row['unit']} per {row['source_url']}; the baseline gives {value:.4g}, "
        f"off by {off:+.4g} (allowed ±{allowed:.4g})")


@pytest.mark.parametrize("market", ["CHN", "USA", "EU27", "IND", "RoW"])
@pytest.mark.parametrize("by", ["location", "owner", "state"])
def test_every_stage_shares_sum_to_one(warehouse, market, by):
    net, base = _world(2024)
    df = exposure(market, 2024, by, net=net, flows=base.flows, basis=base.basis)
    assert set(df["stage"]) == {"mining", "refining", "materials", "cells"}
    sums = df.groupby("product")["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0, abs=1e-9)


def test_us_exposure_reads_as_an_analyst_would_expect(warehouse):
    """US cells: a large domestic share and China the largest foreign supplier; mined
    lithium led by Australia; refined nickel led by Indonesia; anode mostly Chinese."""
    net, base = _world(2024)
    df = exposure("USA", 2024, net=net, flows=base.flows, basis=base.basis)

    def share(product, group):
        r = df[(df["product"] == product) & (df["group"] == group)]
        return float(r["share"].sum())

    def top(product):
        return df[df["product"] == product].iloc[0]["group"]

    assert 0.3 < share("cells", "USA") < 0.8
    assert share("cells", "CHN") > share("cells", "KOR") > 0
    assert top("mine_lithium") == "AUS"
    assert top("nickel_refined") == "IDN"
    assert share("anode", "CHN") > 0.8


def test_eu_exposure_shows_its_own_plants(warehouse):
    net, base = _world(2024)
    df = exposure("EU27", 2024, net=net, flows=base.flows, basis=base.basis)
    cells = df[df["product"] == "cells"].set_index("group")["share"]
    own = cells[cells.index.isin(net.markets["EU27"])].sum()
    assert own > 0.35
    assert cells.get("POL", 0) > cells.get("HUN", 0) > 0
