# Reference values for analysis/recidivism, computed with R's survival and cmprsk.
# Regenerate (from the repository root; needs r-cran-survival and r-cran-cmprsk):
#   Rscript tests/reference/recidivism/reference.R
# Reads rossi.csv and synthetic.csv beside this script (see make_data.py) and writes
# r_reference.csv: one value per row (dataset, analysis, group, key, stat, value),
# printed with 15 significant digits. The session info is in r_session.txt.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
here <- "tests/reference/recidivism"
rossi <- read.csv(file.path(here, "rossi.csv"))
syn <- read.csv(file.path(here, "synthetic.csv"), stringsAsFactors = TRUE)
out <- list()
put <- function(dataset, analysis, group, key, stat, value) {
  out[[length(out) + 1]] <<- data.frame(dataset = dataset, analysis = analysis, group = as.character(group),
                                        key = as.character(key), stat = stat, value = as.numeric(value))
}

## Kaplan-Meier: every time point, both transforms; medians; survival at chosen times
km <- function(dataset, formula, data, times) {
  for (ct in c("log", "log-log")) {
    fit <- survfit(formula, data = data, conf.type = ct)
    grp <- rep(sub(".*=", "", names(fit$strata)), fit$strata)
    an <- paste0("km_", ct)
    put(dataset, an, grp, fit$time, "n_risk", fit$n.risk)
    put(dataset, an, grp, fit$time, "n_event", fit$n.event)
    put(dataset, an, grp, fit$time, "surv", fit$surv)
    put(dataset, an, grp, fit$time, "se_log", fit$std.err)
    put(dataset, an, grp, fit$time, "lower", fit$lower)
    put(dataset, an, grp, fit$time, "upper", fit$upper)
    q <- quantile(fit, probs = 0.5)
    g <- sub(".*=", "", rownames(q$quantile))
    put(dataset, paste0("median_", ct), g, 0.5, "median", q$quantile[, 1])
    put(dataset, paste0("median_", ct), g, 0.5, "lower", q$lower[, 1])
    put(dataset, paste0("median_", ct), g, 0.5, "upper", q$upper[, 1])
    s <- summary(fit, times = times)
    g <- sub(".*=", "", as.character(s$strata))
    put(dataset, paste0("at_", ct), g, s$time, "surv", s$surv)
    put(dataset, paste0("at_", ct), g, s$time, "std_err", s$std.err)
    put(dataset, paste0("at_", ct), g, s$time, "lower", s$lower)
    put(dataset, paste0("at_", ct), g, s$time, "upper", s$upper)
    put(dataset, paste0("at_", ct), g, s$time, "n_risk", s$n.risk)
  }
}
km("rossi", Surv(week, arrest) ~ fin, rossi, c(10, 20, 52))
km("synthetic", Surv(duration, event) ~ group, syn, c(180, 365, 730))
for (ct in c("log", "log-log")) {  # other quantiles of the Rossi curves
  q <- quantile(survfit(Surv(week, arrest) ~ fin, data = rossi, conf.type = ct), probs = c(0.1, 0.2))
  for (j in 1:2) for (st in c("quantile", "lower", "upper"))
    put("rossi", paste0("quantile_", ct), c("0", "1"), c(0.1, 0.2)[j], st, q[[st]][, j])
}
# small curves that sit exactly on 0.5 (midpoint rule) or end there
tiny <- data.frame(time = c(1, 2, 3, 4, 2, 5, 6, 7, 8, 9), event = c(1, 1, 1, 1, 1, 1, 0, 1, 0, 1),
                   g = rep(c("a", "b"), c(4, 6)))
for (ct in c("log", "log-log")) {
  q <- quantile(survfit(Surv(time, event) ~ g, data = tiny, conf.type = ct), probs = 0.5)
  for (st in c("quantile", "lower", "upper")) put("tiny", paste0("median_", ct), c("a", "b"), 0.5, st, q[[st]][, 1])
}

## Log-rank (survdiff), plain and stratified
lr <- function(dataset, an, formula, data) {
  sd <- survdiff(formula, data = data)
  g <- sub(".*=", "", names(sd$n))
  put(dataset, an, "", "", "chisq", sd$chisq)
  put(dataset, an, g, "", "observed", if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs)
  put(dataset, an, g, "", "expected", if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp)
  put(dataset, an, g, "", "var", diag(sd$var))
}
lr("rossi", "logrank", Surv(week, arrest) ~ fin, rossi)
lr("rossi", "logrank_strata", Surv(week, arrest) ~ fin + strata(wexp), rossi)
lr("synthetic", "logrank", Surv(duration, event) ~ group, syn)
lr("synthetic", "logrank_strata", Surv(duration, event) ~ group + strata(site), syn)

