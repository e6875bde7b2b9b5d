"""The pipeline to 2035: a hand-checked toy pipeline, invariants, configuration, demand
projections, the registry pipeline, jobs by year and the CLI."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellchain.errors import InvalidInputError, UnknownValueError
from cellchain.pipeline import config as cfgmod
from cellchain.pipeline.config import WEIGHTED_STATUSES, PipelineConfig
from cellchain.pipeline.plants import effective_status, plant_path

AS_OF = 2026
TO = 2032


def cap(year, value, basis="planned", unit="GWh/yr", confidence="high"):
    return {"year": year, "capacity": value, "unit": unit, "basis": basis,
            "confidence": confidence}


def st_(status, date):
    return {"status": status, "date": date}


def cfg(probability=None, delay=None, **kw):
    data = {"probability": probability or {}, "delay": delay or {}, **kw}
    return cfgmod.from_dict(data)


# ---------------------------------------------------------------------------------------
# A hand-checked toy pipeline.
#
#   P1 operating since 2020 at 10 GWh/yr (nameplate 2020), expansion to 30 under
#      construction (status 2025-06, planned 2028).
#   P2 announced 2025-03, 20 GWh/yr planned for 2027.
#   P3 under construction since 2024, 8 GWh/yr planned for 2025 (overdue: arrives 2027).
#
# With p(construction) = 0.9, d = 1; p(announced) = 0.4, d = 2 (the defaults):
#   P1: base 10; +20 in 2028 at 0.9 after 1 year -> expected 10 to 2028, 28 from 2029.
#   P2: +20 in 2027 at 0.4 after 2 years -> 0 to 2028, 8 from 2029.
#   P3: +8 in 2027 (2025 is past) at 0.9 after 1 year -> 0 to 2027, 7.2 from 2028.
# Sum expected: 2026 10; 2027 10; 2028 17.2; 2029 43.2.
# Announced: 2026 10; 2027 10+20+8 = 38; 2028 58.  Low (op + construction, no delay):
# 2026 10; 2027 18; 2028 38.
# ---------------------------------------------------------------------------------------
TOY = {
    "P1": ([st_("operating", "2020"), st_("construction", "2025-06")],
           [cap(2020, 10, "nameplate"), cap(2028, 30)]),
    "P2": ([st_("announced", "2025-03")], [cap(2027, 20)]),
    "P3": ([st_("construction", "2024")], [cap(2025, 8)]),
}


def toy_paths(c=None):
    c = c or PipelineConfig()
    return {k: plant_path(k, s, r, c, TO) for k, (s, r) in TOY.items()}


def total(paths, attr, year):
    return sum(getattr(p, attr)[year] for p in paths.values())


def test_toy_pipeline_by_hand():
    paths = toy_paths()
    assert paths["P1"].base == 10 and paths["P1"].status == "operating"
    assert [round(total(paths, "expected", y), 6) for y in range(2026, 2030)] == \
        [10, 10, 17.2, 43.2]
    assert [total(paths, "announced", y) for y in range(2026, 2029)] == [10, 38, 58]
    assert [total(paths, "low", y) for y in range(2026, 2029)] == [10, 18, 38]
    assert paths["P1"].increments == [(2028, 20.0, "construction", 0.9, 1.0)]
    assert paths["P3"].increments == [(2027, 8.0, "construction", 0.9, 1.0)]


def test_fractional_delay_spreads_capacity_over_two_years():
    p = plant_path("X", [st_("announced", "2026-01")], [cap(2028, 10)],
                   cfg({"announced": 1.0}, {"announced": 1.5}), TO)
    assert [p.expected[y] for y in (2028, 2029, 2030, 2031)] == [0, 5, 10, 10]


def test_stale_rule_shelves_after_two_and_cancels_after_four_years():
    c = PipelineConfig()
    assert effective_status([st_("announced", "2025-01")], c)[0] == "announced"
    assert effective_status([st_("announced", "2024-06")], c)[0] == "shelved"
    assert effective_status([st_("announced", "2021")], c)[0] == "cancelled"
    # construction is not subject to the rule
    assert effective_status([st_("construction", "2019")], c)[0] == "construction"
    # an operating plant's stale expansion is shelved, the plant stays operating
    assert effective_status([st_("operating", "2018"), st_("announced", "2024-01")], c) == \
        ("operating", "shelved")
    p = plant_path("X", [st_("announced", "2021")], [cap(2027, 10)], c, TO)
    assert p.reason == "cancelled" and not p.announced


def test_plants_without_a_date_or_status_are_reported_not_dropped():
    c = PipelineConfig()
    undated = plant_path("U", [st_("announced", "2026")], [cap(None, 12)], c, TO)
    assert undated.reason == "no dated capacity" and undated.undated_capacity == 12
    assert plant_path("N", [st_("announced", "2026")], [], c, TO).reason == "no capacity"
    assert plant_path("S", [], [cap(2027, 5)], c, TO).reason == "no status"
    assert plant_path("C", [st_("operating", "2010"), st_("closed", "2020")],
                      [cap(2010, 5, "nameplate")], c, TO).reason == "closed"


def test_units_are_canonical():
    p = plant_path("L", [st_("construction", "2026")], [cap(2027, 1000, unit="t/yr Li")],
                   cfg({"construction": 1.0}, {"construction": 0.0}), TO)
    assert p.unit == "t/yr LCE" and p.expected[2027] == pytest.approx(5323.0)


# ---------------------------------------------------------------------------------------
# Invariants on random plants.
# ---------------------------------------------------------------------------------------
statuses = st.sampled_from(["operating", "construction", "announced", "considered", "idle",
                            "closed"])
dates = st.integers(2018, 2026).map(str)
rows = st.lists(st.tuples(st.integers(2015, 2035), st.floats(0, 100),
                          st.sampled_from(["nameplate", "planned", "target"])),
                min_size=1, max_size=5)
plants = st.lists(st.tuples(st.lists(st.tuples(statuses, dates), min_size=1, max_size=3),
                            rows), min_size=1, max_size=4)
probs = st.fixed_dictionaries({s: st.floats(0, 1) for s in WEIGHTED_STATUSES})
delays = st.fixed_dictionaries({s: st.floats(0, 4) for s in WEIGHTED_STATUSES})


def _paths(plant_list, c):
    return [plant_path(f"F{i}", [st_(s, d) for s, d in srows],
                       [cap(y, v, b) for y, v, b in crows], c, TO)
            for i, (srows, crows) in enumerate(plant_list)]


def _sum(paths, attr, y):
    return sum(getattr(p, attr)[y] for p in paths if p.reason is None)


@given(plants, probs, delays)
def test_expected_never_exceeds_announced_and_low_within_bands(plant_list, p, d):
    paths = _paths(plant_list, cfg(p, d))
    for y in range(AS_OF, TO + 1):
        assert _sum(paths, "expected", y) <= _sum(paths, "announced", y) + 1e-9
        assert _sum(paths, "low", y) <= _sum(paths, "announced", y) + 1e-9
        assert _sum(paths, "expected", y) >= -1e-9


@given(plants)
def test_all_probabilities_one_and_no_delay_gives_announced(plant_list):
    c = cfg(dict.fromkeys(WEIGHTED_STATUSES, 1.0), dict.fromkeys(WEIGHTED_STATUSES, 0.0))
    paths = _paths(plant_list, c)
    for y in range(AS_OF, TO + 1):
        assert _sum(paths, "expected", y) == pytest.approx(_sum(paths, "announced", y))


@given(plants, probs, delays, st.sampled_from(WEIGHTED_STATUSES), st.floats(0, 1))
def test_expected_is_monotone_in_each_probability(plant_list, p, d, status, bump):
    lower = _paths(plant_list, cfg(p, d))
    raised = _paths(plant_list, cfg({**p, status: max(p[status], bump)}, d))
    for y in range(AS_OF, TO + 1):
        assert _sum(raised, "expected", y) >= _sum(lower, "expected", y) - 1e-9


# ---------------------------------------------------------------------------------------
# Configuration: overrides and YAML, strictly validated.
# ---------------------------------------------------------------------------------------
def test_defaults_are_complete_and_overrides_apply(tmp_path):
    c = PipelineConfig()
    assert {s: c.p(s) for s in WEIGHTED_STATUSES} == cfgmod.DEFAULT_PROBABILITY
    assert c.p("closed") == 0 and c.p("cancelled") == 0
    f = tmp_path / "p.yaml"
    f.write_text("probability: {announced: 0.2}\ndelay: {announced: 3}\n"
                 "stale: {shelved_after: 1, cancelled_after: 3}\n")
    built = cfgmod.build(f, ["considered=0.05"], None)
    assert built.p("announced") == 0.2 and built.p("considered") == 0.05
    assert built.d("announced") == 3 and built.stale.cancelled_after == 3
    assert not built.is_default() and c.is_default()


@pytest.mark.parametrize("text, where", [
    ("probability: {anounced: 0.2}\n", "probability.anounced"),
    ("probability: {announced: 1.2}\n", "probability.announced"),
    ("delay: {announced: -1}\n", "delay.announced"),
    ("extra: 1\n", "extra"),
    ("stale: {shelved_after: 5, cancelled_after: 2}\n", "stale"),
])
def test_bad_config_files_name_the_key(tmp_path, text, where):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(InvalidInputError, match=str(f)) as exc:
        cfgmod.load(f)
    assert where in exc.value.message


@pytest.mark.parametrize("item", ["announced", "announced=x", "=0.3", "bogus=0.1"])
def test_bad_overrides(item):
    with pytest.raises((InvalidInputError, UnknownValueError)):
        cfgmod.build(None, [item], None)


# ---------------------------------------------------------------------------------------
# Demand projections (registry).
# ---------------------------------------------------------------------------------------
def test_demand_is_sourced_or_marked_interpolated(warehouse):
    from cellchain.pipeline import demand

    rows = {r["year"]: r for r in demand.projection("USA", "ev_all", "IEA STEPS (GEVO2025)")}
    # IEA GEVO 2025 data explorer: USA 115.932 GWh in 2024 (actual), 289.11 in 2030 (STEPS)
    assert rows[2024]["value"] == pytest.approx(115.932) and rows[2024]["basis"] == "actual"
    assert rows[2030]["value"] == pytest.approx(289.11)
    assert rows[2030]["basis"] == "projection"
    growth = (289.11 / 115.932) ** (1 / 6)
    assert rows[2027]["value"] == pytest.approx(115.932 * growth ** 3)
    assert rows[2027]["basis"] == "interpolated between 2024 and 2030"
    assert rows[2031]["value"] is None and rows[2031]["basis"] == "no source after 2030"
    assert all(r["scenario"] == "IEA STEPS (GEVO2025)" for r in rows.values())


def test_market_without_a_source_names_those_with_one(warehouse):
    from cellchain.pipeline import demand

    with pytest.raises(UnknownValueError) as exc:
        demand.projection("BOL", "ev_all", "IEA STEPS (GEVO2025)")
    assert "USA" in exc.value.hint and "WLD" in exc.value.hint


def test_ambiguous_scenario_prefix_is_an_error(warehouse):
    from cellchain.pipeline import demand

    with pytest.raises(InvalidInputError, match="GEVO2025"):
        demand.projection("world", "ev_all", "IEA STEPS")


# ---------------------------------------------------------------------------------------
# The registry pipeline.
# ---------------------------------------------------------------------------------------
def test_registry_pipeline_invariants(warehouse):
    from cellchain.pipeline import pipeline

    for market in ("world", "USA", "EU27"):
        df = pipeline(market, "cells", 2035)
        assert list(df["year"]) == list(range(AS_OF, 2036))
        assert (df["expected_capacity"] <= df["announced_capacity"] + 1e-9).all()
        assert (df["low"] <= df["high"] + 1e-9).all()
        first = df.iloc[0]
        # in the as-of year only operating capacity counts, in every band
        assert first["expected_capacity"] == first["low"] == first["announced_capacity"]
        assert (df["unit"] == "GWh/yr").all() and df["demand_scenario"].notna().all()
        d2030 = df.set_index("year").loc[2030]
        assert d2030["gap"] == pytest.approx(d2030["demand"] - d2030["expected_capacity"])
        assert d2030["self_sufficiency"] == pytest.approx(
            d2030["expected_capacity"] / d2030["demand"])


def test_everything_at_one_reproduces_announced_on_the_registry(warehouse):
    from cellchain.pipeline import pipeline

    c = cfg(dict.fromkeys(WEIGHTED_STATUSES, 1.0), dict.fromkeys(WEIGHTED_STATUSES, 0.0))
    df = pipeline("world", "cells", 2035, config=c)
    assert df["expected_capacity"].tolist() == pytest.approx(df["announced_capacity"].tolist())


def test_by_owner_and_material_stage(warehouse):
    from cellchain.pipeline import pipeline

    loc = pipeline("USA", "cells", 2030)
    own = pipeline("USA", "cells", 2030, by="owner")
    # US-owned plants are fewer than plants in the US (most are Korean/Japanese JVs)
    assert own.iloc[-1]["announced_capacity"] < loc.iloc[-1]["announced_capacity"]
    cath = pipeline("world", "cathode", 2030)
    assert (cath["unit"] == "t/yr").all() and "recipe" in cath.iloc[-1]["demand_basis"]


def test_expected_capacity_table_for_the_network_builder(warehouse):
    from cellchain.pipeline import expected_capacity, pipeline

    t = expected_capacity(2030, stage="cells")
    assert {"facility", "product", "country", "capacity", "unit", "probability",
            "basis"} <= set(t.columns)
    assert ((t["probability"] >= 0) & (t["probability"] <= 1)).all()
    world = pipeline("world", "cells", 2030).set_index("year").loc[2030]
    assert t["capacity"].sum() == pytest.approx(world["expected_capacity"])
    with pytest.raises(InvalidInputError):
        expected_capacity(2040)


def test_jobs_by_year(warehouse):
    from cellchain.pipeline import jobs

    df = jobs.jobs(2030, "cells")
    assert len(df) and (df["expected_jobs"].dropna() <= df["jobs"].dropna() + 1e-9).all()
    # EU cell plants without their own figure use the JRC's 90-180 jobs per GWh/yr
    eu = df[df["jobs_basis"].str.startswith("estimated: 140")]
    assert len(eu)
    row = eu.iloc[0]
    assert row["jobs"] == pytest.approx(140 * row["announced_capacity"])
    assert row["jobs_low"] == pytest.approx(90 * row["announced_capacity"])
    reported = df[df["jobs_basis"].str.startswith("reported")]
    assert len(reported)


# ---------------------------------------------------------------------------------------
# The CLI.
# ---------------------------------------------------------------------------------------
def test_cli_pipeline_json_and_errors(cli, warehouse):
    res = cli("pipeline", "--market", "USA", "--stage", "cells", "--to", "2030",
              "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["year"] for r in rows] == list(range(AS_OF, 2031))
    assert rows[-1]["demand_scenario"] == "IEA STEPS (GEVO2025)"
    low = cli("pipeline", "--market", "USA", "--to", "2030", "-p", "announced=0",
              "-p", "construction=0", "--format", "json")
    assert json.loads(low.stdout)[-1]["expected_capacity"] < rows[-1]["expected_capacity"]
    for bad in (["--to", "2040"], ["-p", "announced=2"], ["--market", "Narnia"],
                ["--stage", "unobtainium"], ["--market", "BOL"], ["--end-use", "bogus"],
                ["--end-use", "consumer", "--market", "USA"], ["--by", "foo"],
                ["--config", "/nonexistent.yaml"], ["--delay", "construction=-1"]):
        res = cli("pipeline", *bad)
        assert res.returncode == 1 and res.stdout == ""
        assert res.stderr.startswith("error:") and len(res.stderr.strip().splitlines()) == 1


def test_cli_jobs_in_a_pipeline_year(cli, warehouse):
    res = cli("jobs", "--year", "2030", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert rows and {"expected_jobs", "capex_musd", "jobs_basis"} <= set(rows[0])


def test_api_function_is_cellchain_pipeline(warehouse):
    import cellchain
    from cellchain.pipeline import jobs  # noqa: F401  (importing submodules keeps it callable)

    df = cellchain.pipeline("USA", to=2030)
    assert df.iloc[-1]["year"] == 2030 and df.iloc[-1]["market"] == "USA"
    assert len(cellchain.pipeline.expected_capacity(2030, stage="cells"))


def test_sourced_job_intensities_are_cited():
    from cellchain.nomenclature import ALL_PRODUCTS, CONFIDENCE
    from cellchain.pipeline.jobs import sourced_intensities

    rows = sourced_intensities()
    assert rows
    for r in rows:
        assert r["source_url"].startswith("https://") and r["seen"] == "2026-12-03"
        assert r["confidence"] in CONFIDENCE and r["product"] in ALL_PRODUCTS
        assert 0 < r["low"] <= r["central"] <= r["high"]
    jrc = next(r for r in rows if r["product"] == "cells" and r["region"] == "eu")
    assert (jrc["low"], jrc["central"], jrc["high"]) == (90, 140, 180)


def test_plant_capacity_function_for_the_network_builder(warehouse):
    from cellchain.pipeline import expected_capacity, plant_capacity

    f = plant_capacity()
    table = expected_capacity(2030, stage="cells")
    for row in table[table.capacity > 0].head(20).itertuples():
        value, unit = f(row.facility, 2030)
        assert value == pytest.approx(row.capacity) and unit == row.unit
    assert f("no-such-plant", 2030) is None and f(table.facility.iloc[0], 2050) is None
    low = plant_capacity(basis="low")
    assert all(low(r.facility, 2030)[0] == pytest.approx(r.low)
               for r in table.head(20).itertuples() if r.low > 0)
    with pytest.raises(UnknownValueError):
        plant_capacity(basis="hoped")


def test_cli_demand_projection_names_scenario_in_every_row(cli, warehouse):
    res = cli("pipeline", "--market", "world", "--demand", "--end-use", "ev_all",
              "--end-use", "storage", "--scenario", "SNE Research forecast (May 2024)",
              "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["scenario"] for r in rows} == {"SNE Research forecast (May 2024)"}
    by = {(r["end_use"], r["year"]): r for r in rows}
    # SNE Research (May 2024, via Hankyung): 4,760 GWh EV and 618 GWh storage in 2035
    assert by[("ev_all", 2035)]["value"] == 4760 and by[("storage", 2035)]["value"] == 618
    assert by[("ev_all", 2030)]["basis"] == "interpolated between 2024 and 2035"


def test_market_demand_for_a_pipeline_year(warehouse):
    from cellchain.pipeline import demand

    d2030, src = demand.market_demand(2030)
    # IEA GEVO 2025 data explorer, STEPS 2030: USA 289.11, Europe 794.4, world 3,229 GWh
    assert d2030["USA"] == pytest.approx(289.11) and d2030["EU27"] == pytest.approx(794.4)
    assert sum(d2030.values()) == pytest.approx(3229.0)
    d2027, src = demand.market_demand(2027)
    assert d2027["USA"] == pytest.approx(115.932 * (289.11 / 115.932) ** 0.5)
    assert src["ev_all:USA"].startswith("interpolated between 2024 and 2030")


def test_api_takes_the_command_keywords(warehouse):
    import inspect

    import cellchain

    params = inspect.signature(cellchain.pipeline).parameters
    for name in ("market", "stage", "to", "by", "scenario", "end_use", "probability",
                 "delay", "config", "excluded", "demand"):
        assert name in params
    base = cellchain.pipeline("world", to=2030)
    none = cellchain.pipeline("world", to=2030,
                              probability=dict.fromkeys(WEIGHTED_STATUSES[1:], 0.0))
    # with nothing pending counted, expected capacity is what operates in 2026
    assert none["expected_capacity"].tolist() == pytest.approx(
        [base.iloc[0]["expected_capacity"]] * len(none))
    assert set(cellchain.pipeline("USA", excluded=True)["reason"]) <= {
        "no capacity", "no dated capacity", "no status", "closed", "cancelled"} | {
        r for r in cellchain.pipeline("USA", excluded=True)["reason"] if r.startswith("unit")}
    assert set(cellchain.pipeline("USA", demand=True)["end_use"]) == {"ev_all"}


def test_undated_status_further_along_is_the_current_one():
    c = PipelineConfig()
    # announced in 2022 (would be cancelled by the stale rule), building since: building
    assert effective_status([st_("construction", None), st_("announced", "2022-03")], c) \
        == ("construction", None)
    assert effective_status([st_("announced", "2023-02"), st_("operating", None)], c)[0] \
        == "operating"
    # an undated announcement does not undo a dated construction start
    assert effective_status([st_("announced", None), st_("construction", "2025")], c)[0] \
        == "construction"
    # idle or closed on a date stays so
    assert effective_status([st_("operating", None), st_("closed", "2024")], c)[0] == "closed"


@given(st.integers(2015, 2030), st.integers(1, 10), st.floats(0, 1e4), st.floats(0, 1e4),
       st.data())
def test_interpolation_stays_between_its_anchors(y0, span, v0, v1, data):
    from cellchain.pipeline.demand import interpolate

    y1 = y0 + span
    y = data.draw(st.integers(y0, y1))
    v = interpolate(y0, v0, y1, v1, y)
    assert min(v0, v1) - 1e-6 <= v <= max(v0, v1) + 1e-6
    assert interpolate(y0, v0, y1, v1, y0) == pytest.approx(v0)
    assert interpolate(y0, v0, y1, v1, y1) == pytest.approx(v1)
