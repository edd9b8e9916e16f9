# Reference values from R for linear models (summary.lm; sandwich's vcovHC and vcovCL with
# lmtest's coeftest and coefci for robust and cluster-robust errors) and the t and F
# distributions.
# Usage: Rscript scripts/reference/linear_models.R > Tests/RegressionTests/Fixtures/lm_reference.json
# (run from the repository root). Missing markers in missing.csv are those CareRates reads.
#
# Frequency weights have no lm() of their own: their reference is lm() on the data with each row
# repeated w times (expand() below). With an offset, R^2 and F are computed as summary.lm does
# from R 4.3.0 on (the fitted values less the offset); R 4.2's summary.lm counted the offset's
# own variation as explained.
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
expand <- function(data, weights) {
  data <- data[!is.na(data[[weights]]), ]
  data[rep(seq_len(nrow(data)), data[[weights]]), ]
}
# lm with analytic weights, frequency weights (on the expanded data) or none.
fit_lm <- function(formula, data, weights = NULL, kind = "analytic") {
  if (is.null(weights)) return(lm(formula, data))
  if (kind == "frequency") return(lm(formula, expand(data, weights)))
  data$.wts <- data[[weights]]  # lm finds weights in the data
  lm(formula, data, weights = .wts)
}
# summary.lm's R^2 and F as R >= 4.3.0 computes them (identical to R 4.2's without an offset).
fit_stats <- function(fit) {
  s <- summary(fit)
  f <- fitted(fit) - if (is.null(fit$offset)) 0 else fit$offset
  w <- if (is.null(weights(fit))) rep(1, length(f)) else weights(fit)
  rss <- sum(w * residuals(fit)^2)
  intercept <- attr(terms(fit), "intercept")
  mss <- if (intercept) sum(w * (f - sum(w * f) / sum(w))^2) else sum(w * f^2)
  numerator <- fit$rank - intercept
  fs <- if (numerator > 0) (mss / numerator) / s$sigma^2 else NA
  list(r2 = mss / (mss + rss), adj = 1 - (1 - mss / (mss + rss)) * ((nobs(fit) - intercept) / fit$df.residual),
       f = fs, fp = if (numerator > 0) pf(fs, numerator, fit$df.residual, lower.tail = FALSE) else NA)
}
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
model <- function(name, file, formula, data, weights = NULL, kind = "analytic") {
  fit <- fit_lm(formula, data, weights, kind)
  s <- summary(fit)
  st <- fit_stats(fit)
  cf <- coef(fit)
  tab <- matrix(NA_real_, length(cf), 4, dimnames = list(names(cf), NULL))
  tab[rownames(s$coefficients), ] <- s$coefficients
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "terms": %s,\n',
    '  "estimate": %s, "std_error": %s, "statistic": %s, "p_value": %s,\n',
    '  "sigma": %s, "df_residual": %d, "n": %d, "r_squared": %s, "adj_r_squared": %s,\n',
    '  "f_statistic": %s, "f_p_value": %s, "log_likelihood": %s, "aic": %s, "bic": %s, "weights": "%s", "weight_kind": "%s"}'),
    name, file, paste(deparse(formula), collapse = ""), strs(names(cf)),
    arr(tab[, 1]), arr(tab[, 2]), arr(tab[, 3]), arr(tab[, 4]),
    num(s$sigma), fit$df.residual, nobs(fit), num(st$r2), num(st$adj),
    num(st$f), num(st$fp), num(as.numeric(logLik(fit))), num(AIC(fit)), num(BIC(fit)), if (is.null(weights)) "" else weights, kind)
}
suppressMessages({ library(sandwich); library(lmtest); library(car); library(clubSandwich) })
robust <- function(name, file, formula, data, se, cluster = "", level = 0.95, weights = NULL, kind = "analytic") {
  if (!is.null(weights) && kind == "frequency") {
    data <- expand(data, weights)
    rownames(data) <- NULL
  }
  fit <- fit_lm(formula, data, if (kind == "frequency") NULL else weights)
  n <- nobs(fit); k <- fit$rank
  if (se == "cr2") {
    used <- data[as.integer(rownames(model.frame(fit))), cluster]
    ct <- coef_test(fit, vcov = "CR2", cluster = used, test = "Satterthwaite")
    ci <- conf_int(fit, vcov = "CR2", cluster = used, test = "Satterthwaite", level = level)
    return(sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "se": "%s", "cluster": "%s", "level": %s, "df": %d, "weights": "%s", "weight_kind": "%s",\n',
      '  "estimate": %s, "std_error": %s, "statistic": %s, "p_value": %s, "conf_low": %s, "conf_high": %s, "coefficient_df": %s}'),
      name, file, paste(deparse(formula), collapse = ""), se, cluster, num(level), as.integer(length(unique(used)) - 1),
      if (is.null(weights)) "" else weights, kind,
      arr(ct$beta), arr(ct$SE), arr(ct$tstat), arr(ct$p_Satt), arr(ci$CI_L), arr(ci$CI_U), arr(ct$df_Satt)))
  }
  if (se == "cluster") {
    used <- data[as.integer(rownames(model.frame(fit))), cluster]
    V <- vcovCL(fit, cluster = used, type = "HC1")
    df <- length(unique(used)) - 1
  } else if (se == "classical") {
    V <- vcov(fit); df <- fit$df.residual
  } else {
    V <- vcovHC(fit, type = toupper(se)); df <- fit$df.residual
  }
  ct <- coeftest(fit, vcov. = V, df = df)
  ci <- coefci(fit, vcov. = V, df = df, level = level)
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "se": "%s", "cluster": "%s", "level": %s, "df": %d, "weights": "%s", "weight_kind": "%s",\n',
    '  "estimate": %s, "std_error": %s, "statistic": %s, "p_value": %s, "conf_low": %s, "conf_high": %s}'),
    name, file, paste(deparse(formula), collapse = ""), se, cluster, num(level), as.integer(df), if (is.null(weights)) "" else weights, kind,
    arr(ct[, 1]), arr(ct[, 2]), arr(ct[, 3]), arr(ct[, 4]), arr(ci[, 1]), arr(ci[, 2]))
}
markers <- c("", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]")
longley <- read.csv("datasets/longley.csv")
missing <- read.csv("Tests/RegressionTests/Fixtures/missing.csv", na.strings = markers)
models <- c(
  model("longley_full", "datasets/longley.csv",
        employed ~ gnp_deflator + gnp + unemployed + armed_forces + population + year, longley),
  model("longley_no_intercept", "datasets/longley.csv", employed ~ gnp + year - 1, longley),
  model("missing_interaction", "Tests/RegressionTests/Fixtures/missing.csv", y ~ x1 * x2, missing),
  model("missing_power", "Tests/RegressionTests/Fixtures/missing.csv", y ~ (x1 + x2)^2 - x1, missing))
