# Reference fits from R's glm for count models (Poisson and quasi-Poisson, log link, offsets).
# Usage: Rscript scripts/reference/count_models.R > Tests/RegressionTests/Fixtures/glm_reference.json
# (from the repository root).
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
markers <- c("", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]")
invisible(Sys.setlocale("LC_COLLATE", "C"))
case <- function(name, file, formula, family, data, exposure = "") {
  fit <- if (exposure == "") glm(formula, family, data) else {
    data$.offset <- log(data[[exposure]])
    glm(formula, family, data, offset = .offset)
  }
  s <- summary(fit)
  cf <- s$coefficients
  aic <- if (is.na(AIC(fit))) NA else AIC(fit)
  ll <- if (family$family == "poisson") as.numeric(logLik(fit)) else NA
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "family": "%s", "exposure": "%s", "terms": %s,\n',
    '  "estimate": %s, "std_error": %s, "statistic": %s, "p_value": %s,\n',
    '  "deviance": %s, "null_deviance": %s, "df_residual": %d, "df_null": %d, "dispersion": %s, "aic": %s,',
    ' "log_likelihood": %s, "iterations": %d}'),
    name, file, paste(deparse(formula), collapse = ""), family$family, exposure, strs(rownames(cf)),
    arr(cf[, 1]), arr(cf[, 2]), arr(cf[, 3]), arr(cf[, 4]), num(fit$deviance), num(fit$null.deviance),
    as.integer(fit$df.residual), as.integer(fit$df.null), num(s$dispersion), num(aic), num(ll), as.integer(fit$iter))
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
       children_looked_after ~ log(population_0_15) + wimd_pct_lsoas_most_deprived_10pct, poisson(), wales))
cat('{"source": "scripts/reference/count_models.R (', R.version.string, ', glm)",\n "cases": [\n',
    paste(cases, collapse = ",\n"), ']}\n', sep = "")
