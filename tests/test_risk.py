"""Monte Carlo shortfall risk: exact toy distributions, reproducibility, invariants."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st_

from cellchain.errors import CellchainError
from cellchain.risk import montecarlo, sample
from cellchain.risk.model import load_model, parse
from cellchain.risk.propagate import market_shortfall, propagate
from cellchain.risk.reference import shortfall_loop
from cellchain.risk.run import percentile
from cellchain.risk.structure import ChainStructure, Source


def toy(p_a=0.1, p_b=0.2, sev_a=1.0, sev_b=1.0, share_a=0.6) -> ChainStructure:
    """One market buying cells from two plants, A and B, with independent outages."""
    return ChainStructure(
        year=2024, products=("cells",), nodes={"cells": ("A", "B")},
        offsets={"cells": slice(0, 2)}, inputs={}, users={}, sourcing={},
        shares={"M": {"cells": np.array([share_a, 1 - share_a])}},
        need={"M": {"cells": 100.0}}, units={"cells": "GWh"}, stages={"cells": "cells"},
        sources=[Source("facility", "A", p_a, np.array([sev_a, 0.0])),
                 Source("facility", "B", p_b, np.array([0.0, sev_b]))])


def two_stage() -> ChainStructure:
    """Mines X (70 %) and Y (30 %) feed cell plants A and B; A takes only X, B half each;
    the market buys 60 % from A."""
    return ChainStructure(
        year=2024, products=("mine", "cells"), nodes={"mine": ("X", "Y"),
                                                      "cells": ("A", "B")},
        offsets={"mine": slice(0, 2), "cells": slice(2, 4)}, inputs={"cells": ("mine",)},
        users={"mine": "cells"},
        sourcing={"mine": np.array([[1.0, 0.5], [0.0, 0.5]])},
        shares={"M": {"mine": np.array([0.8, 0.2]), "cells": np.array([0.6, 0.4])}},
        need={"M": {"mine": 10.0, "cells": 100.0}}, units={"mine": "t", "cells": "GWh"},
        stages={"mine": "mining", "cells": "cells"},
        sources=[Source("country", "X", 0.3, np.array([1.0, 0.0, 0.0, 0.0])),
                 Source("facility", "B", 0.1, np.array([0.0, 0.0, 0.0, 0.5]))])


def test_toy_distribution_matches_the_hand_calculation():
    # shortfall 0 (p .72), 0.4 (B out: .18), 0.6 (A out: .08), 1.0 (both: .02)
    r = montecarlo("M", draws=200_000, seed=3, structure=toy(), driver_draws=200_000)
    row = r.summary.iloc[0]
    se = np.sqrt(0.0484 / 200_000)  # sd of the shortfall is 0.22
    assert row["mean"] == pytest.approx(0.14, abs=5 * se)
    assert row["prob_shortfall"] == pytest.approx(0.28, abs=0.005)
    assert row["p95"] == pytest.approx(0.6)
    assert row["p99"] == pytest.approx(1.0)
    assert row["cvar95"] == pytest.approx(0.76, abs=0.02)  # (2 % x 1.0 + 3 % x 0.6) / 5 %
    assert row["mean_units"] == pytest.approx(100 * row["mean"])
    drivers = r.drivers.set_index("driver")["contribution"]
    # taking A away removes exactly its strikes: 0.1 x 0.6, B: 0.2 x 0.4
    assert drivers["A"] == pytest.approx(0.06, abs=0.003)
    assert drivers["B"] == pytest.approx(0.08, abs=0.003)
    assert list(r.drivers["rank"]) == [1, 2]


def test_losses_travel_downstream_by_hand():
    st = two_stage()
    direct = np.array([[1.0, 0.0, 0.0, 0.0],    # mine X out
                       [0.0, 0.0, 0.0, 0.5],    # half of plant B out
                       [1.0, 0.0, 0.0, 0.5]])   # both
    lost = propagate(st, direct)
    # X out: A has no input (lost 1), B keeps the half it takes from Y (lost .5)
    np.testing.assert_allclose(lost["cells"][0], [1.0, 0.5])
    np.testing.assert_allclose(lost["cells"][1], [0.0, 0.5])
    # both: B keeps (1 - .5) x (1 - .5) of its output
    np.testing.assert_allclose(lost["cells"][2], [1.0, 0.75])
    short = market_shortfall(st, lost, "M")
    np.testing.assert_allclose(short[:, 1], [0.6 + 0.2, 0.2, 0.6 + 0.3])
    np.testing.assert_allclose(short[:, 0], [0.8, 0.0, 0.8])


def dyadic_chain() -> ChainStructure:
    """Two inputs (mines X, Y; graphite G, H) into cell plants A, B; every share, sourcing
    weight and severity a power of two, so float32 and Python floats agree exactly."""
    return ChainStructure(
        year=2024, products=("mine", "graphite", "cells"),
        nodes={"mine": ("X", "Y"), "graphite": ("G", "H"), "cells": ("A", "B")},
        offsets={"mine": slice(0, 2), "graphite": slice(2, 4), "cells": slice(4, 6)},
        inputs={"cells": ("mine", "graphite")}, users={"mine": "cells", "graphite": "cells"},
        sourcing={"mine": np.array([[1.0, 0.5], [0.0, 0.5]]),
                  "graphite": np.array([[0.75, 0.25], [0.25, 0.75]])},
        shares={"M": {"mine": np.array([0.75, 0.25]), "graphite": np.array([0.5, 0.5]),
                      "cells": np.array([0.625, 0.375])}},
        need={"M": {"mine": 10.0, "graphite": 20.0, "cells": 100.0}},
        units={"mine": "t", "graphite": "t", "cells": "GWh"},
        stages={"mine": "mining", "graphite": "materials", "cells": "cells"},
        sources=[Source("country", "X", 0.3, np.array([1.0, 0, 0, 0, 0, 0])),
                 Source("event", "bloc", 0.2, np.array([0, 0.5, 0.5, 0.5, 0, 0])),
                 Source("facility", "G", 0.1, np.array([0, 0, 0.5, 0, 0, 0])),
                 Source("facility", "B", 0.25, np.array([0, 0, 0, 0, 0, 0.5]))])


def test_vectorised_short_mode_equals_the_python_loop_draw_for_draw():
    st = dyadic_chain()
    draws = 23_000  # two whole chunks and a partial one
    r = montecarlo("M", draws=draws, seed=5, structure=st, driver_draws=0)
    ref = np.array(shortfall_loop(st, "M", draws, 5))
    np.testing.assert_array_equal(r.cell_shortfall["M"], ref[:, 2])
    assert (ref[:, 2] > 0).mean() > 0.3  # the draws do strike
    means = r.summary.set_index("product")["mean"]
    for j, p in enumerate(st.products):
        assert means[p] == ref[:, j].mean()


@given(values=st_.lists(st_.sampled_from([0.0, 0.0, 0.125, 0.5, 1.0]) | st_.floats(0, 1),
                        min_size=1, max_size=300),
       q=st_.sampled_from([95, 99, 50, 0, 100]))
def test_percentile_from_a_partition_is_numpys_bit_for_bit(values, q):
    x = np.array(values)
    assert percentile(x, q) == np.percentile(x, q)


def test_same_seed_same_result_and_different_seed_differs():
    a = montecarlo("M", draws=25_000, seed=11, structure=two_stage())
    b = montecarlo("M", draws=25_000, seed=11, structure=two_stage())
    c = montecarlo("M", draws=25_000, seed=12, structure=two_stage())
    np.testing.assert_array_equal(a.cell_shortfall["M"], b.cell_shortfall["M"])
    assert a.summary.equals(b.summary) and a.drivers.equals(b.drivers)
    assert not np.array_equal(a.cell_shortfall["M"], c.cell_shortfall["M"])


def test_chunks_draw_from_spawned_streams():
    first = sample.rng_for(5, 2).random(3)
    spawned = np.random.default_rng(np.random.SeedSequence(5).spawn(3)[2]).random(3)
    np.testing.assert_array_equal(first, spawned)
    assert sample.chunk_sizes(25_000) == [10_000, 10_000, 5_000]


@given(p=st_.lists(st_.floats(0.0, 0.9), min_size=2, max_size=2),
       bump=st_.floats(0.0, 0.5), which=st_.integers(0, 1))
def test_raising_a_probability_never_lowers_expected_shortfall(p, bump, which):
    base = two_stage()
    raised = two_stage()
    probs = list(p)
    for s, q in zip(base.sources, probs, strict=True):
        object.__setattr__(s, "probability", q)
    probs[which] = min(1.0, probs[which] + bump)
    for s, q in zip(raised.sources, probs, strict=True):
        object.__setattr__(s, "probability", q)
    lo = montecarlo("M", draws=2_000, seed=1, structure=base, driver_draws=0)
    hi = montecarlo("M", draws=2_000, seed=1, structure=raised, driver_draws=0)
    # common random numbers: each draw's shortfall can only rise
    assert np.all(hi.cell_shortfall["M"] >= lo.cell_shortfall["M"] - 1e-6)
    assert hi.summary["mean"].iloc[-1] >= lo.summary["mean"].iloc[-1] - 1e-6


@given(share=st_.floats(0.0, 1.0), sev=st_.floats(0.01, 1.0))
def test_shortfall_is_a_fraction(share, sev):
    r = montecarlo("M", draws=500, seed=0, structure=toy(0.5, 0.5, sev, sev, share),
                   driver_draws=0)
    x = r.cell_shortfall["M"]
    assert x.min() >= 0.0 and x.max() <= 1.0 + 1e-6


# ---------------------------------------------------------------------------------------
# the real chain
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def usa(warehouse):
    return montecarlo("USA", year=2024, draws=20_000, seed=7)


def test_usa_summary_covers_every_stage(usa):
    s = usa.summary
    assert set(s["stage"]) == {"mining", "refining", "materials", "cells"}
    assert (s["p99"] >= s["p95"]).all() and (s["cvar95"] >= s["p95"] - 1e-9).all()
    assert ((s["mean"] >= 0) & (s["mean"] <= 1)).all()
    cells = s[s["product"] == "cells"].iloc[0]
    assert cells["unit"] == "GWh/yr" and cells["need"] > 100  # US 2024 demand, GWh


def test_usa_drivers_name_china_and_its_controls(usa):
    d = usa.drivers
    assert set(d["kind"]) >= {"country", "event", "facility"}
    top = d.head(8)
    assert "CHN" in set(top["driver"]) or top["driver"].str.contains("China").any()
    assert list(d["rank"]) == list(range(1, len(d) + 1))
    assert d["contribution"].is_monotonic_decreasing


def test_one_and_two_workers_give_identical_results(warehouse, usa):
    pytest.importorskip("distributed")
    two = montecarlo("USA", year=2024, draws=20_000, seed=7, workers=2)
    np.testing.assert_array_equal(usa.cell_shortfall["USA"], two.cell_shortfall["USA"])
    assert usa.summary.equals(two.summary)
    assert usa.drivers.equals(two.drivers)


def test_long_run_rerouting_lowers_the_expected_shortfall(warehouse, usa):
    long = montecarlo("USA", year=2024, draws=1_000, seed=7, mode="long", driver_draws=0)
    short = montecarlo("USA", year=2024, draws=1_000, seed=7, mode="short", driver_draws=0)
    m_long = long.summary.set_index("product").loc["cells", "mean"]
    m_short = short.summary.set_index("product").loc["cells", "mean"]
    assert m_long <= m_short
    assert 0.0 <= m_long <= 1.0


def test_a_sanction_reaches_plants_through_the_ownership_graph(warehouse):
    from cellchain.risk.structure import build

    model = parse({"countries": {"from_governance": None},
                   "owners": [{"entity": "rosatom", "probability": 0.5}]})
    st = build(2024, ("RoW",), model)
    (src,) = st.sources
    assert src.kind == "owner" and src.name == "rosatom"
    struck = {p for p in st.products if src.effect[st.offsets[p]].any()}
    assert struck  # Rosatom's operating plants (e.g. NCCP's lithium) are in the chain


# ---------------------------------------------------------------------------------------
# bad input: one line, key path
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, needle", [
    ({"events": [{"name": "x", "probability": 1.5, "severity": 0.5, "countries": ["CHN"]}]},
     "events[0].probability"),
    ({"owners": [{"entity": "rosatom", "probability": "often"}]}, "owners[0].probability"),
    ({"facilities": {"outage_rate": 0.1, "sevrity": 0.5}}, "facilities.sevrity"),
    ({"countries": {"overrides": {"CHN": {"probability": float("nan")}}}},
     "countries.overrides.CHN.probability"),
    ({"events": [{"name": "x", "probability": True, "severity": 0.5, "countries": ["CHN"]}]},
     "events[0].probability"),
    ([1, 2], "(top level)"),
])
def test_bad_models_name_the_key_path(data, needle):
    with pytest.raises(CellchainError) as exc:
        parse(data, "m.yaml")
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_the_default_model_is_valid_and_cites_its_events():
    m = load_model()
    assert m.countries.from_governance is not None
    assert all(e.source_url or "Covered" in e.name for e in m.events)


@pytest.mark.parametrize("args, needle", [
    (["--market", "USA", "--draws", "0"], "Draws 0"),
    (["--market", "USA", "--mode", "medium"], "Unknown mode 'medium'"),
    (["--market", "XYZ"], "Unknown market 'XYZ'"),
    (["--market", "USA", "--model", "/nonexistent.yaml"], "not a readable file"),
    (["--market", "USA", "--model", "/dev/zero"], "not a readable file"),
    (["--market", "all", "--draws", "1000000"], "over the limit"),
    (["--market", "USA", "--workers", "0"], "Workers 0"),
    (["--market", "USA", "--seed", "-3"], "Seed -3"),
])
def test_cli_bad_input_is_one_line(cli, warehouse, args, needle):
    res = cli("risk", "montecarlo", *args)
    assert res.returncode == 1, res.stderr
    assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert res.stdout == ""


def test_cli_json_has_summary_and_driver_sections(cli, warehouse):
    res = cli("risk", "montecarlo", "--market", "USA", "--draws", "2000", "--seed", "7",
              "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    sections = {r["section"] for r in rows}
    assert sections == {"summary", "driver"}
    summary = [r for r in rows if r["section"] == "summary"]
    assert {"market", "stage", "product", "mode", "mean", "p95", "p99", "cvar95",
            "prob_shortfall", "unit"} <= set(summary[0])
    # every row, drivers too, is about the run's year, as a whole number (not 2024.0)
    assert all(type(r["year"]) is int and r["year"] == 2024 for r in rows)
    assert all(isinstance(r["rank"], int) for r in rows if r["section"] == "driver")


def test_long_mode_is_identical_for_one_and_two_workers_and_on_a_second_run(warehouse):
    pytest.importorskip("distributed")
    from cellchain.network.build import build_network
    from cellchain.risk.model import load_model
    from cellchain.risk.structure import build

    net = build_network(2024)
    st = build(2024, ("USA",), load_model(), net=net)

    def run(**kw):
        return montecarlo("USA", draws=600, seed=7, mode="long", structure=st, net=net,
                          driver_draws=300, **kw)

    first, again, two = run(), run(), run(workers=2)
    for other in (again, two):  # every piece starts from the baseline's basis
        np.testing.assert_array_equal(first.cell_shortfall["USA"], other.cell_shortfall["USA"])
        assert first.summary.equals(other.summary) and first.drivers.equals(other.drivers)
