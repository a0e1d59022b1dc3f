# Reference values for the kappa family in analysis.themes.reliability:
# Fleiss' kappa with SE, z and category-wise kappas, Conger's kappa, Cohen's kappa
# unweighted / linear / quadratic / custom weights with SE, z and p.
#
# Run from the repository root (R with Debian's r-cran-psych and r-cran-jsonlite):
#
#     Rscript tests/reference/themes/kappa.R > tests/reference/themes/kappa_R_output.txt
#
# Writes kappa_R.json beside this script.
#
# R's `irr` package cannot be installed here. The functions kappam_fleiss() and
# kappa2() below REPRODUCE irr 0.84.1's kappam.fleiss() and kappa2() line by line in
# base R (same variable names: ttab, agreeP, chanceP, pj, qj, varkappa, pjk, kappaK,
# weighttab, w.i, w.j, var.matrix); they are a transcription of irr's published
# formulas (Fleiss, Nee & Landis 1979; Conger 1980; Fleiss, Cohen & Everitt 1969),
# not calls to irr. psych::cohen.kappa is called directly. The large-sample
# (non-null) variance of weighted kappa is Fleiss, Cohen & Everitt (1969), written
# out below as fce_var(); psych::cohen.kappa's var.weighted is printed too, but it
# weights each row by its own row share, not by the column shares, and differs.

suppressPackageStartupMessages({library(psych); library(jsonlite)})
here <- "tests/reference/themes"
options(digits = 12)
out <- list()

# ---- irr::kappam.fleiss, reproduced -------------------------------------------
kappam_fleiss <- function(ratings, exact = FALSE, detail = FALSE) {
  ratings <- as.matrix(na.omit(ratings))
  ns <- nrow(ratings); nr <- ncol(ratings)
  lev <- levels(as.factor(ratings))
  ttab <- t(apply(ratings, 1, function(r) as.numeric(table(factor(r, levels = lev)))))
  agreeP <- sum((apply(ttab^2, 1, sum) - nr) / (nr * (nr - 1)) / ns)
  if (!exact) {
    chanceP <- sum(apply(ttab, 2, sum)^2) / (ns * nr)^2
  } else {
    rtab <- t(apply(ratings, 2, function(r) as.numeric(table(factor(r, levels = lev))))) / ns
    chanceP <- sum(apply(ttab, 2, sum)^2) / (ns * nr)^2 - sum(apply(rtab, 2, var) * (nr - 1) / nr) / (nr - 1)
  }
  value <- (agreeP - chanceP) / (1 - chanceP)
  res <- list(subjects = ns, raters = nr, value = value)
  if (!exact) {
    pj <- apply(ttab, 2, sum) / (ns * nr); qj <- 1 - pj
    varkappa <- (2 / (sum(pj * qj)^2 * (ns * nr * (nr - 1)))) * (sum(pj * qj)^2 - sum(pj * qj * (qj - pj)))
    SEkappa <- sqrt(varkappa)
    res$se <- SEkappa; res$z <- value / SEkappa; res$p.value <- 2 * (1 - pnorm(abs(res$z)))
    if (detail) {
      pjk <- (apply(ttab^2, 2, sum) - ns * nr * pj) / (ns * nr * (nr - 1) * pj)
      kappaK <- (pjk - pj) / (1 - pj)
      SEkappaK <- sqrt(2 / (ns * nr * (nr - 1)))
      res$detail <- list(category = lev, proportion = pj, kappa = kappaK, se = SEkappaK,
                         z = kappaK / SEkappaK, p.value = 2 * (1 - pnorm(abs(kappaK / SEkappaK))))
    }
  }
  res
}

