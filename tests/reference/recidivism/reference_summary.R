# What R's summary(coxph) prints beyond the coefficients (issue 12, part 8): null and fitted
# log-likelihood, likelihood-ratio / Wald / score tests, concordance with its SE, SE of the HR;
# and a covariate-only model. Regenerate from the repository root (needs r-cran-survival):
#   Rscript tests/reference/recidivism/reference_summary.R
# Writes r_summary.csv (model, key, stat, value; 15 significant digits) beside this script.
suppressPackageStartupMessages(library(survival))
here <- "tests/reference/recidivism"
rossi <- read.csv(file.path(here, "rossi.csv"))
syn <- read.csv(file.path(here, "synthetic.csv"), stringsAsFactors = TRUE)
syn$sex <- relevel(syn$sex, "female")
out <- list()
put <- function(model, key, stat, value) {
  out[[length(out) + 1]] <<- data.frame(model = model, key = as.character(key), stat = stat, value = as.numeric(value))
}
summ <- function(model, fit) {
  s <- summary(fit)
  put(model, "", "loglik_null", fit$loglik[1])
  put(model, "", "loglik", fit$loglik[2])
  put(model, "likelihood_ratio", "chisq", s$logtest["test"]); put(model, "likelihood_ratio", "df", s$logtest["df"])
  put(model, "likelihood_ratio", "p", s$logtest["pvalue"])
  # with cluster=, summary's "Wald test" uses the robust variance (our wald_robust); the model-based
  # Wald test is then coef' naive.var^-1 coef
  # (summary() rounds the Wald statistic to 2 decimals: fit$wald.test is the unrounded one)
  pw <- function(w) pchisq(w, length(coef(fit)), lower.tail = FALSE)
  if (is.null(fit$naive.var)) {
    put(model, "wald", "chisq", fit$wald.test); put(model, "wald", "p", pw(fit$wald.test))
  } else {
    b <- coef(fit)
    w <- drop(t(b) %*% solve(fit$naive.var, b))
    put(model, "wald", "chisq", w); put(model, "wald", "p", pw(w))
    put(model, "wald_robust", "chisq", fit$wald.test); put(model, "wald_robust", "p", pw(fit$wald.test))
  }
  put(model, "wald", "df", s$waldtest["df"])
  put(model, "score", "chisq", s$sctest["test"]); put(model, "score", "df", s$sctest["df"])
  put(model, "score", "p", s$sctest["pvalue"])
  put(model, "", "concordance", fit$concordance["concordance"])
  put(model, "", "concordance_se", fit$concordance["std"])
  put(model, "", "concordant", fit$concordance["concordant"])
  put(model, "", "discordant", fit$concordance["discordant"])
  put(model, "", "tied_x", fit$concordance["tied.x"])
  v <- if (is.null(fit$naive.var)) fit$var else fit$naive.var
  put(model, names(coef(fit)), "coef", coef(fit))
  put(model, names(coef(fit)), "se", sqrt(diag(v)))
  put(model, names(coef(fit)), "se_hr", exp(coef(fit)) * sqrt(diag(v)))  # delta method
}
rossi_f <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
for (ties in c("efron", "breslow")) summ(paste0("rossi_", ties), coxph(rossi_f, data = rossi, ties = ties))
syn_f <- Surv(duration, event) ~ group + age_at_release + sex + prior_incarcerations + sentence_months +
  primary_substance
summ("synthetic", coxph(syn_f, data = syn))
summ("synthetic_strata", coxph(update(syn_f, . ~ . + strata(site)), data = syn))
summ("synthetic_cluster", coxph(syn_f, data = syn, cluster = site))
# covariate-only models (no group)
cov_f <- Surv(duration, event) ~ age_at_release + sex + prior_incarcerations + sentence_months + primary_substance
summ("covariates_only", coxph(cov_f, data = syn))
summ("covariates_only_strata", coxph(update(cov_f, . ~ . + strata(site)), data = syn))
res <- do.call(rbind, out)
write.csv(transform(res, value = sprintf("%.15g", value)), file.path(here, "r_summary.csv"), row.names = FALSE)
