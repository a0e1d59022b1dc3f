# More reference values for analysis/wellbeing (issue 13): the signed-rank test as
# R decides exact/approximate, one-sided and without continuity correction;
# Hedges' g_av; psych::alpha pairwise and standardised.
# Run from the repository root (R is not needed in CI):
#   Rscript tests/reference/wellbeing/reference_extra.R
# Writes r_results_extra.json beside this script.
# Needs: r-cran-psych, r-cran-jsonlite, r-cran-lme4.

suppressPackageStartupMessages({library(psych); library(jsonlite); library(lme4)})
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

# ---- 4. Singular random slopes: the step-down rule of analysis.wellbeing.mixed -----
# Data simulated here (10 sites x 40 respondents, 27% lost at follow-up) with seeds 1
# and 4: with seed 1 the full model (1 + t | site) is singular (correlation -1) and the
# zero-correlation model (1 + t || site) is not; with seed 4 both are singular (slope
# variance 0) and the rule ends at (1 | site). All fits REML, bobyqa, as lme4's default.
simulate_sites <- function(seed) {
  set.seed(seed)
  S <- 10; n <- 40
  d <- expand.grid(i = 1:n, site = sprintf("P%02d", 1:S), t = 0:1, stringsAsFactors = FALSE)
  d$pid <- paste0(d$site, "-", d$i)
  a <- rnorm(S, 0, 5); names(a) <- sprintf("P%02d", 1:S)
  b <- rnorm(S, 0, 1.0); names(b) <- sprintf("P%02d", 1:S)
  u <- rnorm(S * n, 0, 10); names(u) <- unique(d$pid)
  d$score <- 50 + a[d$site] + (3 + b[d$site]) * d$t + u[d$pid] + rnorm(nrow(d), 0, 8)
  drop <- unique(d$pid)[runif(S * n) < 0.27]
  d[!(d$t == 1 & d$pid %in% drop), c("pid", "site", "t", "score")]
}
fit_summary <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  cc <- m@optinfo$derivs
  list(fixef = unname(fixef(m)), se = unname(sqrt(diag(as.matrix(vcov(m))))),
       vc_names = paste(vc$grp, vc$var1, vc$var2), vcov = vc$vcov, theta = unname(getME(m, "theta")),
       singular = isSingular(m), reml = as.numeric(logLik(m)),
       conv_messages = as.list(m@optinfo$conv$lme4$messages))
}
ctl <- lmerControl(optimizer = "bobyqa")
for (seed in c(1, 4)) {
  d <- simulate_sites(seed)
  write.csv(d, file.path(here, sprintf("singular_seed%d.csv", seed)), row.names = FALSE)
  out[[sprintf("singular_seed%d", seed)]] <- list(
    full = fit_summary(lmer(score ~ t + (1 + t | site) + (1 | site:pid), d, control = ctl)),
    uncorrelated = fit_summary(lmer(score ~ t + (1 + t || site) + (1 | site:pid), d, control = ctl)),
    intercept = fit_summary(lmer(score ~ t + (1 | site) + (1 | site:pid), d, control = ctl)))
}

# ---- 5. Participants against non-participants (analysis.wellbeing.participation) ------
# synthetic_prepost.csv: completers' follow-up score on group, baseline score and site (lm),
# unweighted and with ATT weights from glm(participant ~ baseline + age + site, binomial)
# fitted on everyone with a baseline score; HC1 sandwich written out (no sandwich package).
sp <- read.csv(file.path(here, "synthetic_prepost.csv"), stringsAsFactors = FALSE)
b <- sp[sp$wave == "T0", c("pid", "site", "group", "age", "score")]; names(b)[5] <- "pre"
f <- sp[sp$wave == "T1", c("pid", "score")]; names(f)[2] <- "post"
d <- merge(b, f, by = "pid", all.x = TRUE)
d$part <- as.numeric(d$group == "participant")
ps <- glm(part ~ pre + age + site, family = binomial, data = d)
e <- fitted(ps); d$w <- ifelse(d$part == 1, 1, e / (1 - e))
cc <- d[!is.na(d$post), ]
m0 <- lm(post ~ part + pre + site, data = cc)
m1 <- lm(post ~ part + pre + site, data = cc, weights = w)
X <- model.matrix(m1); r <- residuals(m1); W <- cc$w
bread <- solve(t(X) %*% (W * X)); meat <- t(X) %*% (W^2 * r^2 * X)
hc1 <- bread %*% meat %*% bread * nrow(X) / (nrow(X) - ncol(X))
ch <- cc$post - cc$pre
out$participation <- list(
  n_participants = sum(cc$part), n_comparison = sum(1 - cc$part),
  diff_change = mean(ch[cc$part == 1]) - mean(ch[cc$part == 0]),
  welch_p = t.test(ch[cc$part == 1], ch[cc$part == 0])$p.value,
  ancova = unname(coef(m0)["part"]), ancova_se = unname(sqrt(diag(vcov(m0)))["part"]),
  ancova_w = unname(coef(m1)["part"]), ancova_w_hc1_se = unname(sqrt(diag(hc1))[2]))

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, "r_results_extra.json"))
writeLines(capture.output(sessionInfo()), file.path(here, "r_session_extra.txt"))
