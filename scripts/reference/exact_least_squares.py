#!/usr/bin/env python3
"""Least-squares problems with exactly known answers, by exact rational arithmetic.

Each design matrix is stored as the doubles the engine receives (every column computed in
exact arithmetic and rounded once to the nearest double); the certified values are the exact
least-squares solution for exactly those doubles (Python's fractions, no rounding), printed
to 30 significant digits. Standard errors use sigma^2 = RSS / (n - p) and (X^T X)^{-1}, as
NIST and R do. The condition numbers (2-norm, of X and of X with unit-length columns) are
reported by numpy when it is installed; they are informative, not part of the answer.

Usage: python3 scripts/reference/exact_least_squares.py > Tests/LinearAlgebraTests/Fixtures/exact.json
"""
import json
import math
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 50


def solve_exact(cols, y):
    """Exact normal equations: (X^T X) b = X^T y, with Gauss-Jordan over the rationals."""
    p = len(cols)
    X = [[Fraction(v) for v in c] for c in cols]
    Y = [Fraction(v) for v in y]
    n = len(Y)
    G = [[sum(X[i][k] * X[j][k] for k in range(n)) for j in range(p)] for i in range(p)]
    rhs = [sum(X[i][k] * Y[k] for k in range(n)) for i in range(p)]
    # Augment with the identity to get the inverse at the same time.
    A = [G[i] + [rhs[i]] + [Fraction(int(i == j)) for j in range(p)] for i in range(p)]
    for c in range(p):
        piv = next(r for r in range(c, p) if A[r][c] != 0)
        A[c], A[piv] = A[piv], A[c]
        inv = 1 / A[c][c]
        A[c] = [v * inv for v in A[c]]
        for r in range(p):
            if r != c and A[r][c] != 0:
                f = A[r][c]
                A[r] = [a - f * b for a, b in zip(A[r], A[c])]
    b = [A[i][p] for i in range(p)]
    C = [[A[i][p + 1 + j] for j in range(p)] for i in range(p)]
    resid = [Y[k] - sum(X[j][k] * b[j] for j in range(p)) for k in range(n)]
    rss = sum(r * r for r in resid)
    return b, C, rss, Y


def dec(fr):
    return Decimal(fr.numerator) / Decimal(fr.denominator)


def fmt(d):
    return format(d, ".30g")


def certify(name, description, columns, names, y, intercept):
    b, C, rss, Y = solve_exact(columns, y)
    n, p = len(y), len(columns)
    sigma2 = rss / (n - p)
    se = [(dec(sigma2 * C[j][j])).sqrt() for j in range(p)]
    ybar = sum(Y) / n
    tss = sum((v - ybar) ** 2 for v in Y) if intercept else sum(v * v for v in Y)
    out = {
        "name": name,
        "description": description,
        "n": n,
        "terms": names,
        "columns": [[repr(float(v)) for v in c] for c in columns],
        "y": [repr(float(v)) for v in y],
        "certified": {
            "estimate": [fmt(dec(v)) for v in b],
            "std_error": [fmt(v) for v in se],
            "residual_sd": fmt(dec(sigma2).sqrt()),
            "r_squared": fmt(dec(1 - rss / tss)),
        },
    }
    try:
        import numpy as np

        X = np.array([[float(v) for v in c] for c in out["columns"]]).T
        out["condition_number"] = float(np.linalg.cond(X))
        out["condition_number_scaled"] = float(np.linalg.cond(X / np.linalg.norm(X, axis=0)))
    except ImportError:
        pass
    return out


def to_double(fr):
    return Fraction(float(fr))  # rounded once to the nearest double, then exact again


def polynomial(name, xs, y, degree):
    cols = [[to_double(Fraction(x) ** k) for x in xs] for k in range(degree + 1)]
    names = ["(Intercept)"] + [f"x^{k}" for k in range(1, degree + 1)]
    return certify(name, f"raw polynomial of degree {degree} in x on [{float(min(xs))}, {float(max(xs))}], n = {len(xs)}",
                   cols, names, [Fraction(v) for v in y], True)


def main():
    problems = []
    # Degree 10 on a range away from zero, like NIST's Filip: the hard case.
    xs = [Fraction(3) + Fraction(i, 8) for i in range(49)]
    y = [math.exp(float(x) / 3) + 0.01 * (((7 * i) % 11) - 5) for i, x in enumerate(xs)]
    problems.append(polynomial("poly10_shifted", xs, y, 10))
    # Degree 10 on [0, 2].
    xs = [Fraction(i, 32) for i in range(65)]
    y = [math.sin(3 * float(x)) + 0.001 * (((13 * i) % 7) - 3) for i, x in enumerate(xs)]
    problems.append(polynomial("poly10_unit", xs, y, 10))
    # Degree 8 on a narrow range far from zero.
    xs = [Fraction(10) + Fraction(i, 16) for i in range(40)]
    y = [math.log(float(x)) + 1e-4 * (((5 * i) % 9) - 4) for i, x in enumerate(xs)]
    problems.append(polynomial("poly8_narrow", xs, y, 8))
    # Degree 10 on [6, 8.9375] and [5, 6.97]: column-scaled condition numbers above 1e13.
    xs = [Fraction(6) + Fraction(i, 16) for i in range(48)]
    y = [math.cos(float(x)) + 0.002 * (((3 * i) % 5) - 2) for i, x in enumerate(xs)]
    problems.append(polynomial("poly10_hard", xs, y, 10))
    xs = [Fraction(5) + Fraction(i, 32) for i in range(64)]
    y = [math.sqrt(float(x)) + 0.0005 * (((11 * i) % 13) - 6) for i, x in enumerate(xs)]
    problems.append(polynomial("poly10_extreme", xs, y, 10))
    # Two nearly collinear predictors (differ by 1e-9 relative) beside an intercept.
    x1 = [Fraction(1000 + 3 * i, 7) for i in range(30)]
    x1d = [to_double(v) for v in x1]
    x2 = [to_double(v * (1 + Fraction(((i * 5) % 3) - 1, 10**9))) for i, v in enumerate(x1)]
    ones = [Fraction(1)] * 30
    y = [Fraction(float(2 * v + ((i * 11) % 5))) for i, v in enumerate(x1)]
    problems.append(certify("near_collinear", "x2 = x1 * (1 + d_i), |d_i| <= 1e-9, n = 30",
                            [ones, x1d, x2], ["(Intercept)", "x1", "x2"], y, True))
    json.dump({"source": "scripts/reference/exact_least_squares.py (exact rational arithmetic)",
               "problems": problems}, __import__("sys").stdout, indent=1)


if __name__ == "__main__":
    main()
