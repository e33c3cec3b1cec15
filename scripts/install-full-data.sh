#!/usr/bin/env bash
# Installs the full Fashion-MNIST set (Debian package dataset-fashion-mnist) into /usr/share/datasets/fashion-mnist,
# where `--data full` / FashionMnistSample.Resolve("full") looks for it. Safe to run again: does nothing when present.
set -euo pipefail

dir=/usr/share/datasets/fashion-mnist
if dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null | grep -q "install ok installed" \
    && [ -f "$dir/train-images-idx3-ubyte.gz" ]; then
    echo "dataset-fashion-mnist is already installed in $dir"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update
$sudo apt-get install -y dataset-fashion-mnist
echo "Installed Fashion-MNIST in $dir"