# Grouped data with a count per row, for frequency weights (regenerated identically each run).
set.seed(20261123)
grouped <- data.frame(group = paste0("g", rep(1:10, each = 6)), x1 = round(rnorm(60), 4), x2 = round(runif(60, 0, 10), 3),
                      count = sample(1:6, 60, replace = TRUE))
grouped$y <- round(1 + 2 * grouped$x1 - 0.3 * grouped$x2 + rnorm(60) * (1 + abs(grouped$x1)), 4)
write.csv(grouped, "Tests/RegressionTests/Fixtures/frequency.csv", row.names = FALSE, quote = FALSE)
grouped <- read.csv("Tests/RegressionTests/Fixtures/frequency.csv")
wales <- read.csv("datasets/wales_la_panel.csv")
# R's poly() refuses a missing value, so models with poly(children_low_income_pct) are given the
# rows where it is present: those CareRates' poly learns from (the fit's rows are among them).
wales_low_income <- wales[!is.na(wales$children_low_income_pct), ]
england <- read.csv("datasets/england_la_panel.csv", na.strings = markers)
# Factors, interactions and transforms (factor levels sorted as CareRates sorts them: by code point).
invisible(Sys.setlocale("LC_COLLATE", "C"))
models <- c(models,
  model("wales_year_effects", "datasets/wales_la_panel.csv", rate_per_10000 ~ factor(year) + unemployment_rate_pct, wales),
  model("wales_authority_effects", "datasets/wales_la_panel.csv", rate_per_10000 ~ la_name + unemployment_rate_pct, wales),
  model("wales_no_intercept", "datasets/wales_la_panel.csv", rate_per_10000 ~ factor(year) + unemployment_rate_pct - 1, wales),
  model("wales_transforms", "datasets/wales_la_panel.csv",
        rate_per_10000 ~ log(population_0_15) + I(unemployment_rate_pct^2) + sqrt(children_low_income), wales),
  model("wales_slope_by_year", "datasets/wales_la_panel.csv", rate_per_10000 ~ unemployment_rate_pct:factor(year), wales),
  model("wales_poly", "datasets/wales_la_panel.csv", rate_per_10000 ~ poly(unemployment_rate_pct, 3, raw = TRUE) + factor(year), wales),
  model("england_region_interaction", "datasets/england_la_panel.csv", rate_per_10000 ~ idaci_average_score * region_name, england),
  model("wales_wls_population", "datasets/wales_la_panel.csv",
        rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct, wales, weights = "population_0_15"),
  model("england_wls_population", "datasets/england_la_panel.csv",
        rate_per_10000 ~ idaci_average_score + domestic_abuse_parent_per_10000, england, weights = "population_0_17"),
  # scale() and orthogonal poly() learn from every row where their argument is present (R's
  # model.frame evaluates them before na.omit); offset() enters the fit and R^2.
  model("wales_scale_poly_offset", "datasets/wales_la_panel.csv",
        rate_per_10000 ~ scale(unemployment_rate_pct) + poly(children_low_income_pct, 2) + offset(log(population_0_15)),
        wales_low_income),
  model("england_scale_poly_missing", "datasets/england_la_panel.csv",
        rate_per_10000 ~ scale(idaci_average_score) + poly(year, 2) + domestic_abuse_parent_per_10000, england),
  model("wales_scale_options", "datasets/wales_la_panel.csv",
        rate_per_10000 ~ scale(unemployment_rate_pct, center = FALSE) + I(scale(children_low_income_pct, scale = FALSE)^2) +
          poly(wimd_pct_lsoas_most_deprived_10pct, degree = 3) - 1, wales),
  model("grouped_frequency", "Tests/RegressionTests/Fixtures/frequency.csv", y ~ x1 + x2, grouped, weights = "count", kind = "frequency"),
  model("wales_frequency", "datasets/wales_la_panel.csv",
        rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct, wales, weights = "children_looked_after", kind = "frequency"))
