# Reference values for the comparison of units (Sources/Comparison), computed independently from
# the published formulas (shared/methods/comparison.md) with R's own distribution functions:
# - exact Poisson prediction limits, interpolated (Spiegelhalter 2005, appendix), from ppois, on a
#   grid of expected counts and levels;
# - exact (Garwood) intervals and FunnelPlotR-style confidence limits with O = E, from qchisq;
# - per Welsh authority under a negative binomial with the child population as exposure (MASS::glm.nb
#   at the optimum: epsilon 1e-12, theta.ml to 1e-11, polished from its own estimates): O, E,
#   z on the log and square-root scales, phi (winsorised and truncated at 10%), its chi-squared
#   test, DerSimonian-Laird tau2, limits and flags under none, multiplicative and additive
#   overdispersion on both scales, leave-one-out E (the model refitted without the authority's
#   rows), and the empirical-Bayes shrunken ratios;
# - per English authority (the England panel pooled over its years, idaci and domestic abuse,
#   the population aged 0-17 as exposure): O, E, phi, tau2 and the flags on the log scale.
# Usage, from the repository root:
#   Rscript scripts/reference/comparison.R > Tests/ComparisonTests/Fixtures/comparison_reference.json
suppressMessages(library(MASS))
num <- function(v) ifelse(is.na(v), "null", sprintf("\"%.17g\"", v))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
strs <- function(v) paste0("[", paste0("\"", v, "\"", collapse = ", "), "]")
theta_ml <- MASS::theta.ml
assignInNamespace("theta.ml", function(y, mu, n = sum(weights), weights, limit = 10, eps = .Machine$double.eps^0.25,
                                       trace = FALSE) theta_ml(y, mu, n, weights, limit = max(limit, 200), eps = 1e-11, trace),
                  "MASS")
ctl <- glm.control(epsilon = 1e-12, maxit = 200)
nb <- function(f, data) {
  fit <- glm.nb(f, data, control = ctl)
  last <- Inf
  for (k in 1:50) {
    nxt <- glm.nb(f, data, start = coef(fit), init.theta = fit$theta, control = ctl)
    change <- max(abs(coef(nxt) - coef(fit)) / abs(coef(nxt)), abs(nxt$theta - fit$theta) / nxt$theta)
    fit <- nxt
    if (change <= 1e-15 || change >= last) break
    last <- change
  }
  fit
}

# Spiegelhalter's interpolated exact limit for lower-tail probability p.
exact_limit <- function(p, E) {
  r <- qpois(p, E)  # the smallest r with F(r) >= p
  Fr <- ppois(r, E); Fr1 <- ppois(r - 1, E)
  alpha <- if (Fr > Fr1) (Fr - p) / (Fr - Fr1) else 0
  max(0, (r - alpha) / E)  # below r = 0 the interpolation goes negative: a ratio's limit is 0 there
}
grid_E <- c(0.5, 1, 2.7, 10, 55.5, 300, 1234.5, 10000)
grid_levels <- c(0.8, 0.95, 0.998, 0.99999)
grid <- expand.grid(E = grid_E, level = grid_levels)
grid$low <- mapply(function(E, l) exact_limit((1 - l) / 2, E), grid$E, grid$level)
grid$high <- mapply(function(E, l) exact_limit(1 - (1 - l) / 2, E), grid$E, grid$level)
grid$chisq_low <- qchisq((1 - grid$level) / 2, 2 * grid$E) / (2 * grid$E)
grid$chisq_high <- qchisq(1 - (1 - grid$level) / 2, 2 * (grid$E + 1)) / (2 * grid$E)

wales <- read.csv("datasets/wales_la_panel.csv")
f <- children_looked_after ~ children_low_income_pct + unemployment_rate_pct + offset(log(population_0_15))
fit <- nb(f, wales)
units <- unique(wales$la_name)
O <- sapply(units, function(u) sum(wales$children_looked_after[wales$la_name == u]))
E <- sapply(units, function(u) sum(fitted(fit)[wales$la_name == u]))
garwood_low <- ifelse(O == 0, 0, qchisq(0.025, 2 * O) / (2 * E))
garwood_high <- qchisq(0.975, 2 * (O + 1)) / (2 * E)

