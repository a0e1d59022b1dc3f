# Reference values for analysis.disclosure.suppression.feasible_interval.
#
# The attacker's interval of each hidden cell of a 4x4 table with margins:
# minimise and maximise the cell subject to the row/column/total equations
# (published cells fixed) and the bounds of the attacker model:
#   small hidden cell (0 < n < 10)  : 1 <= x <= 9
#   other hidden cell (n >= 1)      : 1 <= x
# Solved with lpSolve (an LP solver independent of SciPy's HiGHS).
# Run:  Rscript attacker_intervals.R > attacker_intervals.csv
# The table and patterns are synthetic.
suppressPackageStartupMessages(library(lpSolve))

body <- matrix(c(1, 12, 30, 4,
                 15, 2, 25, 40,
                 3, 18, 0, 22,
                 50, 60, 70, 80), nrow = 4, byrow = TRUE)
R <- nrow(body); C <- ncol(body)
ext <- matrix(0, R + 1, C + 1)
ext[1:R, 1:C] <- body
ext[1:R, C + 1] <- rowSums(body)
ext[R + 1, 1:C] <- colSums(body)
ext[R + 1, C + 1] <- sum(body)
v <- as.vector(t(ext))            # row-major, cell index 0..24 in Python

# equations: each row i: sum_j x[i,j] - x[i,C+1] = 0; each column likewise
eqs <- list()
for (i in 1:(R + 1)) { a <- matrix(0, R + 1, C + 1); a[i, 1:C] <- 1; a[i, C + 1] <- -1; eqs[[length(eqs) + 1]] <- as.vector(t(a)) }
for (j in 1:(C + 1)) { a <- matrix(0, R + 1, C + 1); a[1:R, j] <- 1; a[R + 1, j] <- -1; eqs[[length(eqs) + 1]] <- as.vector(t(a)) }
A <- do.call(rbind, eqs)

patterns <- list(
  # the pattern secondary_suppression() chooses for this table
  chosen = c(0, 3, 5, 6, 10, 11, 13),
  # the small cells alone: exposed
  primary_only = c(0, 3, 6, 10)
)

cat("pattern,cell,value,lower,upper\n")
for (name in names(patterns)) {
  hid <- patterns[[name]] + 1     # 1-based
  pub <- setdiff(seq_along(v), hid)
  Ah <- A[, hid, drop = FALSE]
  rhs <- -as.vector(A[, pub, drop = FALSE] %*% v[pub])
  keep <- rowSums(abs(Ah)) > 0
  Ah <- Ah[keep, , drop = FALSE]; rhs <- rhs[keep]
  small <- v[hid] > 0 & v[hid] < 10
  lo <- rep(1, length(hid))
  up <- ifelse(small, 9, 1e6)     # 1e6 stands for "no upper bound"
  # bounds as constraints (lpSolve variables are >= 0 by default)
  Acon <- rbind(Ah, diag(length(hid)), diag(length(hid)))
  dir <- c(rep("=", nrow(Ah)), rep(">=", length(hid)), rep("<=", length(hid)))
  b <- c(rhs, lo, up)
  for (k in seq_along(hid)) {
    obj <- rep(0, length(hid)); obj[k] <- 1
    mn <- lp("min", obj, Acon, dir, b)$objval
    mx <- lp("max", obj, Acon, dir, b)$objval
    if (mx >= 1e6 - 1e-6) mx <- Inf
    cat(sprintf("%s,%d,%g,%g,%g\n", name, hid[k] - 1, v[hid[k]], mn, mx))
  }
}
