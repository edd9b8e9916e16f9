# Reference fits from R's glm (Poisson, quasi-Poisson, binomial, Gamma, gaussian with a log
# link, negative binomial with theta fixed) and MASS::glm.nb (theta by maximum likelihood), with
# sandwich (HC0-HC3, CR1) and clubSandwich (CR2, Satterthwaite df) standard errors, per-observation residuals and
# influence, likelihood-ratio tests against the null model (lmtest::lrtest; anova F for
# quasi-Poisson) and Cameron-Trivedi overdispersion tests (as AER::dispersiontest computes them).
# Usage, from the repository root:
#   Rscript scripts/reference/glm_models.R > Tests/RegressionTests/Fixtures/glm_reference.json
#   Rscript scripts/reference/glm_models.R optimum > Tests/RegressionTests/Fixtures/glm_optimum.json
# The first gives R's default fits (glm.control(epsilon = 1e-8): R's early stop). With
# "optimum", every fit is the maximum-likelihood optimum: glm.control(epsilon = 1e-12, maxit = 200),
# theta.ml's Newton steps to 1e-11 (not .Machine$double.eps^0.25), and each fit polished by
# refitting from its own coefficients (and theta) until they change by under 1e-15 relative or
# stop shrinking (rounding). Null models, nested models and predictions are fitted the same way.
# It also writes the two example datasets it uses to Tests/RegressionTests/Fixtures:
# wales_binomial.csv (the Welsh panel with children not looked after = population - looked after)
# logistic.csv (a generated 0/1 response, seed 20261123) and new_wales_counts.csv (three
# hypothetical authorities to predict).
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
markers <- c("", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]")
invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressMessages({ library(MASS); library(sandwich); library(lmtest); library(clubSandwich) })
# clubSandwich's matrix_power drops eigenvalues below 1e-12 in absolute terms. For a binomial
# response of proportions over ~10,000 trials each, the target variance mu (1 - mu) / n is ~1e-6,
# so every eigenvalue of the CR2 adjustment's matrix (~1e-13) is dropped and the standard errors
# shrink several-fold. CareRates drops eigenvalues below 1e-12 of the largest; this patch makes
# clubSandwich do the same. It changes no other case here beyond rounding.
assignInNamespace("matrix_power", function(x, p, symmetric = TRUE, tol = -12) {
  eig <- eigen(x, symmetric = symmetric)
  val_p <- with(eig, ifelse(values > 10^tol * max(abs(values)), values^p, 0))
  with(eig, vectors %*% (val_p * t(vectors)))
}, "clubSandwich")

optimum <- identical(commandArgs(trailingOnly = TRUE), "optimum")
ctl <- if (optimum) glm.control(epsilon = 1e-12, maxit = 200) else glm.control()
if (optimum) {
  theta_ml <- MASS::theta.ml
  assignInNamespace("theta.ml", function(y, mu, n = sum(weights), weights, limit = 10, eps = .Machine$double.eps^0.25,
                                         trace = FALSE) theta_ml(y, mu, n, weights, limit = max(limit, 200), eps = 1e-11, trace),
                    "MASS")
}
# Refits `fit` (by `refit(start, theta)`) from its own estimates until they settle to rounding.
polish <- function(fit, refit) {
  if (!optimum) return(fit)
  last <- Inf
  for (k in 1:50) {
    nxt <- refit(coef(fit), fit$theta)
    change <- max(abs(coef(nxt) - coef(fit)) / pmax(abs(coef(nxt)), 1e-300), 0,
                  if (!is.null(fit$theta)) abs(nxt$theta - fit$theta) / nxt$theta)
    fit <- nxt
    if (change <= 1e-15 || change >= last) break
    last <- change
  }
  fit
}

wales <- read.csv("datasets/wales_la_panel.csv")
england <- read.csv("datasets/england_la_panel.csv", na.strings = markers)
binom <- wales
binom$not_looked_after <- binom$population_0_15 - binom$children_looked_after
write.csv(binom, "Tests/RegressionTests/Fixtures/wales_binomial.csv", row.names = FALSE, quote = FALSE)
set.seed(20261123)
n <- 300
logistic <- data.frame(x1 = round(rnorm(n), 4), x2 = round(runif(n, 0, 10), 3),
                       group = sample(c("north", "south", "west"), n, replace = TRUE))
