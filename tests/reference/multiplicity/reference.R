# Reference values for analysis.multiplicity, from R's p.adjust.
# Regenerate: Rscript reference.R > r_results.json (then r_session.txt with sessionInfo()).
sets <- list(
  ten_sites = c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216),
  ties = c(0.01, 0.01, 0.03, 0.03, 0.5),
  with_na = c(0.02, NA, 0.001, 0.04, 0.3, NA, 0.049),
  large = c(0.9, 0.95, 0.99, 0.7, 0.8),
  one = c(0.03)
)
fmt <- function(x) ifelse(is.na(x), "null", formatC(x, digits = 17, format = "g"))
cat("{\n")
n <- length(sets)
for (i in seq_along(sets)) {
  p <- sets[[i]]
  cat(sprintf('  "%s": {"p": [%s], "holm": [%s], "BH": [%s]}%s\n', names(sets)[i],
              paste(fmt(p), collapse = ", "), paste(fmt(p.adjust(p, "holm")), collapse = ", "),
              paste(fmt(p.adjust(p, "BH")), collapse = ", "), if (i < n) "," else ""))
}
cat("}\n")