wf <- rate_per_10000 ~ children_low_income_pct + wimd_pct_lsoas_most_deprived_10pct + unemployment_rate_pct
ef <- rate_per_10000 ~ idaci_average_score + domestic_abuse_parent_per_10000 + mental_health_parent_per_10000
robust_cases <- c(
  lapply(c("classical", "hc0", "hc1", "hc2", "hc3"), function(se)
    robust(paste0("wales_", se), "datasets/wales_la_panel.csv", wf, wales, se, level = 0.9)),
  list(robust("wales_cluster_la", "datasets/wales_la_panel.csv", wf, wales, "cluster", "la_code"),
       robust("england_hc3", "datasets/england_la_panel.csv", ef, england, "hc3", level = 0.99),
       robust("england_cluster_region", "datasets/england_la_panel.csv", ef, england, "cluster", "region_name"),
       robust("wales_cr2_la", "datasets/wales_la_panel.csv", wf, wales, "cr2", "la_code", level = 0.9),
       robust("wales_wls_hc3", "datasets/wales_la_panel.csv", wf, wales, "hc3", weights = "population_0_15"),
       robust("england_wls_cluster", "datasets/england_la_panel.csv", ef, england, "cluster", "region_name", weights = "population_0_17"),
       robust("england_cr2_region", "datasets/england_la_panel.csv", ef, england, "cr2", "region_name"),
       robust("wales_wls_cr2", "datasets/wales_la_panel.csv", wf, wales, "cr2", "la_code", weights = "population_0_15"),
       robust("england_wls_cr2_region", "datasets/england_la_panel.csv", ef, england, "cr2", "region_name", weights = "population_0_17"),
       robust("missing_interaction_hc2", "Tests/RegressionTests/Fixtures/missing.csv", y ~ x1 * x2, missing, "hc2"),
       robust("grouped_frequency_hc2", "Tests/RegressionTests/Fixtures/frequency.csv", y ~ x1 + x2, grouped, "hc2",
              weights = "count", kind = "frequency"),
       robust("grouped_frequency_hc1", "Tests/RegressionTests/Fixtures/frequency.csv", y ~ x1 + x2, grouped, "hc1",
              weights = "count", kind = "frequency"),
       robust("grouped_frequency_cluster", "Tests/RegressionTests/Fixtures/frequency.csv", y ~ x1 + x2, grouped, "cluster", "group",
              weights = "count", kind = "frequency"),
       robust("grouped_frequency_cr2", "Tests/RegressionTests/Fixtures/frequency.csv", y ~ x1 + x2, grouped, "cr2", "group",
              weights = "count", kind = "frequency"),
       robust("wales_frequency_hc3", "datasets/wales_la_panel.csv", wf, wales, "hc3", weights = "children_looked_after", kind = "frequency"),
       robust("wales_offset_cr2", "datasets/wales_la_panel.csv",
              rate_per_10000 ~ scale(unemployment_rate_pct) + offset(log(population_0_15)), wales, "cr2", "la_code")))
