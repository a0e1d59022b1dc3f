# Reference values for analysis/wellbeing, computed with R.
# Regenerate from the repository root (R is not needed in CI):
#   .venv/bin/python tests/reference/wellbeing/make_synthetic.py
#   Rscript tests/reference/wellbeing/reference.R
# Writes, beside this script: sleep.csv, bfi_agreeableness.csv, pixel.csv (public
# data sets, see README.md), r_results.json (the numbers the tests assert against)
# and r_session.txt (R and package versions).
# Needs: r-cran-psych, r-cran-gparotation (for psych::omega), r-cran-lme4, r-cran-jsonlite.

suppressPackageStartupMessages({library(psych); library(lme4); library(jsonlite)})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
out <- list()

# ---- helpers: d_z interval by inverting the noncentral t ------------------------
ncp_limits <- function(t, df, conf = 0.95) {
  g <- 1 - conf
  f <- function(ncp, target) pt(t, df, ncp) - target
  lo <- uniroot(f, c(t - 8, t + 8), target = 1 - g / 2, tol = 1e-12)$root
  hi <- uniroot(f, c(t - 8, t + 8), target = g / 2, tol = 1e-12)$root
  c(lo, hi)
}
paired_all <- function(pre, post) {
  d <- post - pre; n <- length(d); df <- n - 1
  tt <- t.test(post, pre, paired = TRUE)
  ww <- wilcox.test(post, pre, paired = TRUE, exact = FALSE, correct = TRUE)
  dz <- mean(d) / sd(d)
  lim <- ncp_limits(unname(tt$statistic), df) / sqrt(n)
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  sav <- (sd(pre) + sd(post)) / 2
  list(n = n, mean_change = mean(d), t = unname(tt$statistic), df = unname(tt$parameter),
       p_t = tt$p.value, ci = as.numeric(tt$conf.int),
       V = unname(ww$statistic), p_wilcoxon = ww$p.value,
       d_z = dz, d_z_ci = lim, J = J, g_z = J * dz, g_z_ci = J * lim,
       d_av = mean(d) / sav, d_av_ci = lim * sd(d) / sav,
       mdes_dz = power.t.test(n = n, sd = 1, sig.level = 0.05, power = 0.8,
                              type = "paired", strict = TRUE, tol = 1e-12)$delta,
       n_zero = sum(d == 0))
}

# ---- 1. sleep (datasets::sleep; Cushny & Peebles 1905, via Student 1908) --------
write.csv(sleep, file.path(here, "sleep.csv"), row.names = FALSE)
s1 <- sleep$extra[sleep$group == 1][order(sleep$ID[sleep$group == 1])]
s2 <- sleep$extra[sleep$group == 2][order(sleep$ID[sleep$group == 2])]
out$sleep <- paired_all(pre = s1, post = s2)

# ---- 2. synthetic WHO-5 items: scoring, paired tests with many zeros ------------
it <- read.csv(file.path(here, "synthetic_who5_items.csv"), stringsAsFactors = FALSE)
items <- paste0("who5_", 1:5)
x <- as.matrix(it[, items]); x[x %in% c(-7, -8, -9)] <- NA
n_ans <- rowSums(!is.na(x))
valid <- (5 - n_ans) <= 1
score <- ifelse(valid, rowMeans(x, na.rm = TRUE) * 5 * 4, NA)   # prorated sum x 4
it$score <- score
w <- merge(it[it$wave == "T0", c("pid", "score")], it[it$wave == "T1", c("pid", "score")],
           by = "pid", suffixes = c("_pre", "_post"))
w <- w[complete.cases(w), ]
out$who5_scores <- list(n_valid = sum(valid), sum_score = sum(score, na.rm = TRUE),
                        first_scores = head(score, 12))
out$who5_paired <- paired_all(pre = w$score_pre, post = w$score_post)
out$who5_paired$p_wilcoxon_pratt_note <- "pratt is checked against scipy, not R"
rel <- list()
for (wv in c("T0", "T1")) {
  xx <- x[it$wave == wv, ]; xx <- xx[complete.cases(xx), ]
  a <- alpha(as.data.frame(xx), warnings = FALSE)
  om <- suppressWarnings(suppressMessages(omega(xx, nfactors = 1, plot = FALSE)))
  rel[[wv]] <- list(n = nrow(xx), raw_alpha = a$total$raw_alpha,
                    feldt_lower = a$feldt$lower.ci[[1]], feldt_upper = a$feldt$upper.ci[[1]],
                    r_drop = unname(a$item.stats$r.drop), alpha_drop = unname(a$alpha.drop$raw_alpha),
                    omega_tot = om$omega.tot,
                    minres_loadings = unname(fa(xx, nfactors = 1, fm = "minres")$loadings[, 1]))
}
out$who5_reliability <- rel