scaled <- function(scale) {
  if (scale == "log") list(y = log(pmax(O, 0.5) / E), s = 1 / sqrt(E)) else list(y = sqrt(O / E) - 1, s = 1 / (2 * sqrt(E)))
}
estimate <- function(z, s, method, q = 0.1) {
  I <- length(z); kept <- seq_len(I); v <- z
  if (method == "winsorise") {
    lo <- quantile(z, q, type = 7); hi <- quantile(z, 1 - q, type = 7)
    v <- pmin(pmax(z, lo), hi)
  } else {
    k <- floor(q * I); o <- order(z)
    kept <- setdiff(kept, c(o[seq_len(k)], o[I - seq_len(k) + 1]))
  }
  I <- length(kept)
  phi <- sum(v[kept]^2) / I
  w <- 1 / s[kept]^2
  tau2 <- if (I * phi <= I - 1) 0 else (I * phi - (I - 1)) / (sum(w) - sum(w^2) / sum(w))
  list(phi = phi, tau2 = tau2, p = pchisq(I * phi, I, lower.tail = FALSE), count = I)
}
back <- function(y, scale) if (scale == "log") exp(y) else ifelse(y < -1, 0, (1 + y)^2)
to_scale <- function(r, scale) if (scale == "log") log(r) else sqrt(r) - 1
limits_for <- function(scale, over, est, level) {
  a <- (1 - level) / 2
  sapply(seq_along(E), function(i) {
    lo <- exact_limit(a, E[i]); hi <- exact_limit(1 - a, E[i])
    s <- scaled(scale)$s[i]
    w <- switch(over, none = 1, multiplicative = sqrt(est$phi), additive = sqrt(1 + est$tau2 / s^2))
    widen <- function(r) if (w == 1) r else if (scale == "log" && r <= 0) 0 else back(w * to_scale(r, scale), scale)
    c(widen(lo), widen(hi))
  })
}
variants <- list()
for (scale in c("log", "sqrt")) for (trim in c("winsorise", "truncate")) for (over in c("none", "multiplicative", "additive")) {
  sc <- scaled(scale); z <- sc$y / sc$s
  est <- estimate(z, sc$s, trim)
  l95 <- limits_for(scale, over, est, 0.95); l998 <- limits_for(scale, over, est, 0.998)
  ratio <- O / E
  flag <- ifelse(ratio > l998[2, ], "above 99.8%", ifelse(ratio < l998[1, ], "below 99.8%",
           ifelse(ratio > l95[2, ], "above 95%", ifelse(ratio < l95[1, ], "below 95%", "within"))))
  w <- switch(over, none = rep(1, length(E)), multiplicative = rep(sqrt(est$phi), length(E)), additive = sqrt(1 + est$tau2 / sc$s^2))
  variants[[length(variants) + 1]] <- sprintf(paste0(
    '{"scale": "%s", "trim_method": "%s", "overdispersion": "%s", "phi": %s, "phi_p": %s, "count": %d, "tau2": %s,\n',
    '  "z": %s,\n  "z_adjusted": %s,\n  "low_95": %s,\n  "high_95": %s,\n  "low_998": %s,\n  "high_998": %s,\n  "flag": %s}'),
    scale, trim, over, num(est$phi), num(est$p), est$count, num(est$tau2), arr(z), arr(z / w),
    arr(l95[1, ]), arr(l95[2, ]), arr(l998[1, ]), arr(l998[2, ]), strs(flag))
}
# Model-based limits: a unit's count on target with the model's mean E and variance V (the sum of
# its rows' negative binomial variances mu + mu^2 / theta), taken as negative binomial with that
# mean and variance; its size the median over units of E^2 / (V - E); limits interpolated as above.
mu <- fitted(fit)
V <- sapply(units, function(u) sum((mu + mu^2 / fit$theta)[wales$la_name == u]))
size <- median(E^2 / (V - E))
nb_limit <- function(p, E) {
  r <- qnbinom(p, size = size, mu = E)
  Fr <- pnbinom(r, size = size, mu = E); Fr1 <- pnbinom(r - 1, size = size, mu = E)
  alpha <- if (Fr > Fr1) (Fr - p) / (Fr - Fr1) else 0
  max(0, (r - alpha) / E)
}
model_low_998 <- sapply(E, function(e) nb_limit(0.001, e)); model_high_998 <- sapply(E, function(e) nb_limit(0.999, e))
model_low_95 <- sapply(E, function(e) nb_limit(0.025, e)); model_high_95 <- sapply(E, function(e) nb_limit(0.975, e))
ratio <- O / E
model_flag <- ifelse(ratio > model_high_998, "above 99.8%", ifelse(ratio < model_low_998, "below 99.8%",
              ifelse(ratio > model_high_95, "above 95%", ifelse(ratio < model_low_95, "below 95%", "within"))))