influence_case <- function(name, file, formula, data, weights = NULL) {
  # With frequency weights, each row's values are those of its first copy.
  first <- if (is.null(weights)) seq_len(nrow(data)) else match(seq_len(nrow(data)), rep(seq_len(nrow(data)), data[[weights]]))
  fit <- fit_lm(formula, data, weights, "frequency")
  pick <- function(v) unname(v[first])
  bp <- bptest(fit)
  v <- vif(fit)
  if (is.null(weights)) pick <- function(v) unname(v)
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "weights": "%s", "fitted": %s, "residual": %s,\n',
    '  "leverage": %s, "std_residual": %s, "student_residual": %s, "cooks_distance": %s,\n',
    '  "bp_statistic": %s, "bp_df": %d, "bp_p_value": %s, "vif_terms": %s, "vif": %s}'),
    name, file, paste(deparse(formula), collapse = ""), if (is.null(weights)) "" else weights,
    arr(pick(fitted(fit))), arr(pick(residuals(fit))),
    arr(pick(hatvalues(fit))), arr(pick(rstandard(fit))), arr(pick(rstudent(fit))), arr(pick(cooks.distance(fit))),
    num(bp$statistic), as.integer(bp$parameter), num(bp$p.value), strs(names(v)), arr(unname(v)))
}
influence_cases <- c(
  influence_case("wales", "datasets/wales_la_panel.csv", wf, wales),
  influence_case("missing_interaction", "Tests/RegressionTests/Fixtures/missing.csv", y ~ x1 * x2, missing),
  influence_case("grouped_frequency", "Tests/RegressionTests/Fixtures/frequency.csv", y ~ x1 + x2 + I(x1^2), grouped, "count"))
anova_case <- function(name, file, formulas, data, weights = NULL) {
  vars <- unique(unlist(lapply(formulas, all.vars)))
  complete <- data[complete.cases(data[, vars]), ]
  if (!is.null(weights)) complete <- expand(complete, weights)  # frequency weights
  a <- do.call(anova, lapply(formulas, function(f) lm(f, complete)))
  sprintf('{"name": "%s", "file": "%s", "weights": "%s", "formulas": %s, "res_df": %s, "rss": %s, "df": %s, "sum_sq": %s, "f": %s, "p_value": %s}',
    name, file, if (is.null(weights)) "" else weights, strs(sapply(formulas, function(f) paste(deparse(f), collapse = ""))), arr(a$Res.Df), arr(a$RSS),
    arr(a$Df), arr(a[["Sum of Sq"]]), arr(a$F), arr(a[["Pr(>F)"]]))
}
anova_cases <- c(
  anova_case("wales_nested", "datasets/wales_la_panel.csv",
             list(rate_per_10000 ~ unemployment_rate_pct, rate_per_10000 ~ unemployment_rate_pct + factor(year),
                  rate_per_10000 ~ unemployment_rate_pct + factor(year) + wimd_pct_lsoas_most_deprived_10pct), wales),
  anova_case("england_nested", "datasets/england_la_panel.csv",
             list(rate_per_10000 ~ idaci_average_score, rate_per_10000 ~ idaci_average_score + csc_net_spend_per_child_gbp), england),
  anova_case("grouped_frequency", "Tests/RegressionTests/Fixtures/frequency.csv",
             list(y ~ x1, y ~ x1 + x2, y ~ x1 * x2), grouped, "count"))
