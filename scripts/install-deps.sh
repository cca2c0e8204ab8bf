#!/usr/bin/env bash
# Installs the Debian packages MTL Studio needs to build, test and run. Idempotent: packages that
# are already installed are skipped, and nothing runs apt when all are present.
#   scripts/install-deps.sh          build + test + run dependencies
#   scripts/install-deps.sh --bench  also the Python reference used by scripts/bench.sh, and the
#                                    jemalloc and perf used for docs/BENCHMARKS.md
#   scripts/install-deps.sh --tools  also screenshot/PDF tools used when looking at the GUI, and
#                                    the validators of docs/PACKAGING.md
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libqt6svg6
  libqt6sql6-sqlite libgl-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libopencv-dev
  libtorch-dev libgloo-dev
  libopenblas0-openmp  # libblas.so.3 for LibTorch: the reference libblas3 is 8× slower on FC layers
  libsqlite3-dev sqlite3
  nlohmann-json3-dev libcli11-dev zlib1g-dev
  xvfb xauth
  fonts-dejavu-core fonts-wqy-microhei
  dataset-fashion-mnist
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(python3 python3-torch python3-torchvision python3-pil python3-numpy python3-scipy hyperfine libjemalloc2 linux-perf) ;;
    --tools) packages+=(imagemagick x11-apps x11-utils poppler-utils
                        desktop-file-utils appstream libxml2-utils librsvg2-bin xdotool) ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
