"""Strictly convex quadratic programmes with sparse data, solved by PIQP (a proximal
interior-point method; BSD-2-Clause).

One job: minimise ``x'Px / 2 + c'x`` subject to ``A x = b``, ``h_l <= G x <= h_u`` and
``x_l <= x <= x_u``. PIQP is used single-threaded from a cold start, so the same data give
the same bits in every run and process; its interior-point iterations do not stall on
degenerate instances, where HiGHS's active-set QP solver sometimes stopped short. The
solver and scipy are imported here and nowhere else.
"""

from __future__ import annotations

import numpy as np

#: Absolute and relative residual and duality-gap tolerance of the QP (in the scaled
#: units of the caller's columns and rows). On the re-routing benchmark's shocks the
#: answer is within 1e-7 of a reference solve at 1e-12 (Clarabel), in units of each
#: product's world output; a tighter setting gains little and from 1e-13 some solves stop
#: short. Where a bound's multiplier is zero, an interior point stays about the square
#: root of this away from the bound.
TOLERANCE = 1.0e-10
#: Interior-point iterations allowed before giving up (the bundled problems need 10-30).
MAX_ITERATIONS = 200


def csc(start: np.ndarray, index: np.ndarray, value: np.ndarray, shape: tuple[int, int]):
    """A scipy CSC matrix from column starts, row indices and values."""
    import scipy.sparse as sp

    return sp.csc_matrix((value, index, start), shape=shape)


def symmetric(start: np.ndarray, index: np.ndarray, value: np.ndarray, dim: int):
    """The symmetric matrix whose lower triangle is given column-wise (HiGHS's Hessian
    format), as scipy CSC."""
    import scipy.sparse as sp

    lower = csc(start, index, value, (dim, dim))
    return (lower + lower.T - sp.diags(lower.diagonal())).tocsc()


class Structure:
    """The sparsity and values of one QP's matrices, split once into equality and
    inequality rows: ``P`` (symmetric Hessian) and ``A`` (rows; those flagged ``eq`` are
    equalities). Re-solving with other costs and bounds reuses it."""

    def __init__(self, P, A, eq: np.ndarray):
        import scipy.sparse as sp

        A = sp.csr_matrix(A)
        self.eq = np.asarray(eq, bool)
        self.P = sp.csc_matrix(P)
        self.A_eq = A[self.eq].tocsc()
        self.A_ineq = A[~self.eq].tocsc()


def solve(structure: Structure, c, lower, upper, x_lower, x_upper, inf: float):
    """Solve the QP with costs ``c``, rows ``lower <= A x <= upper`` (equality rows take
    ``lower``; bounds at or beyond ``inf`` are absent) and column bounds. A new solver
    each time, so the answer depends only on the data. Returns (status in words, x or
    None)."""
    import piqp

    eq = structure.eq
    solver = piqp.SparseSolver()
    s = solver.settings
    s.verbose = False
    s.num_threads = 1
    s.eps_abs = s.eps_rel = TOLERANCE
    s.eps_duality_gap_abs = s.eps_duality_gap_rel = TOLERANCE
    s.max_iter = MAX_ITERATIONS
    solver.setup(structure.P, np.asarray(c, float), structure.A_eq, lower[eq],
                 structure.A_ineq, _open(lower[~eq], inf), _open(upper[~eq], inf),
                 _open(x_lower, inf), _open(x_upper, inf))
    status = solver.solve()
    if status != piqp.PIQP_SOLVED:
        return _words(status), None
    return "optimal", np.array(solver.result.x, float)


def _open(bound: np.ndarray, inf: float) -> np.ndarray:
    bound = np.asarray(bound, float)
    return np.where(bound >= inf, np.inf, np.where(bound <= -inf, -np.inf, bound))


def _words(status) -> str:
    name = str(status).rsplit(".", 1)[-1].removeprefix("PIQP_").replace("_", " ").lower()
    return f"the least-squares stage stopped short ({name})"


__all__ = ["TOLERANCE", "Structure", "csc", "solve", "symmetric"]