# Leave one authority out: refit without its rows, predict them.
loo <- sapply(units, function(u) {
  rest <- wales[wales$la_name != u, ]
  refit <- nb(f, rest)
  sum(predict(refit, wales[wales$la_name == u, ], type = "response"))
})
# Empirical Bayes on the log scale (winsorised DL tau2).
sc <- scaled("log"); est <- estimate(sc$y / sc$s, sc$s, "winsorise")
prec <- 1 / (sc$s^2 + est$tau2); mu <- sum(sc$y * prec) / sum(prec)
B <- sc$s^2 / (sc$s^2 + est$tau2)
shrunk <- mu + (1 - B) * (sc$y - mu); sd <- sqrt((1 - B) * sc$s^2)
# The England panel (authorities pooled over 2019-2024): O, E and, on the log scale with
# winsorised z-scores, phi, tau2 and the flags under each overdispersion method (the functions
# above read O and E, which are England's for this block and Wales's again after it).
england <- read.csv("datasets/england_la_panel.csv", na.strings = c("", "NA", "c", "u", "x", "z", "[x]", "[c]", "[z]"))
fe <- children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000 + offset(log(population_0_17))
england <- england[complete.cases(england[, c("children_looked_after", "idaci_average_score",
                                              "domestic_abuse_parent_per_10000", "population_0_17")]), ]
efit <- nb(fe, england)
wales_O <- O; wales_E <- E
eng_units <- unique(england$la_name)
O <- sapply(eng_units, function(u) sum(england$children_looked_after[england$la_name == u]))
E <- sapply(eng_units, function(u) sum(fitted(efit)[england$la_name == u]))
esc <- scaled("log"); ez <- esc$y / esc$s; eest <- estimate(ez, esc$s, "winsorise")
eng_flags <- sapply(c("none", "multiplicative", "additive"), function(over) {
  l95 <- limits_for("log", over, eest, 0.95); l998 <- limits_for("log", over, eest, 0.998)
  r <- O / E
  ifelse(r > l998[2, ], "above 99.8%", ifelse(r < l998[1, ], "below 99.8%",
         ifelse(r > l95[2, ], "above 95%", ifelse(r < l95[1, ], "below 95%", "within"))))
})
england_json <- sprintf(paste0(
  '{"units": %s,\n  "observed": %s,\n  "expected": %s,\n  "phi": %s, "phi_p": %s, "tau2": %s, "count": %d,\n',
  '  "flag_none": %s,\n  "flag_multiplicative": %s,\n  "flag_additive": %s}'),
  strs(eng_units), arr(O), arr(E), num(eest$phi), num(eest$p), num(eest$tau2), eest$count,
  strs(eng_flags[, "none"]), strs(eng_flags[, "multiplicative"]), strs(eng_flags[, "additive"]))
O <- wales_O; E <- wales_E

cat('{"source": "scripts/reference/comparison.R (', R.version.string, ', MASS::glm.nb at the optimum)",\n',
    ' "grid": {"expected": ', arr(grid$E), ',\n  "level": ', arr(grid$level), ',\n  "low": ', arr(grid$low),
    ',\n  "high": ', arr(grid$high), ',\n  "chisq_low": ', arr(grid$chisq_low), ',\n  "chisq_high": ', arr(grid$chisq_high), '},\n',
    ' "units": ', strs(units), ',\n "observed": ', arr(O), ',\n "expected": ', arr(E),
    ',\n "garwood_low": ', arr(garwood_low), ',\n "garwood_high": ', arr(garwood_high),
    ',\n "loo_expected": ', arr(loo), ',\n "shrunk_ratio": ', arr(exp(shrunk)), ',\n "shrunk_low": ', arr(exp(shrunk - qnorm(0.975) * sd)),
    ',\n "shrunk_high": ', arr(exp(shrunk + qnorm(0.975) * sd)), ',\n "shrinkage_tau2": ', num(est$tau2),
    ',\n "rankability": ', num(est$tau2 / (est$tau2 + median(sc$s^2))),
    ',\n "model_size": ', num(size), ',\n "model_low_95": ', arr(model_low_95), ',\n "model_high_95": ', arr(model_high_95),
    ',\n "model_low_998": ', arr(model_low_998), ',\n "model_high_998": ', arr(model_high_998), ',\n "model_flag": ', strs(model_flag),
    ',\n "england": ', england_json,
    ',\n "variants": [\n', paste(unlist(variants), collapse = ",\n"), ']}\n', sep = "")
