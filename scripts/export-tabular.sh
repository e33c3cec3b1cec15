#!/usr/bin/env bash
# Exports two public tables from Debian's r-cran-mlbench as TinyKd CSV files, each with a fixed train/test split:
#
#   Satellite            Landsat multi-spectral scanner values (Statlog): 6,435 rows, 36 integer features x.1 … x.36,
#                        label column `classes`, 6 land-cover classes ("red soil", "cotton crop", …)
#   PimaIndiansDiabetes  768 women of Pima heritage: 8 numeric features, label column `diabetes` (neg / pos)
#
#   bash scripts/export-tabular.sh [OUTDIR]      # default data/tabular → OUTDIR/satellite/{train,test}.csv,
#                                                #                       OUTDIR/pima/{train,test}.csv
#
# The split is stratified and seeded in R: set.seed(15), then for each class in C-locale name order
# sample(rows of that class, round(0.2 · count)) go to test, the rest to train; both files keep the data frame's row
# order. R ≥ 3.6 draws the same rows on every machine (Mersenne-Twister, sample.kind "Rejection"), so the files are
# the same wherever the script runs. Numbers are written with 15 significant digits.
#
# Installs r-base-core (Debian) when Rscript is missing; the data package r-cran-mlbench is only downloaded and
# unpacked into a temporary folder (dpkg -x), never installed, and its data files (data/NAME.rda) are loaded directly.
# The CSV files are git-ignored (data/ is not committed): export them again rather than adding them.
set -euo pipefail

out="${1:-data/tabular}"

source "$(dirname "$0")/r-data-package.sh"
r_data_package r-cran-mlbench
data="$(r_package_file '*/mlbench/data/Satellite.rda')"

mkdir -p "$out/satellite" "$out/pima"
Rscript --vanilla -e '
args <- commandArgs(trailingOnly = TRUE)
data <- args[1]
out <- args[2]
write_table <- function(d, path) {
  tmp <- paste0(path, ".tmp")
  write.csv(d, tmp, row.names = FALSE, quote = TRUE)
  file.rename(tmp, path)
}
export <- function(name, folder, label) {
  env <- new.env()
  load(file.path(data, paste0(name, ".rda")), envir = env)
  d <- get(name, envir = env)
  d <- d[, c(setdiff(names(d), label), label)]
  for (column in setdiff(names(d), label)) d[[column]] <- signif(as.numeric(d[[column]]), 15)
  d[[label]] <- as.character(d[[label]])
  if (anyNA(d)) stop(sprintf("%s has missing values", name))
  set.seed(15)
  test <- integer(0)
  for (level in sort(unique(d[[label]]), method = "radix")) {
    rows <- which(d[[label]] == level)
    test <- c(test, rows[sample.int(length(rows), round(0.2 * length(rows)))])
  }
  test <- sort(test)
  write_table(d[-test, ], file.path(out, folder, "train.csv"))
  write_table(d[test, ], file.path(out, folder, "test.csv"))
  cat(sprintf("%s: %d rows, %d features, %d classes -> %s/%s/train.csv (%d rows), test.csv (%d rows)\n", name, nrow(d),
              ncol(d) - 1, length(unique(d[[label]])), out, folder, nrow(d) - length(test), length(test)))
}
export("Satellite", "satellite", "classes")
export("PimaIndiansDiabetes", "pima", "diabetes")
' "$(dirname "$data")" "$out"
