"""Property tests for shares, HHI and top-N shares."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellchain.errors import InvalidInputError
from cellchain.metrics import hhi, shares, top_n_share

quantities = st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1,
                      max_size=50)


@given(quantities)
def test_shares_sum_to_one_or_zero(values):
    s = shares(values)
    assert ((s >= 0) & (s <= 1)).all()
    total = sum(values)
    if total > 0:
        assert s.sum() == pytest.approx(1.0)
    else:
        assert s.sum() == 0


@given(quantities)
def test_hhi_bounds(values):
    h = hhi(values)
    positive = [v for v in values if v > 0]
    if sum(values) > 0:
        # between the equal-shares floor 10,000/n and the monopoly ceiling 10,000
        assert 10_000 / len(positive) - 1e-6 <= h <= 10_000 + 1e-6
    else:
        assert h == 0


@given(quantities, st.integers(min_value=1, max_value=10))
def test_top_n_share_is_monotone_and_bounded(values, n):
    a, b = top_n_share(values, n), top_n_share(values, n + 1)
    assert 0 <= a <= b <= 1 + 1e-12


@given(st.lists(st.floats(min_value=0.001, max_value=1e6), min_size=1, max_size=30),
       st.floats(min_value=0.01, max_value=1e3))
def test_scale_invariance(values, factor):
    assert hhi(values) == pytest.approx(hhi([v * factor for v in values]), rel=1e-9)
    np.testing.assert_allclose(shares(values), shares([v * factor for v in values]))


def test_known_values():
    assert hhi([1, 1]) == pytest.approx(5000)
    assert hhi([1]) == pytest.approx(10000)
    assert top_n_share([5, 3, 2], 1) == pytest.approx(0.5)


def test_negative_quantities_rejected():
    with pytest.raises(InvalidInputError):
        hhi([1, -1])
    with pytest.raises(InvalidInputError):
        shares([-1.0])
