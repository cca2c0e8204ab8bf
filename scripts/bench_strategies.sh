#!/usr/bin/env bash
# Step time of every sharing strategy relative to `hard` on the same backbone (small_cnn,
# stitch_cnn, resnet18 at width 16, alexnet at width 16): the three-task
# examples (category, group, looks) trained for N steps each, in alternating rounds, medians
# of the training images per second; with --dense also segnet's strategies on the fashion
# scenes (semantic, depth, normals). See docs/BENCHMARKS.md.
#
#   scripts/bench_strategies.sh [--steps N] [--repeats N] [--cli PATH] [--workdir DIR]
#                               [--reference-blas] [--dense] [--dense-steps N] [--only REGEX]
#
#   --steps N          training steps per run (default 60; batch 128)
#   --dense            add segnet × hard, mtan, consistency on 64×64 fashion scenes (imported
#                      once: 2,000 training scenes)
#   --dense-steps N    training steps per dense run (default 20; batch 32)
#   --only REGEX       run only the rows whose label matches (grep -E), e.g. --only segnet;
#                      a row's baseline runs with it
#   --repeats N        rounds (default 3)
#   --cli PATH         mtlstudio-cli to measure (default: build/app/cli/mtlstudio-cli, or $MTL_CLI)
#   --workdir DIR      where the demo project is imported once (default: $TMPDIR/mtlstudio-bench)
#   --reference-blas   load Debian's reference libblas3 instead of the libblas.so.3 alternative
#                      (to measure what OpenBLAS brings)
# Exit status: 0 when every run completed, 1 when one failed, 2 on bad usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
steps=60
repeats=3
cli=${MTL_CLI:-$root/build/app/cli/mtlstudio-cli}
workdir=${TMPDIR:-/tmp}/mtlstudio-bench
reference_blas=0
dense=0
dense_steps=20
only=

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps=${2:?--steps needs a number}; shift 2 ;;
    --repeats) repeats=${2:?--repeats needs a number}; shift 2 ;;
    --cli) cli=${2:?--cli needs a path}; shift 2 ;;
    --workdir) workdir=${2:?--workdir needs a directory}; shift 2 ;;
    --reference-blas) reference_blas=1; shift ;;
    --dense) dense=1; shift ;;
    --dense-steps) dense_steps=${2:?--dense-steps needs a number}; shift 2 ;;
    --only) only=${2:?--only needs a pattern}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench_strategies.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$steps" =~ ^[1-9][0-9]*$ ]] || { echo "bench_strategies.sh: --steps must be a positive integer" >&2; exit 2; }
[[ "$dense_steps" =~ ^[1-9][0-9]*$ ]] || { echo "bench_strategies.sh: --dense-steps must be a positive integer" >&2; exit 2; }
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "bench_strategies.sh: --repeats must be a positive integer" >&2; exit 2; }
[[ -x "$cli" ]] || { echo "bench_strategies.sh: no mtlstudio-cli at $cli (build first, or pass --cli)" >&2; exit 1; }
if [[ $reference_blas -eq 1 ]]; then
  export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi

mkdir -p "$workdir"
project=$workdir/fmnist.mtlproj
if ! "$cli" datasets "$project" --json 2>/dev/null | tail -n 1 | grep -q '"fashion-mnist"'; then
  rm -f "$project" "$project-wal" "$project-shm"
  echo "bench: importing Fashion-MNIST into $project" >&2
  "$cli" import "$project" --format fashion-mnist --name fashion-mnist >/dev/null
fi
scenes=$workdir/scenes.mtlproj
if [[ $dense -eq 1 ]] &&
   ! "$cli" datasets "$scenes" --json 2>/dev/null | tail -n 1 | grep -q '"fashion-scenes"'; then
  rm -f "$scenes" "$scenes-wal" "$scenes-shm"
  echo "bench: importing 2,000 fashion scenes into $scenes" >&2
  "$cli" import "$scenes" --format fashion-scenes --name fashion-scenes --count 2000 >/dev/null
fi

