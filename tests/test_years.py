"""One year policy: each command accepts the years its data has, and one default."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellchain import api, years
from cellchain.errors import InvalidInputError


def test_year_ranges_come_from_the_data(warehouse):
    assert years.available("production") == tuple(api.years("production"))
    reg = years.available("registry")
    model = years.available("model")
    assert reg[0] <= 2011 and reg[-1] >= 2030  # dated capacity figures: 2011 ... 2030
    # first market split of demand: 2019, but refined cobalt has no capacity or output
    # figure before 2021; up to the as-of year observed, after it projected to 2030, the
    # last year the IEA GEVO 2025 STEPS splits demand by market
    assert model == tuple(range(2021, 2031)) and years.AS_OF == 2026
    assert years.HORIZON == 2035  # the pipeline's horizon (world demand reaches it)
    assert years.DEFAULT_YEAR in reg and years.DEFAULT_YEAR in model


@pytest.mark.parametrize("kind", ["production", "trade", "registry", "model"])
@pytest.mark.parametrize("bad", [0, -2024, 99999, 1999, True, 2024.5, "2024"])
def test_years_without_data_are_errors_listing_those_with(warehouse, kind, bad):
    if bad == 1999 and kind == "trade":
        bad = 1990  # BACI starts in 1995
    listed = r"Use \d{4}–\d{4}" if kind == "model" and isinstance(bad, int) \
        and not isinstance(bad, bool) else r"Years with data: \d{4}"
    with pytest.raises(InvalidInputError, match=listed):
        years.check(bad, kind)


def test_defaults(warehouse):
    assert years.check(None, "registry") == years.check(None, "model") == 2024
    assert years.check(None, "production") == api.years("production")[-1]


def test_same_default_in_cli_api_and_dashboard(cli, warehouse):
    from cellchain.chain import describe, jobs, shares
    from cellchain.dashboard import app as dashboard
    from cellchain.trace import exposure

    assert dashboard.DEFAULT_YEAR == years.DEFAULT_YEAR
    for fn in (shares.shares, jobs.jobs, exposure.exposure):
        assert inspect.signature(fn).parameters["year"].default == years.DEFAULT_YEAR
    assert describe.facility("liotech-novosibirsk")["as_of"] == years.DEFAULT_YEAR
    for command in (["shares"], ["jobs"], ["exposure"], ["report"], ["facility", "show"],
                    ["risk", "montecarlo"], ["demand"], ["recipe"]):
        res = cli(*command, "--help")
        text = " ".join(res.stdout.split())  # help text is wrapped
        assert res.returncode == 0 and f"default: {years.DEFAULT_YEAR}" in text, command
    res = cli("production", "--help")
    assert "default: the latest" in " ".join(res.stdout.split())


@pytest.mark.parametrize("bad, why", [
    (2020, "starts in 2021, the first year the registry has refined cobalt capacity or output"),
    (2010, "starts in 2021"),
    (2031, "ends in 2030, the last year with a regional demand projection "
           r"\(IEA STEPS \(GEVO2025\)\)"),
    (2036, "ends in 2030"),
])
def test_model_years_outside_say_why(warehouse, bad, why):
    with pytest.raises(InvalidInputError, match=f"no year {bad}: it {why}") as err:
        years.check(bad, "model")
    assert err.value.hint == "Use 2021–2030 (default 2024)."
    assert years.check(2021, "model") == 2021 and years.check(2030, "model") == 2030


def test_model_span_is_read_from_the_data(warehouse):
    """The facts behind the range: refined cobalt is the one product without a figure in
    2020, every product has one from 2021 to the as-of year, and the default projection
    splits 2030 by market but not 2031."""
    from cellchain.network.coverage import missing_products
    from cellchain.pipeline import demand

    assert missing_products(2020) == ("cobalt_refined",)
    assert all(missing_products(y) == () for y in range(2021, years.AS_OF + 1))
    assert demand.splits_by_market(demand.DEFAULT_SCENARIO, 2030)
    assert not demand.splits_by_market(demand.DEFAULT_SCENARIO, 2031)


def test_model_span_follows_the_data(warehouse, monkeypatch):
    """With every product covered and a projection split to the horizon, the range would
    run from the first observed demand split (2019) to the horizon: nothing is fixed."""
    from cellchain.network import coverage
    from cellchain.pipeline import demand

    monkeypatch.setattr(coverage, "missing_products", lambda year: ())
    monkeypatch.setattr(demand, "splits_by_market", lambda scenario, year: True)
    years.model_span.cache_clear()
    try:
        span = years.model_span()
        assert (span.first, span.last) == (2019, years.HORIZON)
        assert "observed split of cell demand" in span.starts_because
    finally:
        years.model_span.cache_clear()
    monkeypatch.setattr(coverage, "missing_products",
                        lambda year: ("cells",) if year == 2023 else ())
    years.model_span.cache_clear()
    try:  # a gap: the range starts after it, naming what is missing
        span = years.model_span()
        assert span.first == 2024 and "has cells capacity or output" in span.starts_because
    finally:
        years.model_span.cache_clear()


@given(st.integers(-10_000, 10_000))
def test_a_model_year_is_answered_or_refused_naming_the_range(warehouse, year):
    span = years.model_span()
    if span.first <= year <= span.last:
        assert years.check(year, "model") == year
    else:
        with pytest.raises(InvalidInputError, match=rf"no year {year}: it "
                           rf"{'starts' if year < span.first else 'ends'} in ") as err:
            years.check(year, "model")
        assert err.value.hint == f"Use {span.first}–{span.last} (default 2024)."


def test_years_whose_leading_producers_lack_a_cited_total_carry_a_note(warehouse):
    from cellchain.network.coverage import unmeasured_leaders

    # 2021: China's cathode, refined cobalt and lithium chemicals totals are not yet cited
    # (China's share of cathode output comes out near 30 % instead of ~75-90 %)
    gaps = dict(unmeasured_leaders(2021))
    assert gaps["cathode"] == "CHN" and gaps["cobalt_refined"] == "CHN"
    assert gaps["lithium_chemicals"] == "CHN"
    note = years.coverage_note(2021)
    assert note.startswith("2021: ") and "China's" in note and "cathode" in note
    assert "understated" in note and "\n" not in note
    span = years.model_span()
    for year in range(2023, span.last + 1):  # from 2023 every leader has a cited total
        assert unmeasured_leaders(year) == (), year
        assert years.coverage_note(year) is None, year


def test_the_cli_notes_a_thin_year_on_stderr_only(cli, warehouse):
    import json

    thin = cli("exposure", "USA", "--year", "2021", "--format", "json")
    assert thin.returncode == 0, thin.stderr
    assert json.loads(thin.stdout)  # stdout stays the data
    notes = [line for line in thin.stderr.splitlines() if line.startswith("note: 2021:")]
    assert len(notes) == 1 and "China's" in notes[0]
    full = cli("exposure", "USA", "--year", "2024", "--format", "json")
    assert full.returncode == 0 and "note:" not in full.stderr
