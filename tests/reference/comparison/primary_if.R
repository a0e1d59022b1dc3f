# Reference for the standard error of the PRIMARY result (analysis/comparison/primary.py): the
# influence-function (sandwich) variance of the weighted Aalen-Johansen risks at day 365 *including the
# estimation of the propensity model*, computed here independently of the Python derivation, as the
# infinitesimal jackknife of the whole procedure: every person's case weight c_i is perturbed, the
# propensity model is refitted with those case weights, the ATT weights recomputed and the weighted
# cumulative incidence recomputed (R survfit); the derivative of the estimate with respect to c_i is the
# person's influence, and sum_i (d est / d c_i)^2 is the sandwich variance of the stacked estimating
# equations (logistic score + weighted Aalen-Johansen). Central differences, step 1e-4.
# Needs only r-cran-survival (base R otherwise). Regenerate from the repository root:
#   Rscript tests/reference/comparison/primary_if.R     (about a minute)
# Writes primary_if_reference.csv (quantity, value; 12 significant digits).
suppressPackageStartupMessages(library(survival))
here <- "tests/reference/comparison"
d <- read.csv(file.path(here, "primary_data.csv"), stringsAsFactors = TRUE)
d$treated <- as.numeric(d$group == "participant")
d$state <- factor(d$status, levels = 0:3, labels = c("censor", "reoffence", "death", "removal"))
tau <- 365
form <- treated ~ age_at_release + sex + prior_incarcerations + primary_substance + site

risks <- function(cw) {
  # cw: case weights (all 1 = the published estimate)
  dd <- d
  dd$cw <- cw
  fit_ps <- suppressWarnings(glm(form, family = quasibinomial, data = dd, weights = cw,
                                 control = glm.control(epsilon = 1e-14, maxit = 100)))
  e <- fitted(fit_ps)
  w <- cw * ifelse(d$treated == 1, 1, e / (1 - e))
  keep <- w > 0
  fit <- survfit(Surv(duration, state) ~ group, data = d[keep, ], weights = w[keep], id = id)
  s <- summary(fit, times = tau)
  k <- which(s$states == "reoffence")
  grp <- sub("group=", "", as.character(s$strata))
  p <- setNames(s$pstate[, k], grp)
  c(participant = 100 * p[["participant"]], comparison = 100 * p[["non-participant"]],
    rd = 100 * (p[["participant"]] - p[["non-participant"]]),
    log_rr = log(p[["participant"]] / p[["non-participant"]]))
}

est <- risks(rep(1, nrow(d)))
h <- 1e-4
infl <- t(vapply(seq_len(nrow(d)), function(i) {
  up <- dn <- rep(1, nrow(d))
  up[i] <- 1 + h
  dn[i] <- 1 - h
  (risks(up) - risks(dn)) / (2 * h)
}, numeric(4)))
se <- sqrt(colSums(infl^2))
# the same variance with the weights taken as known (no propensity correction), for contrast
fit_ps <- glm(form, family = binomial, data = d)
e <- fitted(fit_ps)
d$w <- ifelse(d$treated == 1, 1, e / (1 - e))
fit <- survfit(Surv(duration, state) ~ group, data = d, weights = w, id = id)
s <- summary(fit, times = tau)
k <- which(s$states == "reoffence")
se_known <- setNames(100 * s$std.err[, k], sub("group=", "", as.character(s$strata)))
out <- data.frame(
  quantity = c("estimate:participant", "estimate:comparison", "estimate:rd", "estimate:log_rr",
               "se:participant", "se:comparison", "se:rd", "se:log_rr",
               "se_weights_known:participant", "se_weights_known:comparison"),
  value = signif(c(est, se, se_known[["participant"]], se_known[["non-participant"]]), 12))
write.csv(out, file.path(here, "primary_if_reference.csv"), row.names = FALSE)
print(out, digits = 12)
cat(R.version.string, "; survival", as.character(packageVersion("survival")), "\n")