# label | baseline label | example | overrides (KEY=VALUE, several separated by ';')
r18='model.backbone=resnet18;model.backbone_options={"width": 16}'
variants=(
  "small_cnn hard|small_cnn hard|fmnist-hard|"
  "small_cnn hard split_at 2|small_cnn hard|fmnist-split|"
  "small_cnn independent|small_cnn hard|fmnist-independent|"
  "small_cnn cross_stitch|small_cnn hard|fmnist-cross-stitch|model.backbone=small_cnn"
  "small_cnn mtan|small_cnn hard|fmnist-mtan|"
  "stitch_cnn hard|stitch_cnn hard|fmnist-hard|model.backbone=stitch_cnn"
  "stitch_cnn independent|stitch_cnn hard|fmnist-independent|model.backbone=stitch_cnn"
  "stitch_cnn cross_stitch|stitch_cnn hard|fmnist-cross-stitch|"
  "small_cnn mmoe|small_cnn hard|fmnist-mmoe|"
  "small_cnn cgc|small_cnn hard|fmnist-cgc|"
  "small_cnn ple|small_cnn hard|fmnist-ple|"
  "small_cnn dselect_k|small_cnn hard|fmnist-dselect-k|"
  "resnet18/16 hard|resnet18/16 hard|fmnist-resnet18|"
  "resnet18/16 independent|resnet18/16 hard|fmnist-independent|$r18"
  "resnet18/16 mtan|resnet18/16 hard|fmnist-mtan|$r18"
  "resnet18/16 mmoe|resnet18/16 hard|fmnist-mmoe|$r18"
  "alexnet/16 hard|alexnet/16 hard|fmnist-alexnet|"
  "small_cnn hard contiguous|small_cnn hard|fmnist-hard|train.memory_format=contiguous"
  "resnet18/16 hard contiguous|resnet18/16 hard|fmnist-resnet18|train.memory_format=contiguous"
)
if [[ $dense -eq 1 ]]; then
  variants+=(
    "segnet hard|segnet hard|fscenes-segnet-hard|"
    "segnet hard split_at 4|segnet hard|fscenes-segnet-hard|model.sharing_options.split_at=4"
    "segnet mtan|segnet hard|fscenes-segnet-mtan|"
    "segnet consistency, 2 pairs|segnet hard|fscenes-segnet-consistency|"
    "segnet consistency, 6 pairs|segnet hard|fscenes-segnet-consistency|model.sharing_options.pairs=[]"
    "segnet hard contiguous|segnet hard|fscenes-segnet-hard|train.memory_format=contiguous"
  )
fi
if [[ -n "$only" ]]; then # the matching rows and their baselines, in table order
  declare -A keep
  for v in "${variants[@]}"; do
    IFS='|' read -r label base _ _ <<<"$v"
    if grep -qE -- "$only" <<<"$label"; then keep[$label]=1; keep[$base]=1; fi
  done
  selected=()
  for v in "${variants[@]}"; do
    IFS='|' read -r label _ _ _ <<<"$v"
    [[ -n "${keep[$label]:-}" ]] && selected+=("$v")
  done
  [[ ${#selected[@]} -gt 0 ]] || { echo "bench_strategies.sh: --only '$only' matches no row" >&2; exit 2; }
  variants=("${selected[@]}")
fi
declare -A samples
failed=0
for ((round = 1; round <= repeats; round++)); do
  for v in "${variants[@]}"; do
    IFS='|' read -r label _ example overrides <<<"$v"
    scratch=$workdir/strategies.mtlproj
    source=$project n=$steps
    [[ $example == fscenes-* ]] && source=$scenes n=$dense_steps
    cp "$source" "$scratch"
    rm -f "$scratch-wal" "$scratch-shm"
    args=(train "$scratch" --config "example:$example" --json
          --set "train.max_steps_per_epoch=$n" --set train.val_fraction=0.01)
    if [[ -n "$overrides" ]]; then
      IFS=';' read -ra sets <<<"$overrides"
      for kv in "${sets[@]}"; do args+=(--set "$kv"); done
    fi
    if out=$("$cli" "${args[@]}" 2>/dev/null | tail -n 1); then
      ips=$(printf '%s' "$out" | sed -n 's/.*"images_per_s":\([0-9.]*\).*/\1/p')
      samples[$label]+="$ips "
      printf 'round %d  %-28s %8.0f images/s\n' "$round" "$label" "$ips" >&2
    else
      echo "bench: $label failed" >&2
      failed=1
    fi
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
blas=$(ldd "$cli" | awk '/libblas.so.3/ { print $3 }')
[[ $reference_blas -eq 1 ]] && blas=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3
echo "| Backbone × strategy | images/s (median of $repeats runs) | step time vs hard |"
echo "|---|---|---|"
for v in "${variants[@]}"; do
  IFS='|' read -r label base _ _ <<<"$v"
  m=$(printf '%s' "${samples[$label]:-}" | median)
  b=$(printf '%s' "${samples[$base]:-}" | median)
  ratio=$(awk -v m="$m" -v b="$b" 'BEGIN { if (m > 0) printf "%.2f×", b / m; else print "—" }')
  printf '| %s | %.0f | %s |\n' "$label" "$m" "$ratio"
done
echo "($steps steps per Fashion-MNIST run, $dense_steps per scene run; libblas.so.3: $(readlink -f "$blas"))"
exit $failed
