#!/usr/bin/env bash
# Installs what is missing, builds everything (Release, with tests) and runs the whole CTest
# suite; GUI tests run on the offscreen platform, so no display is needed.
#   ./test.sh [extra ctest arguments, e.g. -R tst_idx or -L gui]
# Environment: MTL_TEST_BUILD_DIR (default build)
set -euo pipefail
cd "$(dirname "$0")"
build_dir=${MTL_TEST_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMTL_BUILD_GUI=ON \
  -DMTL_BUILD_TESTS=ON >"$build_dir.configure.log" 2>&1 ||
  { cat "$build_dir.configure.log" >&2; exit 1; }
cmake --build "$build_dir" -j "$jobs"
export QT_QPA_PLATFORM=offscreen
cd "$build_dir"
ctest --output-on-failure -j "$jobs" "$@"
