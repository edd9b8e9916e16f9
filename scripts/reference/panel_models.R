# Reference fits for least squares with absorbed fixed effects: R's lm with a dummy per level
# (the fit the absorbed one must equal), sandwich's HC1 and cluster-robust errors (vcovCL,
# type "HC1": K counts every level; one- and two-way), clubSandwich's CR2 with Satterthwaite df, and plm's within estimator with
# vcovHC(method = "arellano") where plm can fit the model (two factors: unit and time).
# Singleton rows (alone in a level of some factor) are removed recursively first, as CareRates
# and fixest do; lm with them kept gives the same coefficients and classical errors.
# Usage, from the repository root:
#   Rscript scripts/reference/panel_models.R > Tests/RegressionTests/Fixtures/panel_reference.json
# It also writes the generated panel it uses (seed 20261202) to
# Tests/RegressionTests/Fixtures/panel_synthetic.csv: 80 units over 10 years with a fifth of the
# unit-years missing, 3 units seen once (singletons), a third factor (15 providers) crossed
# with both, a unit-level regressor (absorbed by the unit effects), a factor regressor and weights.
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
markers <- c("", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]")
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressMessages({ library(sandwich); library(plm); library(clubSandwich) })

set.seed(20261202)
units <- sprintf("U%03d", 1:80)
d <- expand.grid(unit = units, year = 2011:2020, stringsAsFactors = FALSE)
d <- d[runif(nrow(d)) > 0.2, ]
d <- rbind(d, data.frame(unit = c("S001", "S002", "S003"), year = c(2012, 2015, 2019)))
n <- nrow(d)
effect <- setNames(rnorm(length(unique(d$unit)), sd = 2), unique(d$unit))
d$provider <- sample(sprintf("P%02d", 1:15), n, replace = TRUE)
d$group <- sample(c("g1", "g2", "g3"), n, replace = TRUE)
d$x1 <- round(rnorm(n) + 0.5 * effect[d$unit], 4)
d$x2 <- round(runif(n, 0, 10), 3)
d$x3 <- round(effect[d$unit] + 1, 4)
d$w <- round(runif(n, 0.5, 3), 2)
d$y <- round(2 + 0.7 * d$x1 - 0.3 * d$x2 + effect[d$unit] + 0.2 * (d$year - 2015) +
  as.numeric(factor(d$provider)) / 10 + 0.5 * (d$group == "g2") + rnorm(n), 4)
d <- d[order(d$unit, d$year), c("unit", "year", "provider", "group", "x1", "x2", "x3", "w", "y")]
write.csv(d, "Tests/RegressionTests/Fixtures/panel_synthetic.csv", row.names = FALSE, quote = FALSE)

datasets <- list(
  "datasets/wales_la_panel.csv" = read.csv("datasets/wales_la_panel.csv", na.strings = markers),
  "datasets/england_la_panel.csv" = read.csv("datasets/england_la_panel.csv", na.strings = markers),
  "Tests/RegressionTests/Fixtures/panel_synthetic.csv" = read.csv("Tests/RegressionTests/Fixtures/panel_synthetic.csv"))

# Rows left once every row alone in a level of some factor is removed, repeatedly.
without_singletons <- function(data, factors) {
  repeat {
    single <- Reduce(`|`, lapply(factors, function(f) ave(rep(1, nrow(data)), data[[f]], FUN = length) == 1))
    if (!any(single)) return(data)
    data <- data[!single, ]
  }
}

