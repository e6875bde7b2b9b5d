"""The default completion probabilities against the published 2030 ratios.

ICCT, "Annual global battery demand by demand reduction scenario compared with announced
cell production capacity"
(https://theicct.org/viz-annual-global-battery-demand-by-demand-reduction-scenario-compared-with-announced-cell-production-capacity):
in 2030 all announced cell capacity covers 99 % of the EU's and 130 % of the US's demand;
operating plants plus those under construction ("highly probable") 72 % and 103 %. So
the highly probable share of announced capacity is 72/99 = 0.727 (EU) and 103/130 = 0.792
(US).

IEA (Batteries and Secure Energy Transitions / GEVO 2024 text, as copied at
https://wungiel.pl/14_Aug_2018_14085.html): over 9 TWh of cell capacity announced for
2030, about 70 % of it operational or committed.

What is compared, each with a stated tolerance (absolute, on fractions):

- the default weights: expected / announced 2030 capacity against the ICCT's highly
  probable share (0.05), and the weights applied to the IEA's own mix against its 70 %;
- the registry's composition, which no weight changes: operating plus construction (or
  committed) / announced against the ICCT's 0.727 (EU) and 0.792 (US) and the IEA's 0.70
  (0.05 each). The EU is reached; the US and the world are not, because the registry
  holds few of the uncommitted announcements in those totals (its 2030 world pipeline is
  4.4 TWh against the IEA's 9 TWh). The gaps are asserted so that they stay visible, here
  and in tests/reference_figures.csv ("not reached" rows with the reason), and a test
  fails when the registry closes them;
- the ICCT's coverage ratios (capacity / demand) depend on the demand projection as well;
  they are rows of tests/reference_figures.csv (tolerance 10 points).
"""

from __future__ import annotations

import pytest

TOLERANCE = 0.05
ICCT_EU = 72 / 99
ICCT_US = 103 / 130
IEA_ANNOUNCED_2030 = 9000.0  # GWh/yr, "over 9 TWh"
IEA_COMMITTED_SHARE = 0.70


def _year(market, year=2030):
    from cellchain.pipeline import pipeline

    return pipeline(market, "cells", year).set_index("year").loc[year]


@pytest.mark.parametrize("market, published", [("EU27", ICCT_EU), ("USA", ICCT_US)])
def test_default_weights_reproduce_icct_highly_probable_share(warehouse, market, published):
    row = _year(market)
    # expected capacity with the default weights, as a share of all announced capacity
    assert row["expected_capacity"] / row["announced_capacity"] == pytest.approx(
        published, abs=TOLERANCE)


#: Measured low / announced for 2030: 0.752 (EU27) and 0.866 (USA) against the ICCT's
#: 0.727 and 0.792. The US registry lists fewer uncommitted announcements than the ICCT's
#: data held, so its mix is more built than the ICCT's: not reached.
REACHED = {"EU27": True, "USA": False}


@pytest.mark.parametrize("market, published", [("EU27", ICCT_EU), ("USA", ICCT_US)])
def test_low_band_share_against_icct_operating_plus_construction(warehouse, market,
                                                                  published):
    row = _year(market)
    ratio = row["low"] / row["high"]
    within = abs(ratio - published) <= TOLERANCE
    assert within == REACHED[market], (market, ratio, published)
    if not REACHED[market]:  # the registry's mix is more built than the ICCT's
        assert ratio > published


def test_iea_committed_ratio_not_reached_for_want_of_announcements(warehouse):
    row = _year("world")
    ratio = row["low"] / row["high"]  # operating + construction/committed over announced
    # not within 0.05 of the IEA's 70 %: the registry's mix is more built (about 0.90) ...
    assert abs(ratio - IEA_COMMITTED_SHARE) > TOLERANCE and ratio > IEA_COMMITTED_SHARE
    # ... because it covers under half of the announcements behind the IEA's 9 TWh, and
    # far less of the uncommitted ones (about 16 % of the IEA's 2.7 TWh) than of the
    # built or committed ones (about 63 % of its 6.3 TWh)
    assert row["announced_capacity"] < 0.5 * IEA_ANNOUNCED_2030
    committed = row["low"] / (IEA_COMMITTED_SHARE * IEA_ANNOUNCED_2030)
    uncommitted = (row["high"] - row["low"]) / ((1 - IEA_COMMITTED_SHARE)
                                                * IEA_ANNOUNCED_2030)
    assert uncommitted < 0.5 * committed


def test_default_weights_on_the_iea_mix_keep_68_to_82_percent():
    # with the IEA's composition (70 % operating or committed at p >= 0.8, 30 % announced
    # at the default 0.4) the default weights keep 68-82 % of announced capacity
    from cellchain.pipeline.config import DEFAULT_PROBABILITY as P

    lo = IEA_COMMITTED_SHARE * P["committed"] + (1 - IEA_COMMITTED_SHARE) * P["announced"]
    hi = IEA_COMMITTED_SHARE * P["operating"] + (1 - IEA_COMMITTED_SHARE) * P["announced"]
    assert lo == pytest.approx(0.68) and hi == pytest.approx(0.82)


def test_eu_self_sufficiency_against_fraunhofer_isi(warehouse):
    """Link et al. (Fraunhofer ISI), Nature Energy 10, 526-534 (2025),
    https://ideas.repec.org/a/nat/natene/v10y2025i4d10.1038_s41560-025-01722-y.html:
    European demand likely above 1.0 TWh/yr by 2030, and European production very likely
    to cover at least 50-60 % of it. With the same study's demand figure (registry row
    'Fraunhofer ISI probabilistic (Nature Energy 2025)') the default weights give the EU27
    an expected 2030 self-sufficiency in that range (tolerance 0.05 either side; the study's
    Europe is wider than the EU27)."""
    from cellchain.pipeline import pipeline

    row = pipeline("EU27", "cells", 2030, scenario="Fraunhofer ISI").set_index(
        "year").loc[2030]
    assert row["demand"] == pytest.approx(1000.0)
    assert 0.50 - TOLERANCE <= row["self_sufficiency"] <= 0.60 + TOLERANCE
