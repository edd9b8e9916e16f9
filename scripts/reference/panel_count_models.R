# Reference fits for count models with absorbed fixed effects: R's glm (Poisson, quasi-Poisson)
# and MASS::glm.nb (theta by maximum likelihood, with its standard error) with a dummy per
# level, at the maximum-likelihood optimum (glm.control(epsilon = 1e-12, maxit = 200),
# theta.ml to 1e-11, each fit polished from its own estimates until they settle), with
# sandwich's vcovCL (type "HC1": CareRates' lm convention; one- and two-way) and clubSandwich's
# CR2 with Satterthwaite df.
# Rows alone in a level, and rows in a level whose counts are all zero, are removed (repeatedly)
# first, as CareRates and fixest do.
# Usage, from the repository root (after panel_models.R has written the synthetic panel):
#   Rscript scripts/reference/panel_count_models.R > Tests/RegressionTests/Fixtures/panel_count_reference.json
# It also writes Tests/RegressionTests/Fixtures/panel_counts.csv: the synthetic panel with a
# generated count (seed 20261203) and an exposure, with one unit whose counts are all zero.
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
markers <- c("", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]")
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressMessages({ library(MASS); library(sandwich); library(clubSandwich) })
# clubSandwich's matrix_power drops eigenvalues below 1e-12 in absolute terms; CareRates drops
# those below 1e-12 of the largest (as glm_models.R, which explains why): this patch makes
# clubSandwich do the same.
assignInNamespace("matrix_power", function(x, p, symmetric = TRUE, tol = -12) {
  eig <- eigen(x, symmetric = symmetric)
  val_p <- with(eig, ifelse(values > 10^tol * max(abs(values)), values^p, 0))
  with(eig, vectors %*% (val_p * t(vectors)))
}, "clubSandwich")
ctl <- glm.control(epsilon = 1e-12, maxit = 200)
theta_ml <- MASS::theta.ml
assignInNamespace("theta.ml", function(y, mu, n = sum(weights), weights, limit = 10, eps = .Machine$double.eps^0.25,
                                       trace = FALSE) theta_ml(y, mu, n, weights, limit = max(limit, 200), eps = 1e-11, trace),
                  "MASS")
polish <- function(fit, refit) {
  last <- Inf
  for (k in 1:50) {
    start <- coef(fit); start[is.na(start)] <- 0
    nxt <- refit(start, fit$theta)
    b <- coef(nxt); a <- coef(fit); ok <- !is.na(b)
    change <- max(abs(b[ok] - a[ok]) / pmax(abs(b[ok]), 1e-300), 0,
                  if (!is.null(fit$theta)) abs(nxt$theta - fit$theta) / nxt$theta)
    fit <- nxt
    if (change <= 1e-15 || change >= last) break
    last <- change
  }
  fit
}

set.seed(20261203)
d <- read.csv("Tests/RegressionTests/Fixtures/panel_synthetic.csv")
d$exposure <- round(runif(nrow(d), 500, 5000))
unit_effect <- setNames(rnorm(length(unique(d$unit)), sd = 0.5), unique(d$unit))
mu <- d$exposure / 1000 * exp(0.3 * d$x1 - 0.05 * d$x2 + unit_effect[d$unit] + 0.05 * (d$year - 2015))
d$count <- rnbinom(nrow(d), mu = mu, size = 8)
d$count[d$unit == "U007"] <- 0
write.csv(d, "Tests/RegressionTests/Fixtures/panel_counts.csv", row.names = FALSE, quote = FALSE)

datasets <- list(
  "datasets/wales_la_panel.csv" = read.csv("datasets/wales_la_panel.csv", na.strings = markers),
  "datasets/england_la_panel.csv" = read.csv("datasets/england_la_panel.csv", na.strings = markers),
  "Tests/RegressionTests/Fixtures/panel_counts.csv" = read.csv("Tests/RegressionTests/Fixtures/panel_counts.csv"))

# Singletons and all-zero levels, removed in turn until neither is left.
prune <- function(data, response, factors) {
  repeat {
    single <- Reduce(`|`, lapply(factors, function(f) ave(rep(1, nrow(data)), data[[f]], FUN = length) == 1))
    zero <- Reduce(`|`, lapply(factors, function(f) ave(data[[response]], data[[f]], FUN = sum) == 0))
    if (!any(single | zero)) return(data)
    data <- data[!(single | zero), ]
  }
}