eta <- -0.5 + 0.8 * logistic$x1 - 0.15 * logistic$x2 + ifelse(logistic$group == "south", 0.6, 0)
logistic$reached <- rbinom(n, 1, plogis(eta))
logistic$weight <- sample(1:3, n, replace = TRUE)
logistic <- logistic[, c("reached", "x1", "x2", "group", "weight")]
write.csv(logistic, "Tests/RegressionTests/Fixtures/logistic.csv", row.names = FALSE, quote = FALSE)
datasets <- list("datasets/wales_la_panel.csv" = wales, "datasets/england_la_panel.csv" = england,
                 "Tests/RegressionTests/Fixtures/wales_binomial.csv" = binom,
                 "Tests/RegressionTests/Fixtures/logistic.csv" = logistic)

# family: an R family object, "negbin" (glm.nb) or a number (negative.binomial(theta) fixed).
case <- function(name, file, formula, family, exposure = "", weights = "", se = "classical", cluster = "") {
  data <- datasets[[file]]
  data$.w <- if (weights == "") 1 else data[[weights]]
  nb <- identical(family, "negbin")
  fixed <- is.numeric(family)
  f <- if (exposure == "") formula else update(formula, as.formula(paste0("~ . + offset(log(", exposure, "))")))
  vars <- c(all.vars(f), if (cluster != "") cluster)
  data <- data[complete.cases(data[, vars]), ]  # so that update(fit, . ~ 1) uses the same rows
  fam <- if (fixed) negative.binomial(family) else family
  fit <- if (nb) glm.nb(f, data, weights = .w, control = ctl) else glm(f, fam, data, weights = .w, control = ctl)
  fit <- polish(fit, function(b, th) if (nb) glm.nb(f, data, weights = .w, start = b, init.theta = th, control = ctl) else
    glm(f, fam, data, weights = .w, start = b, control = ctl))
  s <- summary(fit)
  cf <- s$coefficients
  familyName <- if (nb || fixed) "negbin" else tolower(family$family)
  linkName <- if (nb || fixed) "log" else family$link
  quasi <- familyName == "quasipoisson"
  ll <- if (!quasi) as.numeric(logLik(fit)) else NA
  # A fixed theta: the negative binomial likelihood has dispersion 1 (as glm.nb's summary);
  # R's summary.glm would estimate one for a negative.binomial(theta) family.
  s <- if (fixed) summary(fit, dispersion = 1) else s
  cf <- s$coefficients
  V <- switch(se, classical = s$cov.scaled, cluster = vcovCL(fit, cluster = data[[cluster]], type = "HC1"),
              cr2 = vcovCR(fit, cluster = data[[cluster]], type = "CR2"), vcovHC(fit, type = toupper(se)))
  # CR2: clubSandwich's t statistics with Satterthwaite df.
  cr2 <- if (se == "cr2") coef_test(fit, vcov = V, test = "Satterthwaite") else
    data.frame(tstat = NA, p_Satt = NA, df_Satt = NA)
  # The null model keeps the offsets (update(fit, . ~ 1) would drop offset() terms).
  tf <- terms(f)
  offsets <- vapply(attr(tf, "offset"), function(i) deparse(attr(tf, "variables")[[i + 1]]), "")
  # (glm.nb's call starts it from the fit's theta, as MASS writes init.theta into it.)
  nf <- if (!optimum) update(fit, reformulate(c("1", offsets), response = f[[2]])) else if (nb)
    update(fit, reformulate(c("1", offsets), response = f[[2]]), start = NULL, init.theta = fit$theta) else
    update(fit, reformulate(c("1", offsets), response = f[[2]]), start = NULL)
  null <- if (quasi) {
    a <- anova(nf, fit, test = "F")
    c(a$F[2], a$Df[2], a[2, "Pr(>F)"])
  } else {
    lr <- lrtest(nf, fit)
    c(lr$Chisq[2], lr$Df[2], lr[2, "Pr(>Chisq)"])
  }
  disp <- if (familyName == "poisson") {
    y <- fit$y; mu <- fitted(fit)
    aux <- ((y - mu)^2 - y) / mu
    r2 <- lm(aux ~ 0 + mu)
    c(mean(aux) + 1, sqrt(length(aux)) * mean(aux) / sd(aux), coef(r2)[1], summary(r2)$coefficients[1, 3])
  } else rep(NA, 4)
  sprintf(paste0('{"name": "%s", "file": "%s", "formula": "%s", "family": "%s", "link": "%s", "exposure": "%s",',
    ' "weights": "%s", "theta_fixed": %s, "se": "%s", "cluster": "%s", "terms": %s,\n',
    '  "estimate": %s, "std_error": %s, "statistic": %s, "p_value": %s,\n',
    '  "cr2_statistic": %s, "cr2_p_value": %s, "cr2_df": %s,\n',
    '  "deviance": %s, "null_deviance": %s, "df_residual": %d, "df_null": %d, "dispersion": %s, "aic": %s, "bic": %s,',
    ' "log_likelihood": %s, "pearson": %s, "iterations": %d, "theta": %s, "theta_se": %s,\n',
    '  "null_test": %s, "overdispersion": %s,\n',
    '  "fitted": %s,\n  "linear_predictor": %s,\n  "resid_response": %s,\n  "resid_pearson": %s,\n',
    '  "resid_deviance": %s,\n  "resid_working": %s,\n  "hat": %s,\n  "rstandard": %s,\n  "cooks": %s}'),
    name, file, paste(deparse(formula), collapse = ""), familyName, linkName, exposure, weights,
    if (fixed) num(family) else "null", se, cluster, strs(rownames(cf)),
    arr(cf[, 1]), arr(sqrt(diag(V))), arr(cf[, 3]), arr(cf[, 4]), arr(cr2$tstat), arr(cr2$p_Satt), arr(cr2$df_Satt),
    num(fit$deviance), num(fit$null.deviance), as.integer(fit$df.residual), as.integer(fit$df.null),
    num(s$dispersion), num(if (quasi) NA else AIC(fit)), num(if (quasi) NA else BIC(fit)), num(ll),
    num(sum(residuals(fit, "pearson")^2)), as.integer(fit$iter),
    num(if (nb) fit$theta else if (fixed) family else NA), num(if (nb) fit$SE.theta else NA),
    arr(null), arr(disp),
    arr(fitted(fit)), arr(fit$linear.predictors), arr(residuals(fit, "response")), arr(residuals(fit, "pearson")),
    arr(residuals(fit, "deviance")), arr(residuals(fit, "working")), arr(hatvalues(fit)),
    arr(if (fixed) residuals(fit, "deviance") / sqrt(1 - hatvalues(fit)) else rstandard(fit)),
    arr(if (fixed) cooks.distance(fit, dispersion = 1) else cooks.distance(fit)))
}
W <- "datasets/wales_la_panel.csv"; E <- "datasets/england_la_panel.csv"
B <- "Tests/RegressionTests/Fixtures/wales_binomial.csv"; L <- "Tests/RegressionTests/Fixtures/logistic.csv"
pf <- children_looked_after ~ unemployment_rate_pct + children_low_income_pct + offset(log(population_0_15))
cases <- c(
  case("wales_poisson_offset", W,
       children_looked_after ~ children_low_income_pct + unemployment_rate_pct + offset(log(population_0_15)), poisson()),
  case("wales_quasipoisson_exposure", W, children_looked_after ~ children_low_income_pct + factor(year), quasipoisson(),
       exposure = "population_0_15"),
  case("england_poisson_region", E,
       children_looked_after ~ idaci_average_score + region_name + offset(log(population_0_17)), poisson()),
  case("wales_poisson_no_offset", W, children_looked_after ~ log(population_0_15) + wimd_pct_lsoas_most_deprived_10pct, poisson()),
  case("wales_negbin_exposure", W, children_looked_after ~ children_low_income_pct + unemployment_rate_pct, "negbin",
       exposure = "population_0_15"),
  case("england_negbin_offset", E,
       children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000 + offset(log(population_0_17)), "negbin"),
  case("wales_negbin_no_offset", W, children_looked_after ~ log(population_0_15) + factor(year), "negbin"),
  case("wales_negbin_fixed_theta", W, children_looked_after ~ children_low_income_pct, 25, exposure = "population_0_15"),
  case("wales_binomial_cbind", B, cbind(children_looked_after, not_looked_after) ~ children_low_income_pct + unemployment_rate_pct,
       binomial()),
  case("wales_binomial_probit", B, cbind(children_looked_after, not_looked_after) ~ children_low_income_pct, binomial("probit")),
  case("wales_binomial_cloglog", B, cbind(children_looked_after, not_looked_after) ~ wimd_pct_lsoas_most_deprived_20pct,
       binomial("cloglog")),
  case("logistic_factor", L, reached ~ x1 + x2 + group, binomial()),
  case("logistic_weighted", L, reached ~ x1 + group, binomial(), weights = "weight"),
  case("england_gamma_log", E, csc_net_spend_per_child_gbp ~ imd_average_score + factor(year), Gamma("log")),
  case("wales_gamma_inverse", W, rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct, Gamma("inverse")),
  case("wales_gaussian_log", W, rate_per_10000 ~ children_low_income_pct + wimd_pct_lsoas_most_deprived_10pct, gaussian("log")),
  case("wales_poisson_weighted", W, children_looked_after ~ children_low_income_pct + offset(log(population_0_15)), poisson(),
       weights = "unemployment_rate_pct"),
  lapply(c("hc0", "hc1", "hc2", "hc3"), function(se) case(paste0("poisson_", se), W, pf, poisson(), se = se)),
  list(case("poisson_cluster", W, pf, poisson(), se = "cluster", cluster = "la_code"),
       case("negbin_hc3", W, pf, "negbin", se = "hc3"),
       case("negbin_cluster", W, pf, "negbin", se = "cluster", cluster = "la_code"),
       case("quasipoisson_hc0", W, pf, quasipoisson(), se = "hc0"),
       case("logistic_hc3", L, reached ~ x1 + x2, binomial(), se = "hc3"),
       case("poisson_cr2", W, pf, poisson(), se = "cr2", cluster = "la_code"),
       case("negbin_cr2", W, pf, "negbin", se = "cr2", cluster = "la_code"),
       case("england_poisson_cr2_region", E,
            children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000 + offset(log(population_0_17)), poisson(),
            se = "cr2", cluster = "region_name"),
       case("binomial_cr2", B, cbind(children_looked_after, not_looked_after) ~ children_low_income_pct, binomial(),
            se = "cr2", cluster = "la_code"),
       case("gamma_cr2", W, rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct, Gamma("log"),
            se = "cr2", cluster = "la_code"),
       case("weighted_poisson_cr2", W, children_looked_after ~ children_low_income_pct + offset(log(population_0_15)), poisson(),
            weights = "unemployment_rate_pct", se = "cr2", cluster = "la_code")))
