# Reference values for analysis/comparison, computed with R's stats and survival.
# Regenerate (from the repository root; needs r-cran-survival):
#   .venv/bin/python tests/reference/comparison/make_data.py   # synthetic.csv (simulated, no real person)
#   Rscript tests/reference/comparison/reference.R
# Writes r_reference.csv: one value per row (analysis, group, key, stat, value), 15 significant digits,
# and r_session.txt (sessionInfo()).
suppressPackageStartupMessages(library(survival))
here <- "tests/reference/comparison"
d <- read.csv(file.path(here, "synthetic.csv"), stringsAsFactors = TRUE)
out <- list()
put <- function(analysis, group, key, stat, value) {
  out[[length(out) + 1]] <<- data.frame(analysis = analysis, group = as.character(group), key = as.character(key),
                                        stat = stat, value = as.numeric(value))
}

## Propensity score: logistic regression, missing-indicator rule for age (mean of observed + indicator)
d$age_missing <- as.numeric(is.na(d$age_at_release))
d$age_filled <- ifelse(is.na(d$age_at_release), mean(d$age_at_release, na.rm = TRUE), d$age_at_release)
d$treated <- as.numeric(d$group == "participant")
ps_fit <- glm(treated ~ age_filled + age_missing + sex + prior_incarcerations + sentence_months + primary_substance,
              family = binomial, data = d)
put("ps_glm", "", names(coef(ps_fit)), "coef", coef(ps_fit))
put("ps_glm", "", names(coef(ps_fit)), "se", sqrt(diag(vcov(ps_fit))))
e <- fitted(ps_fit)
d$w_att <- ifelse(d$treated == 1, 1, e / (1 - e))
d$w_ate <- ifelse(d$treated == 1, 1 / e, 1 / (1 - e))
put("ps", "", seq_len(nrow(d)) - 1, "ps", e)
put("ps", "", seq_len(nrow(d)) - 1, "w_att", d$w_att)
put("ps", "", seq_len(nrow(d)) - 1, "w_ate", d$w_ate)

## Weighted Cox: coxph(weights=, cluster=) - coefficient, model SE, robust SE
cx <- function(name, f, ...) {
  s <- summary(f)$coefficients
  put(name, "", rownames(s), "coef", s[, "coef"])
  put(name, "", rownames(s), "se", s[, "se(coef)"])
  if ("robust se" %in% colnames(s)) put(name, "", rownames(s), "robust_se", s[, "robust se"])
}
cx("cox_att_cluster", coxph(Surv(duration, event) ~ treated, data = d, weights = w_att, cluster = site))
cx("cox_ate_cluster", coxph(Surv(duration, event) ~ treated, data = d, weights = w_ate, cluster = site))
cx("cox_att_robust", coxph(Surv(duration, event) ~ treated, data = d, weights = w_att, robust = TRUE))
cx("cox_att_cluster_cov", coxph(Surv(duration, event) ~ treated + prior_incarcerations + sex, data = d,
                                weights = w_att, cluster = site))

## Weighted Kaplan-Meier point estimates: survfit(weights=)
km <- survfit(Surv(duration, event) ~ group, data = d, weights = w_att)
grp <- rep(sub(".*=", "", names(km$strata)), km$strata)
put("km_att", grp, km$time, "surv", km$surv)
put("km_att", grp, km$time, "n_risk", km$n.risk)
s <- summary(km, times = c(180, 365, 730))
put("km_att_at", sub(".*=", "", as.character(s$strata)), s$time, "surv", s$surv)

## Weighted one-year rates among people with a complete one-year window
one <- d[d$eligible_1y == "True", ]
for (g in c("participant", "non-participant")) {
  sub <- one[one$group == g, ]
  put("rate_1y_att", g, "", "rate", weighted.mean(sub$reoffended_1y, sub$w_att))
}

## Dose-response: categories and log2(1 + dose), log(days in custody), site clusters
d$dose_cat <- cut(d$dose, c(-Inf, 0, 2, 5, Inf), labels = c("0", "1-2", "3-5", "6+"))
d$log_days <- log(pmax(d$days_in_custody, 1))
dd <- d[!is.na(d$age_at_release), ]
cx("dose_cat", coxph(Surv(duration, event) ~ dose_cat + log_days + age_at_release + sex + prior_incarcerations +
                       sentence_months + primary_substance, data = dd, cluster = site))
cx("dose_log2", coxph(Surv(duration, event) ~ I(log2(1 + dose)) + log_days + age_at_release + sex +
                        prior_incarcerations + sentence_months + primary_substance, data = dd, cluster = site))

## E-value (VanderWeele & Ding 2017; HR -> RR for a common outcome, VanderWeele 2020), the published formulas
evalue <- function(rr) { rr <- ifelse(rr < 1, 1 / rr, rr); rr + sqrt(rr * (rr - 1)) }
common <- function(hr) (1 - 0.5^sqrt(hr)) / (1 - 0.5^sqrt(1 / hr))
for (hr in c(0.5, 0.75, 0.9, 1.3, 2.5)) {
  put("evalue", "rare", hr, "e", evalue(hr))
  put("evalue", "common", hr, "rr", common(hr))
  put("evalue", "common", hr, "e", evalue(common(hr)))
}

res <- do.call(rbind, out)
write.csv(transform(res, value = formatC(value, digits = 15, format = "g")), file.path(here, "r_reference.csv"),
          row.names = FALSE)
writeLines(capture.output(sessionInfo()), file.path(here, "r_session.txt"))
