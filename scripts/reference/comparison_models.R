# Reference values for comparisons under models other than the negative binomial (Sources/Comparison),
# computed independently from the published formulas (shared/methods/comparison.md) with R's own
# distribution functions and model fits:
# - exact binomial prediction limits, interpolated (Spiegelhalter 2005's binomial funnel): a unit of
#   expected count E at the overall proportion p0 is a count of E / p0 trials; from pbinom where the
#   trials are whole, from pbeta (the same distribution function) where they are not;
# - Clopper-Pearson intervals of O/E from binom.test;
# - the Welsh authorities under a binomial model (glm, children looked after of the children aged
#   0-15, at epsilon 1e-14): O, E, trials, arcsine z-scores, limits and flags, and leave-one-out E
#   from explicit refits without each authority;
# - the same authorities under a linear model of the rate per 10,000 (lm), compared through the
#   counts the rates imply (rate times population / 10,000): O, E, Poisson limits' flags and
#   leave-one-out E from explicit refits;
# - the REML estimate of tau2 (y_i ~ N(mu, s_i^2 + tau2), mu estimated) from the log-scale z-scores
#   of a negative binomial comparison (winsorised at 10%), by optimize() on the restricted likelihood
#   refined by uniroot() on its derivative;
#   the z-scores and standard errors are written with it, so that the estimator is tested alone.
# Usage, from the repository root:
#   Rscript scripts/reference/comparison_models.R > Tests/ComparisonTests/Fixtures/comparison_models.json
suppressMessages(library(MASS))
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")

interpolate <- function(p, E, cdf, upper) {
  r <- 0
  while (cdf(r) < p) r <- r + 1  # the smallest r with F(r) >= p
  Fr <- cdf(r); Fr1 <- if (r > 0) cdf(r - 1) else 0
  alpha <- if (Fr > Fr1) (Fr - p) / (Fr - Fr1) else 0
  max(0, (r - alpha) / E)
}
binomial_limit <- function(p, E, p0) {
  n <- E / p0
  whole <- abs(n - round(n)) < 1e-9
  cdf <- function(r) if (r >= n) 1 else if (whole) pbinom(r, round(n), p0) else pbeta(1 - p0, n - r, r + 1)
  interpolate(p, E, cdf)
}
grid <- expand.grid(E = c(0.5, 3, 10, 47.3, 250, 1200), p0 = c(0.01, 0.2, 0.5), level = c(0.95, 0.998))
grid$E[grid$E == 10] <- 10  # 10 / 0.2 = 50 trials: whole, checked against pbinom
grid$low <- mapply(function(E, p0, l) binomial_limit((1 - l) / 2, E, p0), grid$E, grid$p0, grid$level)
grid$high <- mapply(function(E, p0, l) binomial_limit(1 - (1 - l) / 2, E, p0), grid$E, grid$p0, grid$level)

cp <- data.frame(o = c(0, 1, 7, 50, 99, 100), n = c(20, 20, 40, 400, 100, 100))
cp$e <- cp$n * 0.3
cp$low <- mapply(function(o, n) binom.test(o, n, conf.level = 0.95)$conf.int[1], cp$o, cp$n) * cp$n / cp$e
cp$high <- mapply(function(o, n) binom.test(o, n, conf.level = 0.95)$conf.int[2], cp$o, cp$n) * cp$n / cp$e

wales <- read.csv("datasets/wales_la_panel.csv")
wales <- wales[complete.cases(wales[, c("children_looked_after", "population_0_15", "children_low_income_pct",
                                        "unemployment_rate_pct", "rate_per_10000")]), ]
units <- unique(wales$la_name)
by_unit <- function(v) sapply(units, function(u) sum(v[wales$la_name == u]))
flags <- function(ratio, low95, high95, low998, high998)
  ifelse(ratio > high998, "above 99.8%", ifelse(ratio < low998, "below 99.8%",
         ifelse(ratio > high95, "above 95%", ifelse(ratio < low95, "below 95%", "within"))))

# Binomial: children looked after of the children aged 0-15.
fb <- cbind(children_looked_after, population_0_15 - children_looked_after) ~ children_low_income_pct + unemployment_rate_pct
bin <- glm(fb, binomial, wales, control = glm.control(epsilon = 1e-14, maxit = 100))
bO <- by_unit(wales$children_looked_after); bN <- by_unit(wales$population_0_15)
bE <- by_unit(fitted(bin) * wales$population_0_15)
p0 <- sum(bE) / sum(bN)
bz <- 2 * sqrt(bE / p0) * (asin(sqrt(pmin(1, p0 * bO / bE))) - asin(sqrt(p0)))
bl <- lapply(c(0.95, 0.998), function(l) rbind(sapply(bE, function(e) binomial_limit((1 - l) / 2, e, p0)),
                                               sapply(bE, function(e) binomial_limit(1 - (1 - l) / 2, e, p0))))