# ---- irr::kappa2, reproduced (weight: "unweighted", "equal", "squared" or numeric) --
kappa2 <- function(ratings, weight = "unweighted") {
  ratings <- as.matrix(na.omit(ratings))
  ns <- nrow(ratings)
  lev <- sort(unique(as.vector(ratings)))          # numeric ratings: sort.levels = TRUE
  r1 <- factor(ratings[, 1], levels = lev); r2 <- factor(ratings[, 2], levels = lev)
  ttab <- table(r1, r2); nc <- ncol(ttab)
  if (is.numeric(weight)) w <- 1 - (weight - min(weight)) / (max(weight) - min(weight))
  else if (weight == "equal") w <- (nc - 1):0 / (nc - 1)
  else if (weight == "squared") w <- 1 - (0:(nc - 1))^2 / (nc - 1)^2
  else w <- c(1, rep(0, nc - 1))
  wvec <- c(sort(w, decreasing = FALSE), w[2:length(w)])
  nw <- length(w)
  weighttab <- matrix(0, nrow = nw, ncol = nw)
  for (i in 1:nw) weighttab[i, ] <- wvec[(nw - (i - 1)):(2 * nw - i)]
  agreeP <- sum(ttab * weighttab) / ns
  tm1 <- apply(ttab, 1, sum); tm2 <- apply(ttab, 2, sum)
  eij <- outer(tm1, tm2) / ns
  chanceP <- sum(eij * weighttab) / ns
  value <- (agreeP - chanceP) / (1 - chanceP)
  w.i <- apply(rep(tm2 / ns, nc) * weighttab, 2, sum)
  w.j <- apply(rep(tm1 / ns, each = nc) * weighttab, 1, sum)
  var.matrix <- (eij / ns) * (weighttab - outer(w.i, w.j, "+"))^2
  varkappa <- (sum(var.matrix) - chanceP^2) / (ns * (1 - chanceP)^2)
  SEkappa <- sqrt(varkappa)
  u <- value / SEkappa
  list(subjects = ns, value = value, se0 = SEkappa, z = u, p.value = 2 * (1 - pnorm(abs(u))),
       weighttab = weighttab, fce_var = fce_var(ttab, weighttab))
}

# Fleiss, Cohen & Everitt (1969) large-sample variance of (weighted) kappa,
# w = agreement weights: sum_ij p_ij [w_ij - (wbar_i. + wbar_.j)(1 - k)]^2 - [k - pe(1 - k)]^2,
# divided by n (1 - pe)^2, with wbar_i. = sum_j p_.j w_ij and wbar_.j = sum_i p_i. w_ij.
fce_var <- function(ttab, w) {
  n <- sum(ttab); p <- ttab / n; pr <- rowSums(p); pc <- colSums(p)
  po <- sum(w * p); pe <- sum(w * outer(pr, pc)); k <- (po - pe) / (1 - pe)
  wi <- as.vector(w %*% pc); wj <- as.vector(t(w) %*% pr)
  (sum(p * (w - outer(wi, wj, "+") * (1 - k))^2) - (k - pe * (1 - k))^2) / (n * (1 - pe)^2)
}

# ---- 1. Fleiss (1971) diagnoses: kappam.fleiss(detail = TRUE) and exact (Conger) --
diagnoses <- matrix(c(
  4,4,4,4,4,4, 2,2,2,5,5,5, 2,3,3,3,3,5, 5,5,5,5,5,5, 2,2,2,4,4,4,
  1,1,3,3,3,3, 3,3,3,3,5,5, 1,1,3,3,3,4, 1,1,4,4,4,4, 5,5,5,5,5,5,
  1,4,4,4,4,4, 1,2,4,4,4,4, 2,2,2,3,3,3, 1,4,4,4,4,4, 2,2,4,4,4,5,
  3,3,3,3,3,5, 1,1,1,4,5,5, 1,1,1,1,1,2, 2,2,4,4,4,4, 1,3,3,5,5,5,
  5,5,5,5,5,5, 2,4,4,4,4,4, 2,2,4,5,5,5, 1,1,4,4,4,4, 1,4,4,4,4,5,
  2,2,2,2,2,4, 1,1,1,1,5,5, 2,2,4,4,4,4, 1,3,3,3,3,3, 5,5,5,5,5,5),
  ncol = 6, byrow = TRUE)
out$fleiss_diagnoses <- kappam_fleiss(diagnoses, detail = TRUE)
out$conger_diagnoses <- kappam_fleiss(diagnoses, exact = TRUE)
cat("kappam.fleiss(diagnoses, detail = TRUE)  [irr's documented output: Kappa = 0.43, z = 17.7;\n")
cat("  category kappas 0.245 0.245 0.520 0.471 0.566, z 5.192 5.192 11.031 9.994 12.009]\n")
str(out$fleiss_diagnoses)
cat("kappam.fleiss(diagnoses, exact = TRUE)  [irr's documented output: Kappa = 0.442]\n")
str(out$conger_diagnoses)