case <- function(name, file, response, rhs, factors, family, exposure = "", weights = "", cluster = character(0)) {
  data <- datasets[[file]]
  vars <- unique(c(response, all.vars(reformulate(rhs)), factors, cluster, if (exposure != "") exposure, if (weights != "") weights))
  data <- data[complete.cases(data[, vars]), ]
  before <- nrow(data)
  data <- prune(data, response, factors)
  data$.w <- if (weights == "") 1 else data[[weights]]
  dummies <- paste0("factor(", factors, ")")
  terms <- c(dummies, rhs, if (exposure != "") paste0("offset(log(", exposure, "))"))
  f <- reformulate(terms, response = response)
  nb <- family == "negbin"
  fam <- switch(family, poisson = poisson(), quasipoisson = quasipoisson(), negbin = NULL)
  fit <- if (nb) glm.nb(f, data, weights = .w, control = ctl) else glm(f, fam, data, weights = .w, control = ctl)
  fit <- polish(fit, function(b, th) if (nb) glm.nb(f, data, weights = .w, start = b, init.theta = th, control = ctl) else
    glm(f, fam, data, weights = .w, start = b, control = ctl))
  interest <- names(coef(fit))[attr(model.matrix(fit), "assign") > length(factors)]
  se <- function(V) { out <- rep(NA, length(interest)); ok <- !is.na(coef(fit)[interest])
    out[ok] <- sqrt(diag(V)[interest[ok]]); out }
  s <- summary(fit)
  cr1 <- if (length(cluster) > 0) se(vcovCL(fit, cluster = data[cluster[1]], type = "HC1", cadjust = TRUE)) else rep(NA, length(interest))
  twoway <- if (length(cluster) > 1) se(vcovCL(fit, cluster = data[cluster], type = "HC1", cadjust = TRUE, multi0 = FALSE)) else
    rep(NA, length(interest))
  quasi <- family == "quasipoisson"
  # CR2 (clubSandwich) of the glm with dummies by the first cluster column, Satterthwaite df.
  ok <- !is.na(coef(fit)[interest])
  Vcr2 <- vcovCR(fit, cluster = data[[cluster[1]]], type = "CR2")
  ct <- coef_test(fit, vcov = Vcr2, test = "Satterthwaite", coefs = interest[ok])
  cr2 <- se(Vcr2); cr2df <- rep(NA, length(interest)); cr2df[ok] <- ct$df_Satt
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "family": "%s", "exposure": "%s", "weights": "%s", "cluster": %s,\n',
    '  "terms": %s, "n": %d, "removed": %d, "absorbed_df": %d, "df_residual": %d,\n',
    '  "estimate": %s,\n  "se_classical": %s,\n  "se_hc1": %s,\n  "se_cr1_lm": %s,\n  "se_twoway_lm": %s,\n',
    '  "se_cr2": %s,\n  "df_cr2": %s,\n',
    '  "deviance": %s, "dispersion": %s, "log_likelihood": %s, "aic": %s, "theta": %s, "theta_se": %s,\n',
    '  "lines": %s,\n  "fitted": %s,\n  "hat": %s}'),
    name, file, paste0(response, " ~ ", paste(rhs, collapse = " + "), " | ", paste(factors, collapse = " + ")), family,
    exposure, weights, strs(cluster), strs(interest), nrow(data), before - nrow(data),
    fit$rank - sum(!is.na(coef(fit)[interest])), as.integer(fit$df.residual),
    arr(coef(fit)[interest]), arr(se(vcov(fit))), arr(se(vcovHC(fit, type = "HC1"))), arr(cr1), arr(twoway), arr(cr2), arr(cr2df),
    num(fit$deviance), num(s$dispersion), num(if (quasi) NA else as.numeric(logLik(fit))), num(if (quasi) NA else AIC(fit)),
    num(if (nb) fit$theta else NA), num(if (nb) fit$SE.theta else NA),
    arr(as.integer(rownames(data)) + 1), arr(fitted(fit)), arr(hatvalues(fit)))
}

counts <- "Tests/RegressionTests/Fixtures/panel_counts.csv"
cases <- c(
  case("wales poisson", "datasets/wales_la_panel.csv", "children_looked_after", c("children_low_income_pct", "unemployment_rate_pct"),
       c("la_code", "year"), "poisson", exposure = "population_0_15", cluster = c("la_code", "year")),
  case("wales negbin", "datasets/wales_la_panel.csv", "children_looked_after", c("children_low_income_pct", "unemployment_rate_pct"),
       c("la_code", "year"), "negbin", exposure = "population_0_15", cluster = "la_code"),
  case("england poisson", "datasets/england_la_panel.csv", "children_looked_after",
       c("unemployment_rate_pct", "domestic_abuse_parent_per_10000"), c("la_code", "year"), "poisson",
       exposure = "population_0_17", cluster = c("la_code", "year")),
  case("synthetic quasipoisson", counts, "count", c("x1", "x2", "group"), c("unit", "year", "provider"), "quasipoisson",
       exposure = "exposure", cluster = "unit"),
  case("synthetic poisson weighted", counts, "count", c("x1", "x2", "x3"), c("unit", "year"), "poisson",
       exposure = "exposure", weights = "w", cluster = c("unit", "provider")),
  case("synthetic negbin weighted", counts, "count", c("x1", "x2"), c("unit", "year"), "negbin",
       exposure = "exposure", weights = "w", cluster = "unit"))
cat('{"source": "scripts/reference/panel_count_models.R (R ', R.version$major, '.', R.version$minor, ', MASS ',
    as.character(packageVersion("MASS")), ', sandwich ', as.character(packageVersion("sandwich")), ')",\n"cases": [\n',
    paste(cases, collapse = ",\n"), "\n]}\n", sep = "")
