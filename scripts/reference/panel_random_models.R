# Reference fits for random-effects panel models and the Hausman tests, from plm: the GLS
# with Swamy and Arora's variance components (plm(model = "random"), its default
# random.method "swar", and the others: "walhus", "amemiya", "nerlove"), classical and vcovHC(method = "arellano") errors, ercomp's
# components and theta, and phtest in its classical form (method "chisq") and its
# regression-based form (method "aux"), with the classical and the Arellano covariance; and
# the panel diagnostics: plmtest(type = "bp") on the pooled model, pcdtest(test = "cd") on the
# two-way within model's residuals, pwartest on the same; and Driscoll-Kraay errors
# (vcovSCC, its defaults) of the two-way within model and of the random-effects model; and the
# between estimator (model = "between").
# Usage, from the repository root (after panel_models.R has written the synthetic panel):
#   Rscript scripts/reference/panel_random_models.R > Tests/RegressionTests/Fixtures/panel_random_reference.json
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
markers <- c("", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]")
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressMessages({ library(plm); library(sandwich) })
datasets <- list(
  "datasets/wales_la_panel.csv" = read.csv("datasets/wales_la_panel.csv", na.strings = markers),
  "datasets/england_la_panel.csv" = read.csv("datasets/england_la_panel.csv", na.strings = markers),
  "Tests/RegressionTests/Fixtures/panel_synthetic.csv" = read.csv("Tests/RegressionTests/Fixtures/panel_synthetic.csv"))

case <- function(name, file, response, rhs, index) {
  data <- datasets[[file]]
  vars <- unique(c(response, all.vars(reformulate(rhs)), index))
  data <- data[complete.cases(data[, vars]), ]
  pd <- pdata.frame(data, index = index)
  f <- reformulate(rhs, response = response)
  re <- plm(f, pd, model = "random")
  ec <- ercomp(f, pd)
  terms <- names(coef(re))
  classical <- sqrt(diag(vcov(re)))
  arellano <- sqrt(diag(vcovHC(re, method = "arellano", type = "HC0", cluster = "group")))
  fe <- plm(f, pd, model = "within")
  h <- phtest(fe, re)
  aux <- phtest(f, pd, method = "aux")
  auxr <- phtest(f, pd, method = "aux", vcov = function(x) vcovHC(x, method = "arellano", type = "HC0", cluster = "group"))
  # The auxiliary regression explicitly, as plm's phtest describes it (its own call gives other
  # values on an unbalanced panel): the quasi-demeaned response on a constant, the
  # quasi-demeaned regressors and the within-demeaned ones; Wald of the last, classical and
  # cluster-robust by unit (HC0, no factors: Arellano's).
  reY <- pmodel.response(re); reX <- model.matrix(re, cstcovar.rm = "intercept"); feX <- model.matrix(fe, cstcovar.rm = "all")
  m <- lm(reY ~ reX + feX)
  last <- (ncol(reX) + 2):(ncol(reX) + 1 + ncol(feX)); b <- coef(m)[last]
  wald <- function(V) as.numeric(t(b) %*% solve(V[last, last], b))
  aux_explicit <- wald(vcov(m))
  auxr_explicit <- wald(vcovCL(m, cluster = index(pd)[[1]], type = "HC0", cadjust = FALSE))
  bp <- plmtest(plm(f, pd, model = "pooling"), type = "bp")
  within2 <- plm(f, pd, model = "within", effect = "twoways")
  cd <- suppressWarnings(pcdtest(within2, test = "cd"))
  wt <- pwartest(within2)
  dk_within <- sqrt(diag(vcovSCC(within2)))
  dk_random <- sqrt(diag(vcovSCC(re)))
  bw <- plm(f, pd, model = "between")
  # The other variance-component methods (plm's random.method), each with its own GLS.
  methods <- vapply(c("walhus", "amemiya", "nerlove"), function(m) {
    r <- tryCatch(plm(f, pd, model = "random", random.method = m), error = function(e) NULL)
    if (is.null(r)) return(sprintf('"%s": null', m))
    e <- ercomp(f, pd, method = m)
    sprintf('"%s": {"sigma2_idios": %s, "sigma2_id": %s, "estimate": %s, "se_classical": %s}', m, num(e$sigma2[["idios"]]),
            num(e$sigma2[["id"]]), arr(coef(r)), arr(sqrt(diag(vcov(r)))))
  }, "")
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "unit": "%s", "time": "%s", "n": %d, "balanced": %s,\n',
    '  "bp": %s, "bp_p": %s, "cd": %s, "cd_p": %s, "wooldridge": %s, "wooldridge_df": %d, "wooldridge_p": %s,\n',
    '  "terms": %s,\n  "estimate": %s,\n  "se_classical": %s,\n  "se_arellano": %s,\n',
    '  "sigma2_idios": %s, "sigma2_id": %s, "theta": %s,\n',
    '  "hausman": %s, "hausman_df": %d, "hausman_aux": %s, "hausman_aux_robust": %s, "hausman_aux_df": %d,\n',
    '  "plm_hausman_aux": %s, "plm_hausman_aux_robust": %s,\n',
    '  "within_terms": %s, "se_dk_within": %s, "se_dk_random": %s,\n',
    '  "between_estimate": %s, "between_se": %s,\n  "methods": {%s}}'),
    name, file, paste0(response, " ~ ", paste(rhs, collapse = " + ")), index[1], index[2], nrow(data),
    if (is.pbalanced(pd)) "true" else "false", num(bp$statistic), num(bp$p.value), num(cd$statistic), num(cd$p.value),
    num(wt$statistic), as.integer(wt$parameter[2]), num(wt$p.value), strs(terms), arr(coef(re)), arr(classical), arr(arellano),
    num(ec$sigma2[["idios"]]), num(ec$sigma2[["id"]]), arr(unique(as.numeric(ec$theta))),
    num(h$statistic), as.integer(h$parameter), num(aux_explicit), num(auxr_explicit), as.integer(aux$parameter),
    num(aux$statistic), num(auxr$statistic), strs(names(dk_within)), arr(dk_within), arr(dk_random),
    arr(coef(bw)), arr(sqrt(diag(vcov(bw)))), paste(methods, collapse = ", "))
}

synthetic <- "Tests/RegressionTests/Fixtures/panel_synthetic.csv"
cases <- c(
  case("wales", "datasets/wales_la_panel.csv", "rate_per_10000", c("children_low_income_pct", "unemployment_rate_pct"),
       c("la_code", "year")),
  case("england", "datasets/england_la_panel.csv", "rate_per_10000",
       c("unemployment_rate_pct", "domestic_abuse_parent_per_10000", "mental_health_parent_per_10000"), c("la_code", "year")),
  case("synthetic unbalanced", synthetic, "y", c("x1", "x2", "x3"), c("unit", "year")))
cat('{"source": "scripts/reference/panel_random_models.R (R ', R.version$major, '.', R.version$minor, ', plm ',
    as.character(packageVersion("plm")), ')",\n"cases": [\n', paste(cases, collapse = ",\n"), "\n]}\n", sep = "")
