# Reference values for analysis/service/paired.py (McNemar, paired difference in proportions).
# Base R only (no exact2x2). Run from the repository root:
#   Rscript tests/reference/service/reference.R > tests/reference/service/r_output.txt
library(jsonlite)
d <- read.csv("tests/reference/service/injecting.csv")
out <- list()
for (s in c("large", "small")) {
  x <- d[d$scenario == s, ]
  w <- reshape(x[, c("pid", "wave", "injecting")], idvar = "pid", timevar = "wave", direction = "wide")
  w <- w[!is.na(w$injecting.1) & !is.na(w$injecting.2), ]
  tab <- table(factor(w$injecting.1, levels = c(0, 1)), factor(w$injecting.2, levels = c(0, 1)))
  n <- sum(tab); b <- tab[2, 1]; c <- tab[1, 2]
  cat("scenario", s, "\n"); print(tab)
  mc <- mcnemar.test(tab, correct = TRUE)
  print(mc)
  ex <- binom.test(min(b, c), b + c, p = 0.5)
  print(ex)
  diff <- (c - b) / n
  se <- sqrt(b + c - (b - c)^2 / n) / n
  ci <- diff + c(-1, 1) * qnorm(0.975) * se
  cat("difference", diff, "CI", ci, "\n\n")
  out[[s]] <- list(n = n, b = b, c = c, share_pre = mean(w$injecting.1), share_post = mean(w$injecting.2),
                   mcnemar_statistic = unname(mc$statistic), mcnemar_p = mc$p.value, exact_p = ex$p.value,
                   difference = diff, ci_low = ci[1], ci_high = ci[2])
}
write(toJSON(out, auto_unbox = TRUE, digits = 15, pretty = TRUE), "tests/reference/service/r_results.json")
print(sessionInfo())
