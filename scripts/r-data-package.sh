# Sourced by the export scripts (export-movielens.sh, export-tabular.sh), which read R data that Debian ships:
#
#   source "$(dirname "$0")/r-data-package.sh"
#   r_data_package r-cran-mlbench      # sets r_package_root to the unpacked package's file tree
#   data="$(r_package_file '*/mlbench/data/Satellite.rda')"   # one file in it, or exit naming what is missing
#
# Installs r-base-core (Debian) when Rscript is missing; the data package itself is only downloaded and unpacked into
# a temporary folder (dpkg -x), never installed; the folder is removed when the calling script exits.

r_data_package() {
    local package="$1" sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    if ! command -v Rscript >/dev/null 2>&1; then
        if ! apt-cache show r-base-core >/dev/null 2>&1; then $sudo apt-get update; fi
        $sudo apt-get install -y --no-install-recommends r-base-core
    fi
    r_package_work="$(mktemp -d)"
    trap 'rm -rf "$r_package_work"' EXIT
    # As root, apt hands downloads to its unprivileged _apt user, who must be able to write the folder.
    if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$r_package_work"; fi
    (cd "$r_package_work" && apt-get download "$package")
    dpkg -x "$r_package_work/${package}"_*.deb "$r_package_work/root"
    r_package_root="$r_package_work/root"
}

r_package_file() {
    local found
    found="$(find "$r_package_root" -path "$1" -print -quit)"
    if [ -z "$found" ]; then
        echo "$(basename "$0"): no $1 inside the unpacked package" >&2
        exit 1
    fi
    echo "$found"
}
