# Reference fits from R's glm (Poisson, quasi-Poisson) and MASS::glm.nb (negative binomial,
# theta by maximum likelihood) for count models with a log link and offsets.
# Usage: Rscript scripts/reference/count_models.R > Tests/RegressionTests/Fixtures/glm_reference.json
# (from the repository root).
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
markers <- c("", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]")
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressMessages(library(MASS))
case <- function(name, file, formula, family, data, exposure = "") {
  if (exposure != "") data$.offset <- log(data[[exposure]])
  nb <- identical(family, "negbin")
  fit <- if (nb) {
    # glm.nb does not find an offset column by name; exposure becomes offset(log(column)).
    if (exposure == "") glm.nb(formula, data)
    else glm.nb(update(formula, as.formula(paste0("~ . + offset(log(", exposure, "))"))), data)
  } else if (exposure == "") glm(formula, family, data) else glm(formula, family, data, offset = .offset)
  s <- summary(fit)
  cf <- s$coefficients
  aic <- if (is.na(AIC(fit))) NA else AIC(fit)
  familyName <- if (nb) "negbin" else family$family
  ll <- if (familyName != "quasipoisson") as.numeric(logLik(fit)) else NA
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "family": "%s", "exposure": "%s", "terms": %s,\n',
    '  "estimate": %s, "std_error": %s, "statistic": %s, "p_value": %s,\n',
    '  "deviance": %s, "null_deviance": %s, "df_residual": %d, "df_null": %d, "dispersion": %s, "aic": %s,',
    ' "log_likelihood": %s, "iterations": %d, "theta": %s, "theta_se": %s}'),
    name, file, paste(deparse(formula), collapse = ""), familyName, exposure, strs(rownames(cf)),
    arr(cf[, 1]), arr(cf[, 2]), arr(cf[, 3]), arr(cf[, 4]), num(fit$deviance), num(fit$null.deviance),
    as.integer(fit$df.residual), as.integer(fit$df.null), num(s$dispersion), num(aic), num(ll), as.integer(fit$iter),
    num(if (nb) fit$theta else NA), num(if (nb) fit$SE.theta else NA))
}
wales <- read.csv("datasets/wales_la_panel.csv")
england <- read.csv("datasets/england_la_panel.csv", na.strings = markers)
cases <- c(
  case("wales_poisson_offset", "datasets/wales_la_panel.csv",
       children_looked_after ~ children_low_income_pct + unemployment_rate_pct + offset(log(population_0_15)), poisson(), wales),
  case("wales_quasipoisson_exposure", "datasets/wales_la_panel.csv",
       children_looked_after ~ children_low_income_pct + factor(year), quasipoisson(), wales, exposure = "population_0_15"),
  case("england_poisson_region", "datasets/england_la_panel.csv",
       children_looked_after ~ idaci_average_score + region_name + offset(log(population_0_17)), poisson(), england),
  case("wales_poisson_no_offset", "datasets/wales_la_panel.csv",
       children_looked_after ~ log(population_0_15) + wimd_pct_lsoas_most_deprived_10pct, poisson(), wales),
  case("wales_negbin_exposure", "datasets/wales_la_panel.csv",
       children_looked_after ~ children_low_income_pct + unemployment_rate_pct, "negbin", wales, exposure = "population_0_15"),
  case("england_negbin_offset", "datasets/england_la_panel.csv",
       children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000 + offset(log(population_0_17)), "negbin", england),
  case("wales_negbin_no_offset", "datasets/wales_la_panel.csv",
       children_looked_after ~ log(population_0_15) + factor(year), "negbin", wales))
suppressMessages(library(sandwich))
robust <- function(name, formula, family, se, cluster = "") {
  fit <- if (identical(family, "negbin")) glm.nb(formula, wales) else glm(formula, family, wales)
  V <- if (se == "cluster") vcovCL(fit, cluster = wales[[cluster]], type = "HC1") else vcovHC(fit, type = toupper(se))
  sprintf('{"name": "%s", "formula": "%s", "family": "%s", "se": "%s", "cluster": "%s", "std_error": %s}',
    name, paste(deparse(formula), collapse = ""), if (identical(family, "negbin")) "negbin" else family$family, se, cluster,
    arr(sqrt(diag(V))))
}
pf <- children_looked_after ~ unemployment_rate_pct + children_low_income_pct + offset(log(population_0_15))
robust_cases <- c(
  lapply(c("hc0", "hc1", "hc2", "hc3"), function(se) robust(paste0("poisson_", se), pf, poisson(), se)),
  list(robust("poisson_cluster", pf, poisson(), "cluster", "la_code"),
       robust("negbin_hc3", pf, "negbin", "hc3"),
       robust("negbin_cluster", pf, "negbin", "cluster", "la_code"),
       robust("quasipoisson_hc0", pf, quasipoisson(), "hc0")))
cat('{"source": "scripts/reference/count_models.R (', R.version.string, ', glm, MASS::glm.nb, sandwich)",\n "cases": [\n',
    paste(cases, collapse = ",\n"), '],\n "robust": [\n', paste(robust_cases, collapse = ",\n"), ']}\n', sep = "")
