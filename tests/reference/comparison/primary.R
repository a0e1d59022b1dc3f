# Reference values for analysis/comparison/primary.py (weighted Aalen-Johansen, propensity with prison fixed effects).
# Regenerate (from the repository root; needs r-cran-survival):
#   PYTHONPATH=. .venv/bin/python tests/reference/comparison/make_primary_data.py   # primary_data.csv (simulated)
#   Rscript tests/reference/comparison/primary.R
# Writes primary_reference.csv (quantity, group, value; 15 significant digits).
suppressPackageStartupMessages(library(survival))
here <- "tests/reference/comparison"
d <- read.csv(file.path(here, "primary_data.csv"), stringsAsFactors = TRUE)
d$treated <- as.numeric(d$group == "participant")
# propensity model, prison as fixed effects (R's factor order = sorted levels, as the Python design)
ps_fit <- glm(treated ~ age_at_release + sex + prior_incarcerations + primary_substance + site,
              family = binomial, data = d)
e <- fitted(ps_fit)
d$w <- ifelse(d$treated == 1, 1, e / (1 - e))
out <- data.frame(quantity = paste0("coef:", names(coef(ps_fit))), group = "", value = unname(coef(ps_fit)))
# weighted Aalen-Johansen with death (2) and removal (3) competing; its std.err is the infinitesimal
# jackknife, i.e. the influence-function variance with the weights taken as known
d$state <- factor(d$status, levels = 0:3, labels = c("censor", "reoffence", "death", "removal"))
fit <- survfit(Surv(duration, state) ~ group, data = d, weights = w, id = id)
for (tt in c(100, 365)) {
  s <- summary(fit, times = tt)
  k <- which(s$states == "reoffence")
  grp <- sub("group=", "", as.character(s$strata))
  out <- rbind(out, data.frame(quantity = paste0("cif", tt), group = grp, value = s$pstate[, k]))
  out <- rbind(out, data.frame(quantity = paste0("se", tt), group = grp, value = s$std.err[, k]))
}
out$value <- signif(out$value, 15)
write.csv(out, file.path(here, "primary_reference.csv"), row.names = FALSE)
print(out)