# rhs: the terms of interest; factors: those absorbed; cluster: one or two columns.
case <- function(name, file, response, rhs, factors, weights = "", cluster = character(0), plm_index = NULL) {
  data <- datasets[[file]]
  vars <- unique(c(response, all.vars(reformulate(rhs)), factors, cluster, if (weights != "") weights))
  data <- data[complete.cases(data[, vars]), ]
  before <- nrow(data)
  data <- without_singletons(data, factors)
  singletons <- before - nrow(data)
  data$.w <- if (weights == "") 1 else data[[weights]]
  dummies <- paste0("factor(", factors, ")")
  # Dummies first, so that a regressor the levels absorb is the one lm aliases (as absorbing does).
  f <- reformulate(c(dummies, rhs), response = response)
  fit <- lm(f, data, weights = .w)
  fe_only <- lm(reformulate(dummies, response = response), data, weights = .w)
  # The coefficients of interest: the columns of the terms after the dummies.
  interest <- names(coef(fit))[fit$assign > length(factors)]
  p_interest <- sum(!is.na(coef(fit)[interest]))
  absorbed_df <- fit$rank - p_interest
  se <- function(V) { out <- rep(NA, length(interest)); ok <- !is.na(coef(fit)[interest])
    out[ok] <- sqrt(diag(V)[interest[ok]]); out }
  classical <- se(vcov(fit))
  hc1 <- se(vcovHC(fit, type = "HC1"))
  cr1 <- if (length(cluster) > 0) se(vcovCL(fit, cluster = data[cluster[1]], type = "HC1", cadjust = TRUE)) else rep(NA, length(interest))
  # CR2 (clubSandwich) of the fit with dummies, by the first cluster column, with Satterthwaite df.
  cr2 <- if (length(cluster) > 0) {
    V <- vcovCR(fit, cluster = data[[cluster[1]]], type = "CR2")
    ct <- coef_test(fit, vcov = V, test = "Satterthwaite", coefs = interest[!is.na(coef(fit)[interest])])
    list(se = se(V), df = { out <- rep(NA, length(interest)); out[!is.na(coef(fit)[interest])] <- ct$df_Satt; out })
  } else list(se = rep(NA, length(interest)), df = rep(NA, length(interest)))
  twoway <- if (length(cluster) > 1) se(vcovCL(fit, cluster = data[cluster], type = "HC1", cadjust = TRUE, multi0 = FALSE)) else
    rep(NA, length(interest))
  # plm: the within estimator on (unit, time) with Arellano's errors (HC0, no factors).
  plm_se <- rep(NA, length(interest)); plm_est <- rep(NA, length(interest))
  if (!is.null(plm_index) && weights == "") {
    effect <- if (length(factors) == 2) "twoways" else "individual"
    pd <- pdata.frame(data, index = plm_index)
    m <- plm(reformulate(rhs, response = response), pd, model = "within", effect = effect)
    V <- vcovHC(m, method = "arellano", type = "HC0", cluster = "group")
    keep <- intersect(interest, names(coef(m)))
    plm_est[match(keep, interest)] <- coef(m)[keep]
    plm_se[match(keep, interest)] <- sqrt(diag(V)[keep])
  }
  s <- summary(fit)
  rss <- sum(data$.w * residuals(fit)^2)
  within <- 1 - rss / sum(data$.w * residuals(fe_only)^2)
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "weights": "%s", "cluster": %s,\n',
    '  "terms": %s, "n": %d, "singletons": %d, "absorbed_df": %d, "df_residual": %d,\n',
    '  "estimate": %s,\n  "se_classical": %s,\n  "se_hc1": %s,\n  "se_cr1_lm": %s,\n  "se_twoway_lm": %s,\n',
    '  "se_cr2": %s,\n  "df_cr2": %s,\n',
    '  "plm_estimate": %s,\n  "se_plm_arellano": %s,\n',
    '  "sigma": %s, "r_squared": %s, "adj_r_squared": %s, "within_r_squared": %s, "log_likelihood": %s,\n',
    '  "lines": %s,\n  "fitted": %s,\n  "hat": %s}'),
    name, file, paste0(response, " ~ ", paste(rhs, collapse = " + "), " | ", paste(factors, collapse = " + ")), weights,
    strs(cluster), strs(interest), nrow(data), singletons, absorbed_df, as.integer(fit$df.residual),
    arr(coef(fit)[interest]), arr(classical), arr(hc1), arr(cr1), arr(twoway), arr(cr2$se), arr(cr2$df), arr(plm_est), arr(plm_se),
    num(s$sigma), num(s$r.squared), num(s$adj.r.squared), num(within), num(as.numeric(logLik(fit))),
    arr(as.integer(rownames(data)) + 1), arr(fitted(fit)), arr(hatvalues(fit)))
}

synthetic <- "Tests/RegressionTests/Fixtures/panel_synthetic.csv"
cases <- c(
  case("wales two-way", "datasets/wales_la_panel.csv", "rate_per_10000",
       c("children_low_income_pct", "unemployment_rate_pct"), c("la_code", "year"), cluster = c("la_code", "year"),
       plm_index = c("la_code", "year")),
  case("wales one-way weighted", "datasets/wales_la_panel.csv", "rate_per_10000",
       c("children_low_income_pct", "unemployment_rate_pct"), c("la_code"), weights = "population_0_15", cluster = "la_code"),
  case("england two-way", "datasets/england_la_panel.csv", "rate_per_10000",
       c("unemployment_rate_pct", "domestic_abuse_parent_per_10000", "mental_health_parent_per_10000"), c("la_code", "year"),
       cluster = c("la_code", "year"), plm_index = c("la_code", "year")),
  case("synthetic three factors", synthetic, "y", c("x1", "x2", "x3", "group"), c("unit", "year", "provider"),
       cluster = c("unit", "year")),
  case("synthetic weighted", synthetic, "y", c("x1", "x2"), c("unit", "year"), weights = "w", cluster = c("unit", "provider")),
  case("synthetic one-way", synthetic, "y", c("x1", "x2", "group"), c("unit"), cluster = "unit", plm_index = c("unit", "year")))
cat('{"source": "scripts/reference/panel_models.R (R ', R.version$major, '.', R.version$minor, ', sandwich ',
    as.character(packageVersion("sandwich")), ', plm ', as.character(packageVersion("plm")), ')",\n"cases": [\n',
    paste(cases, collapse = ",\n"), "\n]}\n", sep = "")
