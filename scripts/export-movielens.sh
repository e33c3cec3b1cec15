#!/usr/bin/env bash
# Exports dslabs' `movielens` data frame (MovieLens "latest-small", 100,004 ratings by 671 users of 9,066 movies) to
# the recommender CSV schema: movieId,title,year,genres,userId,rating,timestamp (title quoted RFC-4180 when needed,
# year `NA` when unknown, genres pipe-separated, timestamp in Unix seconds). dslabs has no title for 5 movies (TV
# series whose title its parser dropped); their title is written as an empty field.
#
#   bash scripts/export-movielens.sh [OUT.csv]        # default data/movielens/movielens.csv
#
# Installs r-base-core (Debian) when Rscript is missing; the data package r-cran-dslabs is only downloaded and
# unpacked into a temporary folder (dpkg -x), never installed, and its lazy-load database data/Rdata is read directly.
# MovieLens may not be redistributed: the CSV is git-ignored and must never be committed.
set -euo pipefail

out="${1:-data/movielens/movielens.csv}"

source "$(dirname "$0")/r-data-package.sh"
r_data_package r-cran-dslabs
rdb="$(r_package_file '*/dslabs/data/Rdata.rdb')"

mkdir -p "$(dirname "$out")"
tmp_out="$(dirname "$out")/.$(basename "$out").$$.tmp"
Rscript --vanilla -e '
args <- commandArgs(trailingOnly = TRUE)
env <- new.env()
invisible(lazyLoad(args[1], envir = env))
m <- get("movielens", envir = env)
csv_field <- function(x) {
  x <- enc2utf8(as.character(x))
  needs <- grepl("[\",\r\n]", x, useBytes = TRUE)
  x[needs] <- paste0("\"", gsub("\"", "\"\"", x[needs], fixed = TRUE), "\"")
  x
}
year <- ifelse(is.na(m$year), "NA", sprintf("%d", as.integer(m$year)))
title <- ifelse(is.na(m$title), "", m$title)
lines <- paste(sprintf("%d", as.integer(m$movieId)), csv_field(title), year, csv_field(m$genres),
               sprintf("%d", as.integer(m$userId)), as.character(m$rating), sprintf("%.0f", as.numeric(m$timestamp)),
               sep = ",")
con <- file(args[2], open = "wb")
writeLines(c("movieId,title,year,genres,userId,rating,timestamp", lines), con, useBytes = TRUE)
close(con)
cat(sprintf("%d ratings, %d users, %d movies\n", nrow(m), length(unique(m$userId)), length(unique(m$movieId))))
' "${rdb%.rdb}" "$tmp_out"
mv -f "$tmp_out" "$out"
echo "Wrote $out"
