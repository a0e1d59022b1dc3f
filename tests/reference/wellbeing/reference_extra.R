# More reference values for analysis/wellbeing (issue 13): the signed-rank test as
# R decides exact/approximate, one-sided and without continuity correction;
# Hedges' g_av; psych::alpha pairwise and standardised.
# Run from the repository root (R is not needed in CI):
#   Rscript tests/reference/wellbeing/reference_extra.R
# Writes r_results_extra.json beside this script.
# Needs: r-cran-psych, r-cran-jsonlite.

suppressPackageStartupMessages({library(psych); library(jsonlite)})
here <- "tests/reference/wellbeing"
out <- list()

# ---- 1. Hollander & Wolfe (1973, p. 29), the example of ?wilcox.test: 9 pairs, no ties --
x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)   # follow-up (post)
y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29) # first visit (pre)
w <- function(...) { r <- wilcox.test(x, y, paired = TRUE, ...); list(V = unname(r$statistic), p = r$p.value) }
d <- x - y; n <- length(d); df <- n - 1
J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
sav <- (sd(x) + sd(y)) / 2
out$depression <- list(
  default = w(),                                           # exact (n < 50, no ties, no zeros)
  greater = w(alternative = "greater"), less = w(alternative = "less"),
  approx_correct = w(exact = FALSE, correct = TRUE),
  approx_nocorrect = w(exact = FALSE, correct = FALSE),
  approx_greater = w(exact = FALSE, alternative = "greater"),
  t = unname(t.test(x, y, paired = TRUE)$statistic),
  d_av = mean(d) / sav, J = J, g_av = J * mean(d) / sav)
write.csv(data.frame(pid = 1:9, pre = y, post = x), file.path(here, "depression.csv"), row.names = FALSE)

# ---- 2. R's switch at 50 non-zero differences (no ties) --------------------------
set.seed(13)
d49 <- round(rnorm(49, 0.3, 1), 6); d50 <- round(rnorm(50, 0.3, 1), 6)
stopifnot(!any(duplicated(abs(d49))), !any(duplicated(abs(d50))))
out$n49 <- list(d = d49, p = wilcox.test(d49)$p.value, p_approx = wilcox.test(d49, exact = FALSE)$p.value)
out$n50 <- list(d = d50, p = wilcox.test(d50)$p.value, p_exact = wilcox.test(d50, exact = TRUE)$p.value)

# ---- 3. psych::alpha: pairwise (default) on all 2800 bfi rows, standardised ------
data(bfi, package = "psych")
A <- bfi[, paste0("A", 1:5)]; A$A1 <- 7 - A$A1
a <- alpha(A, warnings = FALSE)
Ac <- A[complete.cases(A), ]
ac <- alpha(Ac, warnings = FALSE)
out$bfi_alpha <- list(
  n_rows = nrow(A),
  pairwise_raw = a$total$raw_alpha, pairwise_std = a$total$std.alpha,
  pairwise_feldt = c(a$feldt$lower.ci[[1]], a$feldt$upper.ci[[1]]),
  complete_n = nrow(Ac), complete_raw = ac$total$raw_alpha, complete_std = ac$total$std.alpha)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, "r_results_extra.json"))
writeLines(capture.output(sessionInfo()), file.path(here, "r_session_extra.txt"))
