# Design-effect-adjusted Wilson interval in base R (tests/analysis/integration/test_calibration.py).
# Rscript tests/reference/integration/deff_wilson.R
y <- c(1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0)
g <- factor(rep(1:5, c(5, 7, 6, 8, 4)))
n <- length(y); k <- nlevels(g); m <- as.vector(table(g))
a <- anova(lm(y ~ g))
msb <- a["g", "Mean Sq"]; msw <- a["Residuals", "Mean Sq"]
m0 <- (n - sum(m^2) / n) / (k - 1)
icc <- max((msb - msw) / (msb + (m0 - 1) * msw), 0)
deff <- 1 + (mean(m) - 1) * icc
n_eff <- n / deff
ci <- prop.test(mean(y) * n_eff, n_eff, correct = FALSE)$conf.int
cat(sprintf("icc %.7f deff %.7f\n", icc, deff))
cat(sprintf("%.7f %.7f\n", ci[1], ci[2]))
