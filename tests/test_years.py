"""One year policy: each command accepts the years its data has, and one default."""

from __future__ import annotations

import inspect

import pytest

from cellchain import api, years
from cellchain.errors import InvalidInputError


def test_year_ranges_come_from_the_data(warehouse):
    assert years.available("production") == tuple(api.years("production"))
    reg = years.available("registry")
    model = years.available("model")
    assert reg[0] <= 2011 and reg[-1] >= 2030  # dated capacity figures: 2011 ... 2030
    assert model[0] == 2019  # first market split of demand: 2019
    # up to the as-of year observed; after it projected (pipeline capacity), to 2035
    assert model[-1] == years.HORIZON == 2035 and years.AS_OF == 2026
    assert years.DEFAULT_YEAR in reg and years.DEFAULT_YEAR in model


@pytest.mark.parametrize("kind", ["production", "trade", "registry", "model"])
@pytest.mark.parametrize("bad", [0, -2024, 99999, 1999, True, 2024.5, "2024"])
def test_years_without_data_are_errors_listing_those_with(warehouse, kind, bad):
    if bad == 1999 and kind == "trade":
        bad = 1990  # BACI starts in 1995
    with pytest.raises(InvalidInputError, match=r"Years with data: \d{4}"):
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
    for command in (["shares"], ["jobs"], ["exposure"], ["report"], ["facility", "show"]):
        res = cli(*command, "--help")
        text = " ".join(res.stdout.split())  # help text is wrapped
        assert res.returncode == 0 and f"default: {years.DEFAULT_YEAR}" in text, command
    res = cli("production", "--help")
    assert "default: the latest" in " ".join(res.stdout.split())


@pytest.mark.parametrize("bad", [2036, 2010])
def test_model_years_end_at_the_horizon(warehouse, bad):
    with pytest.raises(InvalidInputError, match="Years with data: 2019 to 2035"):
        years.check(bad, "model")
