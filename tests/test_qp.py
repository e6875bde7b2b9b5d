"""The strictly convex QP solver behind re-routing's second stage, on problems with
known answers."""

import numpy as np
import scipy.sparse as sp

from cellchain.optimize import qp

INF = 1.0e30


def _structure(P, A, lower, upper):
    return qp.Structure(sp.csc_matrix(P), sp.csr_matrix(A), lower == upper)


def test_projection_onto_a_simplex_face():
    # min (x1 - 1)^2 + (x2 - 3)^2, x1 + x2 = 1, x >= 0  ->  x = (0, 1), x1's bound binding
    P = 2 * np.eye(2)
    c = np.array([-2.0, -6.0])
    A = np.array([[1.0, 1.0]])
    lo = hi = np.array([1.0])
    why, x = qp.solve(_structure(P, A, lo, hi), c, lo, hi, np.zeros(2), np.full(2, INF), INF)
    assert why == "optimal"
    assert np.allclose(x, [0.0, 1.0], atol=1e-7)


def test_inequality_rows_and_upper_bounds():
    # min sum (x - 3)^2 over 3 columns, x1 + x2 + x3 <= 6, x3 <= 1  ->  x = (2.5, 2.5, 1)
    P = 2 * np.eye(3)
    c = np.full(3, -6.0)
    A = np.ones((1, 3))
    lo, hi = np.array([-INF]), np.array([6.0])
    why, x = qp.solve(_structure(P, A, lo, hi), c, lo, hi, np.zeros(3),
                      np.array([INF, INF, 1.0]), INF)
    assert why == "optimal"
    assert np.allclose(x, [2.5, 2.5, 1.0], atol=1e-7)


def test_an_infeasible_problem_says_so():
    P = 2 * np.eye(2)
    A = np.array([[1.0, 1.0]])
    lo = hi = np.array([-1.0])
    why, x = qp.solve(_structure(P, A, lo, hi), np.zeros(2), lo, hi, np.zeros(2),
                      np.full(2, INF), INF)
    assert x is None
    assert "stopped short" in why and "infeasible" in why


def test_symmetric_from_a_lower_triangle():
    # [[2, 1], [1, 3]] given as its lower triangle column-wise
    m = qp.symmetric(np.array([0, 2, 3]), np.array([0, 1, 1]), np.array([2.0, 1.0, 3.0]), 2)
    assert np.array_equal(m.toarray(), [[2.0, 1.0], [1.0, 3.0]])


def test_coupled_columns():
    # min x'Px/2 - x1 - x2 with P = [[2, 1], [1, 2]], x1 = x2  ->  x = (1/3, 1/3)
    P = np.array([[2.0, 1.0], [1.0, 2.0]])
    A = np.array([[1.0, -1.0]])
    lo = hi = np.array([0.0])
    why, x = qp.solve(_structure(P, A, lo, hi), np.array([-1.0, -1.0]), lo, hi, np.zeros(2),
                      np.full(2, INF), INF)
    assert why == "optimal"
    assert np.allclose(x, [1 / 3, 1 / 3], atol=1e-7)
