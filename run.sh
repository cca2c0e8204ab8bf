#!/usr/bin/env bash
# Installs what is missing, builds MTL Studio (Release), creates the demo project from Debian's
# Fashion-MNIST package on first use, and opens the workbench on it. Without a display it runs
# the headless demo instead: the import and a short training run, then says where results are.
#   ./run.sh [extra mtlstudio arguments]
# Environment: MTL_BUILD_DIR (default build), MTL_DEMO_PROJECT (default demo/fashion-mnist.mtlproj)
set -euo pipefail
cd "$(dirname "$0")"
build_dir=${MTL_BUILD_DIR:-build}
demo=${MTL_DEMO_PROJECT:-demo/fashion-mnist.mtlproj}
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh
if [[ ! -f "$build_dir/build.ninja" ]]; then
  echo "run.sh: configuring (Release) in $build_dir" >&2
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$build_dir.configure.log" 2>&1 ||
    { cat "$build_dir.configure.log" >&2; exit 1; }
fi
echo "run.sh: building (a clean build takes a few minutes on 2 cores)" >&2
cmake --build "$build_dir" --target mtlstudio mtlstudio-cli -j "$jobs"

cli="$build_dir/app/cli/mtlstudio-cli"
gui="$build_dir/app/gui/mtlstudio"
mkdir -p "$(dirname "$demo")"
if ! "$cli" datasets "$demo" --json 2>/dev/null | tail -n 1 | grep -q '"name":"fashion-mnist"'; then
  echo "run.sh: creating the demo project $demo from /usr/share/datasets/fashion-mnist" >&2
  "$cli" import "$demo" --name fashion-mnist --format fashion-mnist
fi

if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  echo "run.sh: opening the workbench on $demo (Run ▸ Train or F5 trains the example)" >&2
  exec "$gui" "$demo" "$@"
fi

echo "run.sh: no display (DISPLAY and WAYLAND_DISPLAY are unset), so running the headless demo:" >&2
echo "run.sh: training example:fmnist-hps for 100 steps on CPU" >&2
"$cli" train "$demo" --config example:fmnist-hps --set train.max_steps_per_epoch=100
echo
"$cli" runs "$demo"
echo
echo "Results are in $(realpath "$demo") (runs, metrics and checkpoints; schema in docs/STORE.md)."
echo "List them again with: $cli runs $demo"
echo "Open them in the workbench on a machine with a display: $gui $demo"
