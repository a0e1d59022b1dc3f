# Reference values for analysis.themes (inter-coder agreement).
#
# Run from the repository root (R with Debian's r-cran-psych):
#
#     Rscript tests/reference/themes/agreement.R > tests/reference/themes/agreement_R_output.txt
#
# It writes, beside this script:
#   agreement_R.csv            end-to-end values for the synthetic coded interviews
#                              (transcripts.csv, segments.csv, coded.csv, made by
#                              make_synthetic.py; all data synthetic)
# and prints the published examples (kept in agreement_R_output.txt).
#
# Independent of the Python code: Cohen's kappa is psych::cohen.kappa; Fleiss'
# kappa and Krippendorff's alpha are written below from their defining formulas
# (R's irr package is not available here); paragraphs and the mapping of
# segments to paragraphs are done again here.

suppressPackageStartupMessages(library(psych))
here <- "tests/reference/themes"
options(digits = 10)

# ---- Coefficients ----------------------------------------------------------
# `ratings`: matrix, one row per unit, one column per coder, NA = not judged.

pairable <- function(ratings) ratings[rowSums(!is.na(ratings)) >= 2, , drop = FALSE]

# counts[u, c] = number of coders putting unit u in category c
category_counts <- function(ratings, categories) {
  matrix(sapply(categories, function(c) rowSums(ratings == c, na.rm = TRUE)), nrow = nrow(ratings))
}

percent_agreement <- function(ratings) {
  r <- pairable(ratings)
  n <- category_counts(r, sort(unique(as.vector(r[!is.na(r)]))))
  m <- rowSums(n)
  100 * mean((rowSums(n^2) - m) / (m * (m - 1)))
}

# Fleiss (1971); with missing judgements each unit uses its own number of raters m_u.
fleiss_kappa <- function(ratings) {
  r <- pairable(ratings)
  n <- category_counts(r, sort(unique(as.vector(r[!is.na(r)]))))
  m <- rowSums(n)
  p_bar <- mean((rowSums(n^2) - m) / (m * (m - 1)))
  p_cat <- colSums(n) / sum(m)
  p_e <- sum(p_cat^2)
  (p_bar - p_e) / (1 - p_e)
}

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability":
# coincidence matrix o[c, k] = sum over units of (number of c-k pairs) / (m_u - 1),
# alpha = 1 - (n - 1) * sum(o * delta2) / sum(n_c * n_k * delta2).
krippendorff_alpha <- function(ratings, level = "nominal") {
  r <- pairable(ratings)
  values <- sort(unique(as.vector(r[!is.na(r)])))
  K <- length(values)
  o <- matrix(0, K, K)
  for (u in seq_len(nrow(r))) {
    x <- r[u, !is.na(r[u, ])]
    m <- length(x)
    for (i in seq_len(m)) for (j in seq_len(m)) if (i != j) {
      c <- match(x[i], values); k <- match(x[j], values)
      o[c, k] <- o[c, k] + 1 / (m - 1)
    }
  }
  n_c <- rowSums(o)
  n <- sum(n_c)
  delta2 <- matrix(0, K, K)
  for (c in seq_len(K)) for (k in seq_len(K)) {
    delta2[c, k] <- switch(level,
      nominal = as.numeric(c != k),
      interval = (values[c] - values[k])^2,
      ratio = ((values[c] - values[k]) / (values[c] + values[k]))^2,
      ordinal = (sum(n_c[min(c, k):max(c, k)]) - (n_c[c] + n_c[k]) / 2)^2)
  }
  1 - (n - 1) * sum(o * delta2) / sum(outer(n_c, n_c) * delta2)
}

# ---- Published example 1: Fleiss (1971), 30 subjects, 6 raters, 5 diagnoses --
# (the subject-by-rater form of Fleiss' table, as in irr's `diagnoses`)
diagnoses <- matrix(c(
  4,4,4,4,4,4, 2,2,2,5,5,5, 2,3,3,3,3,5, 5,5,5,5,5,5, 2,2,2,4,4,4,
  1,1,3,3,3,3, 3,3,3,3,5,5, 1,1,3,3,3,4, 1,1,4,4,4,4, 5,5,5,5,5,5,
  1,4,4,4,4,4, 1,2,4,4,4,4, 2,2,2,3,3,3, 1,4,4,4,4,4, 2,2,4,4,4,5,
  3,3,3,3,3,5, 1,1,1,4,5,5, 1,1,1,1,1,2, 2,2,4,4,4,4, 1,3,3,5,5,5,
  5,5,5,5,5,5, 2,4,4,4,4,4, 2,2,4,5,5,5, 1,1,4,4,4,4, 1,4,4,4,4,5,
  2,2,2,2,2,4, 1,1,1,1,5,5, 2,2,4,4,4,4, 1,3,3,3,3,3, 5,5,5,5,5,5),
  ncol = 6, byrow = TRUE)
cat("Fleiss (1971) diagnoses: published kappa = 0.430\n")
cat("fleiss_kappa(diagnoses) =", format(fleiss_kappa(diagnoses), digits = 10), "\n")
cat("percent_agreement(diagnoses) =", format(percent_agreement(diagnoses), digits = 10), "\n")
cat("krippendorff_alpha(diagnoses, 'nominal') =",
    format(krippendorff_alpha(diagnoses, "nominal"), digits = 10), "\n\n")

