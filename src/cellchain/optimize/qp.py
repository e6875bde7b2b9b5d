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
#: units of the caller's columns and rows).
TOLERANCE = 1.0e-10
#: Primal residual tolerance [scaled units] of the polished solution.
POLISH_TOLERANCE = 1.0e-9
#: Largest move [scaled units] from the interior-point solution a polished one may make
#: (about the square root of TOLERANCE, the interior point's distance from a bound whose
#: multiplier is zero).
POLISH_DISTANCE = 1.0e-5
#: Regularisation of the polishing KKT system, removed by iterative refinement.
POLISH_REG = 1.0e-10
POLISH_REFINE = 3
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
    x = np.array(solver.result.x, float)
    exact = polish(structure, c, lower, upper, x_lower, x_upper, inf, solver.result)
    return "optimal", (x if exact is None else exact)


def polish(structure: Structure, c, lower, upper, x_lower, x_upper, inf: float, result):
    """The interior-point ``result`` moved exactly onto the active set it identifies, or
    None when that does not verify.

    An interior-point method approaches bounds without reaching them (by about the square
    root of its tolerance where a bound's multiplier is zero). A bound or row is taken as
    active where its slack is below its multiplier; the KKT system of the QP restricted
    to that face is solved directly. The answer is kept only if it satisfies every row
    and bound (within POLISH_TOLERANCE) and lies within POLISH_DISTANCE of the
    interior-point solution: columns at a bound are then exactly at it and equalities
    hold to rounding. (Multiplier signs are not checked: redundant balance rows leave the
    multipliers non-unique.)"""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    eq = structure.eq
    x = np.array(result.x, float)
    n = x.size
    lo_b, hi_b = _open(x_lower, inf), _open(x_upper, inf)
    at_lo = np.isfinite(lo_b) & (np.asarray(result.s_bl)[:n] < np.asarray(result.z_bl)[:n])
    at_hi = np.isfinite(hi_b) & (np.asarray(result.s_bu)[:n] < np.asarray(result.z_bu)[:n])
    at_hi &= ~at_lo
    g_lo, g_hi = _open(lower[~eq], inf), _open(upper[~eq], inf)
    row_lo = np.isfinite(g_lo) & (np.asarray(result.s_l) < np.asarray(result.z_l))
    row_hi = np.isfinite(g_hi) & (np.asarray(result.s_u) < np.asarray(result.z_u)) & ~row_lo
    fixed = at_lo | at_hi
    x_fix = np.where(at_lo, lo_b, np.where(at_hi, hi_b, 0.0))
    free = np.flatnonzero(~fixed)
    G = structure.A_ineq.tocsr()
    active = row_lo | row_hi
    C = sp.vstack([structure.A_eq, G[active]]).tocsc()
    d = np.concatenate([lower[eq], np.where(row_lo, g_lo, g_hi)[active]])
    d = d - C @ x_fix
    P = structure.P
    rhs_x = -(np.asarray(c, float) + P @ x_fix)[free]
    Cf = C[:, free]
    m = Cf.shape[0]
    # regularised (quasi-definite) KKT matrix, refined against the exact one, so that
    # redundant rows (balances that sum to one another) do not make it singular
    kkt = sp.bmat([[P[free][:, free], Cf.T], [Cf, None]], format="csc")
    reg = sp.diags(np.concatenate([np.full(free.size, POLISH_REG), np.full(m, -POLISH_REG)]))
    try:
        lu = spla.splu((kkt + reg).tocsc())
    except RuntimeError:
        return None
    rhs = np.concatenate([rhs_x, d])
    sol = lu.solve(rhs)
    for _ in range(POLISH_REFINE):
        sol = sol + lu.solve(rhs - kkt @ sol)
    if not np.all(np.isfinite(sol)):
        return None
    out = x_fix.copy()
    out[free] = sol[:free.size]
    tol = POLISH_TOLERANCE
    # primal: KKT rows hold, free columns within their bounds, inactive rows too
    if np.max(np.abs(kkt @ sol - rhs), initial=0.0) > tol:
        return None
    if (out[free] < lo_b[free] - tol).any() or (out[free] > hi_b[free] + tol).any():
        return None
    gx = G @ out
    if (gx < g_lo - tol).any() or (gx > g_hi + tol).any():
        return None
    # the face's minimiser must be where the interior point already was: otherwise the
    # active set was misread and the interior-point answer stands
    if np.max(np.abs(out - x), initial=0.0) > POLISH_DISTANCE:
        return None
    out[free] = np.clip(out[free], lo_b[free], hi_b[free])
    return out


def _open(bound: np.ndarray, inf: float) -> np.ndarray:
    bound = np.asarray(bound, float)
    return np.where(bound >= inf, np.inf, np.where(bound <= -inf, -np.inf, bound))


def _words(status) -> str:
    name = str(status).rsplit(".", 1)[-1].removeprefix("PIQP_").replace("_", " ").lower()
    return f"the least-squares stage stopped short ({name})"


__all__ = ["TOLERANCE", "Structure", "csc", "polish", "solve", "symmetric"]