# ---- 2. psych::bfi A2 and A3 (6-point items, public SAPA data) as two "raters" ----
data(bfi, package = "psych")
a23 <- bfi[, c("A2", "A3")]; a23 <- a23[complete.cases(a23), ]
write.csv(a23, file.path(here, "bfi_a2_a3.csv"), row.names = FALSE)
ck <- cohen.kappa(a23)
out$bfi_a2_a3 <- list(
  n = nrow(a23),
  unweighted = kappa2(a23, "unweighted"), equal = kappa2(a23, "equal"), squared = kappa2(a23, "squared"),
  custom_0_1_3_6_10_15 = kappa2(a23, c(0, 1, 3, 6, 10, 15)),
  psych_kappa = ck$kappa, psych_var_kappa = ck$var.kappa, psych_confid = ck$confid[1, ],
  psych_weighted_kappa = ck$weighted.kappa, psych_var_weighted = ck$var.weighted)
for (nm in c("unweighted", "equal", "squared", "custom_0_1_3_6_10_15")) out$bfi_a2_a3[[nm]]$weighttab <- NULL
cat("\nbfi A2/A3:\n"); str(out$bfi_a2_a3)

# ---- 3. a small example with an unused middle category ---------------------------
r1 <- c(1, 2, 2, 4, 4, 5, 1, 2, 5, 4, 1, 2)
r2 <- c(1, 2, 4, 4, 5, 5, 2, 2, 4, 4, 1, 1)
small <- cbind(r1, r2)
out$small <- list(equal_observed_levels = kappa2(small, "equal"), squared_observed_levels = kappa2(small, "squared"))
for (nm in names(out$small)) out$small[[nm]]$weighttab <- NULL
cat("\nsmall (levels 1, 2, 4, 5 observed; 3 unused):\n"); str(out$small)

# ---- 4. Conger's kappa with Gwet's linearisation variance --------------------------
# Gwet, K. L. (2014), Handbook of Inter-Rater Reliability, 4th ed., and irrCAC's
# conger.kappa.raw (neither irrCAC nor irr is in Debian): the variance of the influence
# terms kappa_i* = kappa_i - 2 (1 - kappa) (pe_i - pe) / (1 - pe), written out here in
# base R for complete, unweighted ratings; interval kappa +- t(n-1) se, upper limit 1.
conger_gwet <- function(ratings, conflev = 0.95) {
  ratings <- as.matrix(na.omit(ratings))
  n <- nrow(ratings); r <- ncol(ratings)
  categ <- sort(unique(as.vector(ratings))); q <- length(categ)
  agree.mat <- sapply(categ, function(k) rowSums(ratings == k))          # n x q
  classif.mat <- t(sapply(seq_len(r), function(g) sapply(categ, function(k) sum(ratings[, g] == k))))  # r x q
  pa.ivec <- rowSums(agree.mat * (agree.mat - 1)) / (r * (r - 1))
  pa <- mean(pa.ivec)
  pgk <- classif.mat / n
  pk <- colMeans(pgk)
  s2 <- (t(pgk) %*% pgk - r * pk %*% t(pk)) / (r - 1)
  pe <- sum(pk^2 - diag(s2) / r)
  kappa <- (pa - pe) / (1 - pe)
  lambda <- matrix(0, n, r)                                            # r * mean_g p_gk - p_gk at each rating
  for (g in seq_len(r)) {
    k <- match(ratings[, g], categ)
    lambda[, g] <- r * pk[k] - pgk[g, k]
  }
  pe.ivec <- rowSums(lambda) / (r * (r - 1))
  kappa.ivec <- (pa.ivec - pe) / (1 - pe) - 2 * (1 - kappa) * (pe.ivec - pe) / (1 - pe)
  se <- sqrt(sum((kappa.ivec - kappa)^2) / (n * (n - 1)))
  tq <- qt(1 - (1 - conflev) / 2, n - 1)
  list(value = kappa, pa = pa, pe = pe, se = se, lower = kappa - tq * se, upper = min(1, kappa + tq * se))
}
out$conger_gwet_diagnoses <- conger_gwet(diagnoses)
out$conger_gwet_bfi <- conger_gwet(a23)
cat("\nConger's kappa with Gwet's variance, diagnoses and bfi A2/A3:\n")
str(out$conger_gwet_diagnoses); str(out$conger_gwet_bfi)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, "kappa_R.json"))
print(sessionInfo()$R.version$version.string)
cat("psych", format(packageVersion("psych")), "\n")