# ---- Published example 2: Krippendorff (2011), 4 observers, 12 units, missing --
# published: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797
kripp <- t(matrix(c(
  1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA,   # observer A
  1, 2, 3, 3, 2, 2, 4, 1, 2, 5,  NA, 3,    # observer B
  NA, 3, 3, 3, 2, 3, 4, 2, 2, 5,  1,  NA,  # observer C
  1, 2, 3, 3, 2, 4, 4, 1, 2, 5,  1,  NA),  # observer D
  nrow = 4, byrow = TRUE))
for (level in c("nominal", "ordinal", "interval", "ratio")) {
  cat(sprintf("krippendorff_alpha(kripp, '%s') = %s\n", level,
              format(krippendorff_alpha(kripp, level), digits = 10)))
}
cat("fleiss_kappa(kripp) =", format(fleiss_kappa(kripp), digits = 10), "\n")
cat("percent_agreement(kripp) =", format(percent_agreement(kripp), digits = 10), "\n\n")

# ---- Cohen's kappa with psych::cohen.kappa -----------------------------------
# Three categories, 20 units, two coders (synthetic).
coder1 <- c(1, 2, 3, 1, 1, 2, 2, 3, 3, 1, 2, 1, 3, 2, 2, 1, 1, 3, 2, 1)
coder2 <- c(1, 2, 3, 1, 2, 2, 3, 3, 1, 1, 2, 1, 3, 2, 1, 1, 2, 3, 2, 1)
ck <- cohen.kappa(cbind(coder1, coder2))
cat("cohen.kappa(cbind(coder1, coder2)):\n")
cat("  kappa =", format(ck$kappa, digits = 10), "\n")
cat("  var.kappa =", format(ck$var.kappa, digits = 10), "\n")
cat("  confid lower, upper =", format(ck$confid[1, c(1, 3)], digits = 10), "\n\n")

# ---- End-to-end: synthetic double-coded interviews ---------------------------
transcripts <- read.csv(file.path(here, "transcripts.csv"), stringsAsFactors = FALSE)
segments <- read.csv(file.path(here, "segments.csv"), stringsAsFactors = FALSE)
coded <- read.csv(file.path(here, "coded.csv"), stringsAsFactors = FALSE)

# Paragraph units: runs of characters between newlines; 0-based [start, end).
paragraph_units <- function(id, text) {
  m <- gregexpr("[^\n]+", text)[[1]]
  data.frame(transcript_id = id, unit = seq_along(m),
             start = as.integer(m) - 1L, end = as.integer(m) - 1L + attr(m, "match.length"))
}

# Reliability data for one code: rows = units, columns = coders (NA = did not code).
reliability_data <- function(units, segs, coded, coders, code) {
  out <- matrix(NA_real_, nrow(units), length(coders), dimnames = list(NULL, coders))
  for (i in seq_len(nrow(units))) {
    u <- units[i, ]
    for (cd in coders) {
      if (!any(coded$transcript_id == u$transcript_id & coded$coder == cd)) next
      hit <- segs$transcript_id == u$transcript_id & segs$coder == cd & segs$code == code &
        segs$start < u$end & segs$end > u$start
      out[i, cd] <- as.numeric(any(hit))
    }
  }
  out
}

scenario <- function(name, unit, coders, exclude_uncoded = FALSE) {
  cd <- coded[coded$coder %in% coders, ]
  n_coders <- table(cd$transcript_id)
  double <- names(n_coders)[n_coders >= 2]
  cd <- cd[cd$transcript_id %in% double, ]
  segs <- segments[segments$transcript_id %in% double & segments$coder %in% coders, ]
  if (unit == "paragraph") {
    tx <- transcripts[transcripts$transcript_id %in% double, ]
    units <- do.call(rbind, Map(paragraph_units, tx$transcript_id, tx$text))
  } else {  # whole transcript: a unit spanning everything
    units <- data.frame(transcript_id = double, unit = 1L, start = 0L, end = .Machine$integer.max)
  }
  codes <- unique(segs$code)
  data <- lapply(codes, function(k) reliability_data(units, segs, cd, coders, k))
  names(data) <- codes
  if (exclude_uncoded) {
    any_code <- Reduce(`|`, lapply(data, function(x) rowSums(x == 1, na.rm = TRUE) > 0))
    data <- lapply(data, function(x) x[any_code, , drop = FALSE])
  }
  data[["(all codes)"]] <- do.call(rbind, data)
  rows <- lapply(names(data), function(k) {
    x <- data[[k]]
    ck <- if (length(coders) == 2) {
      complete <- x[complete.cases(x), ]
      cohen.kappa(complete)
    } else NULL
    data.frame(
      scenario = name, code = k,
      n_units = nrow(pairable(x)),
      percent_agreement = percent_agreement(x),
      fleiss_kappa = fleiss_kappa(x),
      krippendorff_alpha = krippendorff_alpha(x, "nominal"),
      cohen_kappa = if (is.null(ck)) NA else ck$kappa,
      cohen_ci_lower = if (is.null(ck)) NA else ck$confid[1, 1],
      cohen_ci_upper = if (is.null(ck)) NA else ck$confid[1, 3])
  })
  do.call(rbind, rows)
}

results <- rbind(
  scenario("paragraph_all", "paragraph", c("C1", "C2", "C3")),
  scenario("paragraph_all_excluded", "paragraph", c("C1", "C2", "C3"), exclude_uncoded = TRUE),
  scenario("paragraph_C1_C2", "paragraph", c("C1", "C2")),
  scenario("transcript_all", "transcript", c("C1", "C2", "C3")))
write.csv(results, file.path(here, "agreement_R.csv"), row.names = FALSE)
print(results, digits = 6)
cat("\n")
print(sessionInfo()$R.version$version.string)
cat("psych", format(packageVersion("psych")), "\n")