# Predictions for new authorities: predict.glm's link-scale fit and standard error, the response
# scale's delta-method standard error, and 95% prediction intervals for a new count by
# simulation (coefficients from MASS::mvrnorm, for glm.nb log(theta) normal with sd SE/theta,
# then rpois or rnegbin; 400,000 draws; quantile type 1).
newdata <- data.frame(la_name = c("Powys", "Cardiff", "Newport"), population_0_15 = c(21000, 68000, 31000),
                      children_low_income_pct = c(20, 31.5, 37))
write.csv(newdata, "Tests/RegressionTests/Fixtures/new_wales_counts.csv", row.names = FALSE, quote = FALSE)
prediction <- function(name, family) {
  f <- children_looked_after ~ children_low_income_pct + offset(log(population_0_15))
  fit <- if (family == "negbin") glm.nb(f, wales, control = ctl) else glm(f, poisson(), wales, control = ctl)
  fit <- polish(fit, function(b, th) if (family == "negbin") glm.nb(f, wales, start = b, init.theta = th, control = ctl) else
    glm(f, poisson(), wales, start = b, control = ctl))
  p <- predict(fit, newdata, se.fit = TRUE)
  r <- predict(fit, newdata, se.fit = TRUE, type = "response")
  set.seed(1)
  draws <- 400000
  B <- mvrnorm(draws, coef(fit), vcov(fit))
  X <- model.matrix(~ children_low_income_pct, newdata)
  eta <- B %*% t(X) + matrix(log(newdata$population_0_15), draws, nrow(newdata), byrow = TRUE)
  theta <- if (family == "negbin") fit$theta * exp(rnorm(draws) * fit$SE.theta / fit$theta) else NA
  bounds <- sapply(seq_len(nrow(newdata)), function(i) {
    y <- if (family == "negbin") rnegbin(draws, exp(eta[, i]), theta) else rpois(draws, exp(eta[, i]))
    quantile(y, c(0.025, 0.975), type = 1)
  })
  sprintf('{"name": "%s", "family": "%s", "link_fit": %s, "link_se": %s, "se_fit": %s, "pred_low": %s, "pred_high": %s}',
          name, family, arr(p$fit), arr(p$se.fit), arr(r$se.fit), arr(bounds[1, ]), arr(bounds[2, ]))
}
predictions <- c(prediction("poisson_new", "poisson"), prediction("negbin_new", "negbin"))
# Nested models on the rows complete for all: lmtest::lrtest (each pair's own theta for glm.nb),
# or anova(test = "F") for quasi-Poisson (the largest model's dispersion).
nested <- function(name, file, formulas, family, exposure = "") {
  data <- datasets[[file]]
  fs <- lapply(formulas, function(f) if (exposure == "") f else
    update(f, as.formula(paste0("~ . + offset(log(", exposure, "))"))))
  vars <- unique(unlist(lapply(fs, all.vars)))
  data <- data[complete.cases(data[, vars]), ]
  fits <- lapply(fs, function(f) if (identical(family, "negbin")) {
    polish(glm.nb(f, data, control = ctl), function(b, th) glm.nb(f, data, start = b, init.theta = th, control = ctl))
  } else polish(glm(f, family, data, control = ctl), function(b, th) glm(f, family, data, start = b, control = ctl)))
  quasi <- !identical(family, "negbin") && family$family == "quasipoisson"
  familyName <- if (identical(family, "negbin")) "negbin" else tolower(family$family)
  if (quasi) {
    a <- do.call(anova, c(fits, test = "F"))
    stat <- a$F; p <- a[["Pr(>F)"]]; df <- a$Df; ll <- rep(NA, length(fits))
    params <- sapply(fits, function(f) f$rank)
  } else {
    a <- do.call(lrtest, fits)
    stat <- a$Chisq; p <- a[["Pr(>Chisq)"]]; df <- a$Df; ll <- a$LogLik; params <- a[["#Df"]]
  }
  linkName <- if (identical(family, "negbin")) "log" else family$link
  sprintf(paste0('{"name": "%s", "file": "%s", "family": "%s", "link": "%s", "exposure": "%s", "formulas": %s,\n',
    '  "parameters": %s, "res_df": %s, "deviance": %s, "log_likelihood": %s, "df": %s, "statistic": %s, "p_value": %s}'),
    name, file, familyName, linkName, exposure, strs(sapply(formulas, function(f) paste(deparse(f), collapse = ""))),
    arr(params), arr(sapply(fits, df.residual)), arr(sapply(fits, deviance)), arr(ll), arr(df), arr(stat), arr(p))
}
nf <- list(children_looked_after ~ unemployment_rate_pct,
           children_looked_after ~ unemployment_rate_pct + children_low_income_pct + factor(year),
           children_looked_after ~ unemployment_rate_pct * children_low_income_pct + factor(year))
nested_cases <- c(
  nested("wales_negbin_nested", W, nf, "negbin", exposure = "population_0_15"),
  nested("wales_poisson_nested", W, nf, poisson(), exposure = "population_0_15"),
  nested("wales_quasipoisson_nested", W, nf, quasipoisson(), exposure = "population_0_15"),
  nested("england_poisson_nested", E,
         list(children_looked_after ~ idaci_average_score, children_looked_after ~ idaci_average_score + region_name),
         poisson(), exposure = "population_0_17"),
  nested("england_gamma_nested", E,
         list(csc_net_spend_per_child_gbp ~ imd_average_score, csc_net_spend_per_child_gbp ~ imd_average_score + factor(year)),
         Gamma("log")))
cat('{"source": "scripts/reference/glm_models.R', if (optimum) ' optimum' else '', ' (', R.version.string,
    ', glm, MASS::glm.nb, sandwich, lmtest, clubSandwich)",\n "cases": [\n',
    paste(unlist(cases), collapse = ",\n"), '],\n "predictions": [\n', paste(predictions, collapse = ",\n"),
    '],\n "nested": [\n', paste(nested_cases, collapse = ",\n"), ']}\n', sep = "")