prediction_case <- function(name, formula, level, data = wales) {
  fit <- lm(formula, data)
  new <- read.csv("Tests/RegressionTests/Fixtures/new_wales.csv", na.strings = markers)
  kept <- which(complete.cases(new[, all.vars(formula)[-1], drop = FALSE]))
  new <- new[kept, ]
  ci <- predict(fit, new, interval = "confidence", level = level, se.fit = TRUE)
  pi <- predict(fit, new, interval = "prediction", level = level)
  sprintf(paste0('{"name": "%s", "formula": "%s", "level": %s, "rows": [%s], "fit": %s, "se_fit": %s, "conf_low": %s, "conf_high": %s,',
    ' "pred_low": %s, "pred_high": %s}'), name, paste(deparse(formula), collapse = ""), num(level),
    paste(kept - 1, collapse = ", "),
    arr(ci$fit[, 1]), arr(ci$se.fit), arr(ci$fit[, 2]), arr(ci$fit[, 3]), arr(pi[, 2]), arr(pi[, 3]))
}
prediction_cases <- c(
  prediction_case("wales_year", rate_per_10000 ~ unemployment_rate_pct + children_low_income_pct + factor(year), 0.95),
  prediction_case("wales_authority", rate_per_10000 ~ la_name + log(unemployment_rate_pct), 0.9),
  prediction_case("wales_learned_offset",
                  rate_per_10000 ~ scale(unemployment_rate_pct) + poly(children_low_income_pct, 2) + offset(log(population_0_15)), 0.95,
                  wales_low_income))
wald_case <- function(name, formula, hypotheses, se) {
  fit <- lm(formula, wales)
  lh <- if (se == "classical") linearHypothesis(fit, hypotheses) else linearHypothesis(fit, hypotheses, vcov. = vcovHC(fit, type = toupper(se)))
  sprintf('{"name": "%s", "formula": "%s", "hypotheses": %s, "se": "%s", "f": %s, "df_num": %d, "p_value": %s}',
    name, paste(deparse(formula), collapse = ""), strs(hypotheses), se, num(lh$F[2]), as.integer(lh$Df[2]), num(lh[["Pr(>F)"]][2]))
}
wald_cases <- c(
  wald_case("wales_joint", rate_per_10000 ~ unemployment_rate_pct + factor(year),
            c("unemployment_rate_pct = 0", "factor(year)2016 = factor(year)2017"), "classical"),
  wald_case("wales_hc3", rate_per_10000 ~ unemployment_rate_pct + children_low_income_pct,
            c("2*unemployment_rate_pct - children_low_income_pct = 1"), "hc3"))
t <- c(0.001, 0.5, 1.96, 3.2, 8, 40, 400)
df <- c(1, 3, 9, 30, 200)
tg <- expand.grid(t = t, df = df)
tg$p <- 2 * pt(abs(tg$t), tg$df, lower.tail = FALSE)
fg <- expand.grid(f = c(0.2, 1, 3.5, 20, 330), d1 = c(1, 2, 6), d2 = c(3, 9, 150))
fg$p <- pf(fg$f, fg$d1, fg$d2, lower.tail = FALSE)
cat('{"source": "scripts/reference/linear_models.R (', R.version.string, ')",\n "models": [\n',
    paste(models, collapse = ",\n"), '],\n "robust": [\n', paste(robust_cases, collapse = ",\n"), '],\n',
    ' "influence": [\n', paste(influence_cases, collapse = ",\n"), '],\n',
    ' "anova": [\n', paste(anova_cases, collapse = ",\n"), '],\n',
    ' "predictions": [\n', paste(prediction_cases, collapse = ",\n"), '],\n',
    ' "wald": [\n', paste(wald_cases, collapse = ",\n"), '],\n',
    ' "t_two_sided": {"t": ', arr(tg$t), ', "df": ', arr(tg$df), ', "p": ', arr(tg$p), '},\n',
    ' "f_upper": {"f": ', arr(fg$f), ', "d1": ', arr(fg$d1), ', "d2": ', arr(fg$d2), ', "p": ', arr(fg$p), '}}\n', sep = "")
