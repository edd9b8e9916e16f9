#!/usr/bin/env python3
"""Reference values for the distribution functions, from mpmath at 60 significant digits.

Usage: python3 scripts/reference/distributions.py > Tests/RegressionTests/Fixtures/distributions.json
Each entry: distribution, parameters, x, cdf, sf (upper tail), printed to 25 digits; and
quantiles q(p) for lower-tail p (normal, t, F, chi-squared).
"""
import json
import mpmath as mp

mp.mp.dps = 60


def s(v):
    return mp.nstr(mp.mpf(v), 25, min_fixed=-1, max_fixed=-1) if v != 0 else "0"


def normal_cdf(x):
    return mp.ncdf(x)


def t_cdf(x, df):
    x, df = mp.mpf(x), mp.mpf(df)
    tail = mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + x * x), regularized=True) / 2
    return 1 - tail if x > 0 else tail


def f_cdf(x, d1, d2):
    x, d1, d2 = mp.mpf(x), mp.mpf(d1), mp.mpf(d2)
    return mp.betainc(d1 / 2, d2 / 2, 0, d1 * x / (d1 * x + d2), regularized=True)


def f_sf(x, d1, d2):
    x, d1, d2 = mp.mpf(x), mp.mpf(d1), mp.mpf(d2)
    return mp.betainc(d2 / 2, d1 / 2, 0, d2 / (d1 * x + d2), regularized=True)


def chisq_cdf(x, df):
    return mp.gammainc(mp.mpf(df) / 2, 0, mp.mpf(x) / 2, regularized=True)


def chisq_sf(x, df):
    return mp.gammainc(mp.mpf(df) / 2, mp.mpf(x) / 2, mp.inf, regularized=True)


def t_sf(x, df):
    x, df = mp.mpf(x), mp.mpf(df)
    tail = mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + x * x), regularized=True) / 2
    return tail if x > 0 else 1 - tail


rows = []
for x in [-38, -20, -8.5, -3, -1, -0.1, 0, 0.5, 1.96, 5, 12, 37.5]:
    rows.append({"dist": "normal", "params": [], "x": s(x), "cdf": s(normal_cdf(x)), "sf": s(1 - normal_cdf(mp.mpf(x)) if x < 0 else mp.ncdf(-mp.mpf(x)))})
for df in [1, 2.5, 5, 30, 1000]:
    for x in [-1e10, -50, -3, -0.5, 0, 0.7, 2.1, 6, 40, 1e6, 1e30]:
        rows.append({"dist": "t", "params": [s(df)], "x": s(x), "cdf": s(t_cdf(x, df)), "sf": s(t_sf(x, df))})
for d1, d2 in [(1, 1), (2, 9), (6, 150), (30, 4.5), (100, 1000)]:
    for x in [1e-8, 0.2, 1, 3.5, 20, 330, 1e6, 1e40]:
        rows.append({"dist": "f", "params": [s(d1), s(d2)], "x": s(x), "cdf": s(f_cdf(x, d1, d2)), "sf": s(f_sf(x, d1, d2))})
for df in [1, 2, 3, 7.5, 50, 600]:
    for x in [1e-10, 0.3, 1, 4, 15, 80, 400, 1800]:
        rows.append({"dist": "chisq", "params": [s(df)], "x": s(x), "cdf": s(chisq_cdf(x, df)), "sf": s(chisq_sf(x, df))})

def quantile(cdf, p, positive=False):
    """q with cdf(q) = p, by bracketing then bisection at 60 digits. p is taken as the double
    nearest the text (what the engine receives), and q(0.5) of a symmetric distribution is
    exactly 0. positive: the distribution lives on (0, inf)."""
    p = mp.mpf(float(p))
    if p == mp.mpf(0.5) and not positive:
        return mp.mpf(0)
    lo, hi = (mp.mpf(0) if positive else mp.mpf(-1)), mp.mpf(1)
    while cdf(lo) > p:
        lo *= 2
    while cdf(hi) < p:
        hi *= 2
    for _ in range(3000):
        mid = (lo + hi) / 2
        if cdf(mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= mp.mpf(10) ** -45 * max(abs(hi), abs(lo), mp.mpf(10) ** -300):
            break
    return (lo + hi) / 2


quantiles = []
for p in ["1e-300", "1e-100", "1e-10", "0.025", "0.5", "0.975", "0.9999999999"]:
    quantiles.append({"dist": "normal", "params": [], "p": p, "q": s(quantile(normal_cdf, p))})
    for df in [1, 5, 30]:
        if p == "1e-300" and df == 1:
            continue  # the quantile is about -3e299: fine, but slow to bracket
        quantiles.append({"dist": "t", "params": [s(df)], "p": p, "q": s(quantile(lambda x: t_cdf(x, df), p))})
for p in ["1e-100", "1e-10", "0.025", "0.5", "0.975", "0.9999999999"]:
    for d1, d2 in [(1, 1), (2, 9), (6, 150), (30, 4.5)]:
        quantiles.append({"dist": "f", "params": [s(d1), s(d2)], "p": p,
                          "q": s(quantile(lambda x: f_cdf(x, d1, d2), p, positive=True))})
    for df in [1, 2, 7.5, 600]:
        quantiles.append({"dist": "chisq", "params": [s(df)], "p": p,
                          "q": s(quantile(lambda x: chisq_cdf(x, df), p, positive=True))})
print(json.dumps({"source": "scripts/reference/distributions.py (mpmath %s, 60 digits)" % mp.__version__,
                  "values": rows, "quantiles": quantiles}, indent=1))