bflag <- flags(bO / bE, bl[[1]][1, ], bl[[1]][2, ], bl[[2]][1, ], bl[[2]][2, ])
bloo <- sapply(units, function(u) {
  rest <- glm(fb, binomial, wales[wales$la_name != u, ], control = glm.control(epsilon = 1e-14, maxit = 100))
  own <- wales[wales$la_name == u, ]
  sum(predict(rest, own, type = "response") * own$population_0_15)
})

# Linear model of the rate per 10,000, through the counts its rates imply.
fl <- rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct
lin <- lm(fl, wales)
lO <- by_unit(wales$rate_per_10000 * wales$population_0_15 / 1e4)
lE <- by_unit(fitted(lin) * wales$population_0_15 / 1e4)
exact_limit <- function(p, E) interpolate(p, E, function(r) ppois(r, E))
ll <- lapply(c(0.95, 0.998), function(l) rbind(sapply(lE, function(e) exact_limit((1 - l) / 2, e)),
                                               sapply(lE, function(e) exact_limit(1 - (1 - l) / 2, e))))
lflag <- flags(lO / lE, ll[[1]][1, ], ll[[1]][2, ], ll[[2]][1, ], ll[[2]][2, ])
lloo <- sapply(units, function(u) {
  rest <- lm(fl, wales[wales$la_name != u, ])
  own <- wales[wales$la_name == u, ]
  sum(predict(rest, own) * own$population_0_15 / 1e4)
})

# REML tau2 on the negative binomial comparison's winsorised log-scale values.
nb <- suppressWarnings(glm.nb(children_looked_after ~ children_low_income_pct + unemployment_rate_pct
                              + offset(log(population_0_15)), wales))
nO <- by_unit(wales$children_looked_after); nE <- by_unit(fitted(nb))
s <- 1 / sqrt(nE); z <- log(nO / nE) / s
lo <- quantile(z, 0.1, type = 7); hi <- quantile(z, 0.9, type = 7)
y <- pmin(pmax(z, lo), hi) * s
restricted <- function(t) {
  w <- 1 / (s^2 + t); m <- sum(w * y) / sum(w)
  -0.5 * sum(log(s^2 + t)) - 0.5 * log(sum(w)) - 0.5 * sum(w * (y - m)^2)
}
# The maximum located by optimize() (a function value, flat at its top: about 1e-8 relative), then
# refined to rounding as the root of the restricted likelihood's derivative by uniroot().
rough <- optimize(restricted, c(0, 10 * var(y)), maximum = TRUE, tol = 1e-14)$maximum
score <- function(t) {
  w <- 1 / (s^2 + t); m <- sum(w * y) / sum(w)
  -sum(w) + sum(w^2) / sum(w) + sum(w^2 * (y - m)^2)
}
reml <- uniroot(score, c(rough / 2, rough * 2), tol = 1e-300, maxiter = 10000)$root
stopifnot(abs(reml - rough) < 1e-6 * rough)

cat('{"source": "scripts/reference/comparison_models.R (', R.version.string, ')",\n',
    ' "binomial_grid": {"expected": ', arr(grid$E), ',\n  "proportion": ', arr(grid$p0), ',\n  "level": ', arr(grid$level),
    ',\n  "low": ', arr(grid$low), ',\n  "high": ', arr(grid$high), '},\n',
    ' "clopper_pearson": {"observed": ', arr(cp$o), ', "trials": ', arr(cp$n), ', "expected": ', arr(cp$e),
    ',\n  "low": ', arr(cp$low), ',\n  "high": ', arr(cp$high), '},\n',
    ' "units": ', strs(units), ',\n',
    ' "binomial": {"observed": ', arr(bO), ',\n  "expected": ', arr(bE), ',\n  "trials": ', arr(bN), ',\n  "proportion": ', num(p0),
    ',\n  "z": ', arr(bz), ',\n  "low_95": ', arr(bl[[1]][1, ]), ',\n  "high_95": ', arr(bl[[1]][2, ]),
    ',\n  "low_998": ', arr(bl[[2]][1, ]), ',\n  "high_998": ', arr(bl[[2]][2, ]), ',\n  "flag": ', strs(bflag),
    ',\n  "loo_expected": ', arr(bloo), '},\n',
    ' "linear": {"observed": ', arr(lO), ',\n  "expected": ', arr(lE), ',\n  "flag": ', strs(lflag),
    ',\n  "loo_expected": ', arr(lloo), '},\n',
    ' "reml": {"z": ', arr(z), ',\n  "s": ', arr(s), ',\n  "tau2": ', num(reml), '}}\n', sep = "")
