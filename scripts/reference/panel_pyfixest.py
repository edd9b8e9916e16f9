"""Reference fits for absorbed fixed effects under fixest's conventions, from PyFixest's feols
and fepois
(its default small-sample correction, ssc(k_adj=True, k_fixef="nonnested", G_adj=True,
G_df="min"): fixest's), at a tight demeaning tolerance (fixef_tol 1e-13) with singletons
removed, on the same cases as panel_models.R: iid, hetero (HC1) and CRV1 by one and two
columns, with each t test's degrees of freedom; and fepois (Poisson with an offset, log link,
iwls_tol 1e-14) on the Welsh panel and the generated counts of panel_count_models.R.

Usage, from the repository root (after panel_models.R and panel_count_models.R have written the generated panels):
    python3 scripts/reference/panel_pyfixest.py > Tests/RegressionTests/Fixtures/panel_pyfixest.json
"""
import json
import sys

import numpy as np
import pandas as pd
import pyfixest as pf

MARKERS = ["", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]"]
SYNTHETIC = "Tests/RegressionTests/Fixtures/panel_synthetic.csv"

# name, file, formula as CareRates writes it, PyFixest's formula, cluster columns.
CASES = [
    ("wales two-way", "datasets/wales_la_panel.csv",
     "rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct | la_code + year", None, ["la_code", "year"]),
    ("england two-way", "datasets/england_la_panel.csv",
     "rate_per_10000 ~ unemployment_rate_pct + domestic_abuse_parent_per_10000 + mental_health_parent_per_10000 | la_code + year",
     None, ["la_code", "year"]),
    ("synthetic three factors", SYNTHETIC, "y ~ x1 + x2 + group | unit + year + provider",
     "y ~ x1 + x2 + C(group) | unit + year + provider", ["unit", "year"]),
    ("synthetic one-way", SYNTHETIC, "y ~ x1 + x2 + group | unit", "y ~ x1 + x2 + C(group) | unit", ["unit", "provider"]),
]


# name, file, formula, PyFixest's formula, exposure column, cluster columns.
POISSON = [
    ("wales fepois", "datasets/wales_la_panel.csv",
     "children_looked_after ~ children_low_income_pct + unemployment_rate_pct | la_code + year", None, "population_0_15",
     ["la_code", "year"]),
    ("synthetic fepois", "Tests/RegressionTests/Fixtures/panel_counts.csv", "count ~ x1 + x2 + group | unit + year + provider",
     "count ~ x1 + x2 + C(group) | unit + year + provider", "exposure", ["unit", "year"]),
]


def text(v):
    return None if v is None or not np.isfinite(v) else "%.17g" % v


def fit(data, formula, vcov, offset=None):
    if offset is None:
        return pf.feols(formula, data=data, vcov=vcov, fixef_rm="singleton", fixef_tol=1e-13, fixef_maxiter=1_000_000)
    return pf.fepois(formula, data=data, vcov=vcov, offset=offset, fixef_rm="singleton", fixef_tol=1e-13,
                     fixef_maxiter=1_000_000, iwls_tol=1e-14, iwls_maxiter=200)


def main():
    out = []
    for name, path, formula, theirs, exposure, clusters in [c[:4] + (None, c[4]) for c in CASES] + POISSON:
        data = pd.read_csv(path, na_values=MARKERS, keep_default_na=False)
        columns = [c for c in data.columns if c in formula or c in clusters or c == exposure]
        data = data[columns].dropna().reset_index(drop=True)
        if exposure:
            data["log_exposure"] = np.log(data[exposure])
        for c in ["la_code", "year", "unit", "provider", "group"]:
            if c in data.columns:
                data[c] = data[c].astype(str)
        case = {"name": name, "file": path, "formula": formula, "cluster": clusters, "exposure": exposure or ""}
        for key, vcov in [("iid", "iid"), ("hetero", "hetero"), ("cr1", {"CRV1": clusters[0]}),
                          ("twoway", {"CRV1": "+".join(clusters)})]:
            m = fit(data, theirs or formula, vcov, "log_exposure" if exposure else None)
            tidy = m.tidy()
            if "terms" not in case:
                case["terms"] = [t.replace("C(group)[T.", "group").rstrip("]") for t in tidy.index]
                case["n"] = int(m._N)
                case["estimate"] = [text(v) for v in tidy["Estimate"]]
            case["se_" + key] = [text(v) for v in tidy["Std. Error"]]
            case["p_" + key] = [text(v) for v in tidy["Pr(>|t|)"]]
            case["df_" + key] = int(m._df_t)
        out.append(case)
    json.dump({"source": "scripts/reference/panel_pyfixest.py (PyFixest %s)" % pf.__version__, "cases": out}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