## Cox models (Efron and Breslow), stratified, cluster-robust; cox.zph
cx <- function(dataset, an, fit) {
  s <- summary(fit)$coefficients
  put(dataset, an, "", rownames(s), "coef", s[, "coef"])
  put(dataset, an, "", rownames(s), "se", s[, "se(coef)"])
  if ("robust se" %in% colnames(s)) put(dataset, an, "", rownames(s), "robust_se", s[, "robust se"])
  put(dataset, an, "", "", "loglik", fit$loglik[2])
}
rossi_f <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
for (ties in c("efron", "breslow")) {
  fit <- coxph(rossi_f, data = rossi, ties = ties)
  cx("rossi", paste0("cox_", ties), fit)
  z <- cox.zph(fit)
  put("rossi", paste0("zph_", ties), "", rownames(z$table), "chisq", z$table[, "chisq"])
  put("rossi", paste0("zph_", ties), "", rownames(z$table), "p", z$table[, "p"])
  cx("rossi", paste0("cox_robust_", ties), coxph(rossi_f, data = rossi, ties = ties, robust = TRUE))
}
syn$sex <- relevel(syn$sex, "female")
syn_f <- Surv(duration, event) ~ group + age_at_release + sex + prior_incarcerations + sentence_months +
  primary_substance
syn_fs <- update(syn_f, . ~ . + strata(site))
for (ties in c("efron", "breslow")) {
  fit <- coxph(syn_f, data = syn, ties = ties)
  cx("synthetic", paste0("cox_", ties), fit)
  cx("synthetic", paste0("cox_cluster_", ties), coxph(syn_f, data = syn, ties = ties, cluster = site))
  fits <- coxph(syn_fs, data = syn, ties = ties)
  cx("synthetic", paste0("cox_strata_", ties), fits)
  z <- cox.zph(fits)
  put("synthetic", paste0("zph_strata_", ties), "", rownames(z$table), "chisq", z$table[, "chisq"])
  z <- cox.zph(fit)
  put("synthetic", paste0("zph_", ties), "", rownames(z$table), "chisq", z$table[, "chisq"])
}

## Time-varying after-release contacts (counting-process form)
ss <- read.csv(file.path(here, "synthetic_startstop.csv"), stringsAsFactors = TRUE)
tv <- coxph(Surv(start, stop, event) ~ group + post_release_contact + age_at_release + prior_incarcerations,
            data = ss, ties = "efron")
cx("synthetic", "cox_tv_efron", tv)

## Competing risks: cumulative incidence of reoffence with death and deportation competing
times <- c(90, 180, 365, 730)
ci <- cuminc(syn$duration, syn$status, syn$group, cencode = 0)
tp <- timepoints(ci, times)
for (nm in rownames(tp$est)) {
  parts <- strsplit(nm, " ")[[1]]
  put("synthetic", "cuminc", parts[1], times, paste0("est_", parts[2]), tp$est[nm, ])
  put("synthetic", "cuminc", parts[1], times, paste0("var_", parts[2]), tp$var[nm, ])
}
ms <- survfit(Surv(duration, factor(status, 0:3)) ~ group, data = syn)
sm <- summary(ms, times = times)
g <- sub(".*=", "", as.character(sm$strata))
for (k in 2:4) {
  put("synthetic", "aj_survfit", g, sm$time, paste0("pstate_", k - 1), sm$pstate[, k])
  put("synthetic", "aj_survfit", g, sm$time, paste0("std_err_", k - 1), sm$std.err[, k])
}

## Wilson intervals (prop.test without continuity correction) and Newcombe's hybrid score interval
wil <- function(x, n) prop.test(x, n, correct = FALSE)$conf.int
for (xn in list(c(56, 70), c(48, 80), c(0, 10), c(10, 10), c(81, 263))) {
  w <- wil(xn[1], xn[2])
  put("wilson", "wilson", "", paste0(xn[1], "/", xn[2]), "lower", w[1])
  put("wilson", "wilson", "", paste0(xn[1], "/", xn[2]), "upper", w[2])
}
newcombe <- function(x1, n1, x2, n2) {  # Newcombe (1998), method 10
  p1 <- x1 / n1; p2 <- x2 / n2; w1 <- wil(x1, n1); w2 <- wil(x2, n2)
  d <- p1 - p2
  c(d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
for (v in list(c(56, 70, 48, 80), c(9, 10, 3, 10), c(6, 7, 2, 7), c(5, 56, 0, 29))) {
  nc <- newcombe(v[1], v[2], v[3], v[4])
  key <- paste0(v[1], "/", v[2], "-", v[3], "/", v[4])
  put("newcombe", "newcombe", "", key, "lower", nc[1])
  put("newcombe", "newcombe", "", key, "upper", nc[2])
}

res <- do.call(rbind, out)
write.csv(transform(res, value = sprintf("%.15g", value)), file.path(here, "r_reference.csv"), row.names = FALSE)
writeLines(capture.output(sessionInfo()), file.path(here, "r_session.txt"))