# ---- 3. psych::bfi agreeableness (public SAPA data shipped with psych), A1 reversed --
data(bfi, package = "psych")
A <- bfi[, paste0("A", 1:5)]
write.csv(A, file.path(here, "bfi_agreeableness.csv"), row.names = FALSE)
Ac <- A[complete.cases(A), ]; Ac$A1 <- 7 - Ac$A1
a <- alpha(Ac, warnings = FALSE)
om <- suppressWarnings(suppressMessages(omega(Ac, nfactors = 1, plot = FALSE)))
out$bfi_A <- list(n = nrow(Ac), raw_alpha = a$total$raw_alpha,
                  feldt_lower = a$feldt$lower.ci[[1]], feldt_upper = a$feldt$upper.ci[[1]],
                  r_drop = unname(a$item.stats$r.drop), alpha_drop = unname(a$alpha.drop$raw_alpha),
                  omega_tot = om$omega.tot)

# ---- 4. mixed models (lme4::lmer, REML) ----------------------------------------
mm <- function(formula, data) {
  m <- lmer(formula, data = data, REML = TRUE,
            control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
  vc <- as.data.frame(VarCorr(m))
  list(fixef = as.list(fixef(m)), se = as.list(sqrt(diag(as.matrix(vcov(m))))),
       vcov = vc$vcov, sdcor = vc$sdcor, vc_names = paste(vc$grp, vc$var1, vc$var2),
       singular = isSingular(m), reml = as.numeric(logLik(m)))
}
sp <- read.csv(file.path(here, "synthetic_prepost.csv"), stringsAsFactors = FALSE)
sp$t <- as.numeric(sp$wave == "T1"); sp$part <- as.numeric(sp$group == "participant")
out$lmer_synthetic <- mm(score ~ t + (1 + t | site) + (1 | site:pid), sp)
out$lmer_synthetic_group <- mm(score ~ t * part + (1 + t | site) + (1 | site:pid), sp)
# nlme::Pixel (Pinheiro & Bates 2000): 10 dogs as "sites", the side within the dog as the
# "respondent", the day's position (0, 1, ..., 8) as the wave.
data(Pixel, package = "nlme")
px <- as.data.frame(Pixel); px$day <- as.numeric(as.character(px$day))
px$Dog <- as.character(px$Dog); px$Side <- as.character(px$Side)
write.csv(px[, c("Dog", "Side", "day", "pixel")], file.path(here, "pixel.csv"), row.names = FALSE)
px$t <- match(px$day, sort(unique(px$day))) - 1
out$lmer_pixel <- mm(pixel ~ t + (1 + t | Dog) + (1 | Dog:Side), px)

# ---- 5. Wilson intervals, Welch and chi-squared (attrition) ---------------------
out$wilson_20_235 <- as.numeric(prop.test(20, 235, correct = FALSE)$conf.int)
out$wilson_0_12 <- as.numeric(prop.test(0, 12, correct = FALSE)$conf.int)
b <- sp[sp$wave == "T0", ]
b$completed <- b$pid %in% sp$pid[sp$wave == "T1"]
ref <- b[b$completed, ]; refu <- b[!b$completed & b$reason %in% "refused", ]
lost <- b[!b$completed, ]
sm <- function(a, c) (mean(a) - mean(c)) / sqrt((var(a) + var(c)) / 2)
out$attrition <- list(
  n_completed = nrow(ref), n_refused = nrow(refu), n_lost = nrow(lost),
  refused_score_smd = sm(refu$score, ref$score),
  refused_score_welch_p = t.test(refu$score, ref$score, var.equal = FALSE)$p.value,
  lost_age_welch_p = t.test(lost$age, ref$age, var.equal = FALSE)$p.value,
  lost_sex_chisq_p = chisq.test(table(b$sex, b$completed), correct = FALSE)$p.value,
  refused_sex_fisher_p = fisher.test(table(c(refu$sex, ref$sex),
                                           rep(c("lost", "done"), c(nrow(refu), nrow(ref)))))$p.value)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, "r_results.json"))
writeLines(capture.output(sessionInfo()), file.path(here, "r_session.txt"))
