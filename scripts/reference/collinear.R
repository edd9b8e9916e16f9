# Reference fits from R's lm for designs with exactly collinear columns.
# Usage: Rscript scripts/reference/collinear.R > Tests/LinearAlgebraTests/Fixtures/collinear.json
# Each case lists the design columns (R's model.matrix, exact to 17 digits), the response,
# and lm's coefficients (null where R reports NA, i.e. aliased) and standard errors.
fmt <- function(v) paste0("[", paste(ifelse(is.na(v), "null", sprintf("\"%.17g\"", v)), collapse = ", "), "]")
case <- function(name, formula, data) {
  fit <- lm(formula, data)
  X <- model.matrix(fit)
  cf <- coef(fit)
  se <- rep(NA_real_, length(cf)); names(se) <- names(cf)
  s <- summary(fit)$coefficients
  se[rownames(s)] <- s[, "Std. Error"]
  cols <- paste(sapply(seq_len(ncol(X)), function(j) fmt(X[, j])), collapse = ",\n   ")
  sprintf(paste0('{"name": "%s", "formula": "%s", "terms": [%s],\n  "columns": [\n   %s],\n  "y": %s,\n',
                 '  "estimate": %s,\n  "std_error": %s,\n  "sigma": "%.17g", "rank": %d}'),
          name, deparse(formula), paste0('"', colnames(X), '"', collapse = ", "), cols,
          fmt(model.response(model.frame(fit))), fmt(cf), fmt(se), summary(fit)$sigma, fit$rank)
}
i <- 1:24
d1 <- data.frame(x1 = (i * 37) %% 17 + i / 4, x3 = sin(i))
d1$x2 <- 2 * d1$x1
d1$y <- 3 + 0.5 * d1$x1 - 2 * d1$x3 + cos(7 * i)
g <- rep(c("a", "b", "c", "d"), 6)
d2 <- data.frame(ga = as.numeric(g == "a"), gb = as.numeric(g == "b"), gc = as.numeric(g == "c"),
                 gd = as.numeric(g == "d"), x = log(i))
d2$y <- 1 + d2$gb - 2 * d2$gc + 0.3 * d2$x + sin(3 * i)
d3 <- data.frame(x1 = i / 3, zero = 0 * i, const = rep(5, 24), x2 = sqrt(i))
d3$y <- 2 - d3$x1 + 4 * d3$x2 + cos(i)
cat('{"source": "scripts/reference/collinear.R (', R.version.string, ', lm)",\n "cases": [\n',
    case("double", y ~ x1 + x2 + x3, d1), ",\n",
    case("dummies", y ~ ga + gb + gc + gd + x, d2), ",\n",
    case("zero_and_constant", y ~ x1 + zero + const + x2, d3), "]}\n", sep = "")
