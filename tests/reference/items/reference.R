# Reference values for analysis/items (see README.md). Run from the repository root:
#   Rscript tests/reference/items/reference.R > tests/reference/items/r_output.txt
suppressPackageStartupMessages({library(MASS); library(ordinal); library(psych); library(jsonlite)})
here <- "tests/reference/items"
out <- list()

# --- proportional odds: peer workers vs staff, prison as fixed effect -------------
d <- read.csv(file.path(here, "role_clarity.csv"))
d <- d[d$role_clear > 0, ]                       # don't know (-7) left out
d$y <- factor(d$role_clear, levels = 1:5, ordered = TRUE)
d$group <- factor(d$group, levels = c("staff", "peer_worker"))
d$site <- factor(d$site)
m <- polr(y ~ group + site, data = d, Hess = TRUE)
print(summary(m))
b <- coef(m)["grouppeer_worker"]; se <- sqrt(diag(vcov(m)))["grouppeer_worker"]
out$polr_logor <- unname(b); out$polr_se <- unname(se)
out$polr_or <- unname(exp(b))
out$polr_or_ci <- unname(exp(b + c(-1, 1) * qnorm(0.975) * se))   # Wald
out$polr_zeta <- unname(m$zeta)
m2 <- clm(y ~ group + site, data = d)
print(summary(m2))
out$clm_logor <- unname(coef(m2)["grouppeer_worker"])
out$clm_p <- unname(summary(m2)$coefficients["grouppeer_worker", "Pr(>|z|)"])
out$n_staff <- sum(d$group == "staff"); out$n_peer <- sum(d$group == "peer_worker")

# --- Brunner-Munzel: P(peer answers higher than staff) + 0.5 ties, by hand -----------
x <- as.numeric(d$role_clear[d$group == "peer_worker"]); y <- as.numeric(d$role_clear[d$group == "staff"])
nx <- length(x); ny <- length(y)
r <- rank(c(x, y)); rx <- r[1:nx]; ry <- r[(nx + 1):(nx + ny)]
a <- (mean(rx) - (nx + 1) / 2) / ny
sx <- sum((rx - rank(x) - mean(rx) + (nx + 1) / 2)^2) / (nx - 1)
sy <- sum((ry - rank(y) - mean(ry) + (ny + 1) / 2)^2) / (ny - 1)
se_a <- sqrt(nx * sx + ny * sy) / (nx * ny)
df <- (nx * sx + ny * sy)^2 / ((nx * sx)^2 / (nx - 1) + (ny * sy)^2 / (ny - 1))
out$bm_a <- a; out$bm_ci <- a + c(-1, 1) * qt(0.975, df) * se_a; out$bm_df <- df
out$bm_p <- 2 * pt(-abs((a - 0.5) / se_a), df)
cat("Brunner-Munzel A =", a, "CI", out$bm_ci, "df", df, "p", out$bm_p, "\n")

# --- van Elteren: within-prison P(peer higher) + 0.5 ties, weights nx ny / (N + 1), by hand ----
num <- 0; den <- 0; dev <- 0; v <- 0; used <- 0
for (s in sort(unique(d$site))) {
  xs <- as.numeric(d$role_clear[d$group == "peer_worker" & d$site == s])
  ys <- as.numeric(d$role_clear[d$group == "staff" & d$site == s])
  m1 <- length(xs); m2 <- length(ys); N <- m1 + m2
  if (m1 == 0 || m2 == 0) next
  rs <- rank(c(xs, ys)); W <- sum(rs[1:m1])
  t <- table(c(xs, ys))
  num <- num + (W - m1 * (m1 + 1) / 2) / (N + 1)
  den <- den + m1 * m2 / (N + 1)
  dev <- dev + (W - m1 * (N + 1) / 2) / (N + 1)
  v <- v + m1 * m2 / 12 * (N + 1 - sum(t^3 - t) / (N * (N - 1))) / (N + 1)^2
  used <- used + 1
}
out$ve_a <- num / den; out$ve_z <- dev / sqrt(v); out$ve_p <- 2 * pnorm(-abs(out$ve_z)); out$ve_strata <- used
cat("van Elteren A =", out$ve_a, "z", out$ve_z, "p", out$ve_p, "strata", used, "\n")

# --- Wilson interval: share agreeing (4 or 5) among peer workers -----------------------
k <- sum(x >= 4)
w <- prop.test(k, nx, correct = FALSE)
out$wilson_k <- k; out$wilson_n <- nx; out$wilson_ci <- unname(w$conf.int[1:2])
print(w)

# --- domain: alpha (Feldt) and omega total (one-factor minres) -------------------------
dm <- read.csv(file.path(here, "domain.csv"))
dm[dm < 0] <- NA
dm$d4 <- 6 - dm$d4                               # reverse-worded item
cc <- dm[complete.cases(dm), ]
al <- psych::alpha(cc)
print(al$total)
out$alpha <- al$total$raw_alpha; out$alpha_n <- nrow(cc)
ft <- psych::alpha.ci(al$total$raw_alpha, nrow(cc), p.val = 0.05, n.var = 4, digits = 8)
out$alpha_feldt <- unname(unlist(ft)[c(1, 3)])
f1 <- psych::fa(cc, nfactors = 1, fm = "minres")
R <- cor(cc)
out$omega_total <- 1 - sum(1 - f1$communality) / sum(R)
cat("omega total", out$omega_total, "\n")

writeLines(toJSON(out, digits = 12, auto_unbox = TRUE, pretty = TRUE), file.path(here, "r_results.json"))
print(sessionInfo())
