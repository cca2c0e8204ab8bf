#!/usr/bin/env bash
# The decoding pipeline against a plain torch DataLoader, side by side in one run
# (docs/BENCHMARKS.md "The decoding pipeline").
#   scripts/bench_pipeline.sh [--count N] [--repeats R] [--workers W] [--workdir DIR]
#   --count N    Fashion-MNIST images per format, 64×64 RGB (default 10000)
#   --repeats R  rounds; the table shows medians (default 3)
#   --workers W  decoding workers on both sides (default 2)
#   --workdir D  where the images and the project are made once (default $TMPDIR/mtl-bench-pipeline)
# Per format (png, jpeg), each round runs, alternating:
#   ours          mtl_bench_pipeline: one epoch, cache off (every image decoded)
#   ours-cached   the same over 3 epochs with the decoded cache on (epochs 2–3 from memory)
#   python        bench_pipeline.py run: DataLoader(num_workers=W) over the bytes in memory
#   python-files  the same opening each file (torchvision's ImageFolder route)
# All apply random crop 56, horizontal flip, brightness and contrast 0.2, normalisation.
#
#   scripts/bench_pipeline.sh --train [--repeats R] [--steps N] [--workdir DIR]
# Instead: training images/s (mtlstudio-cli train --json, small_cnn, one classification task,
# batch 128, N steps, default 150) on Fashion-MNIST from the in-memory IDX source against the
# same 20,000 images as a folder of 28×28 PNG files read through the pipeline:
#   idx        --format fashion-mnist, input.source "memory"
#   png        the PNG folder, input.source "pipeline" (decoded by workers every epoch)
#   png-flip   the same with input.hflip (an augmentation that keeps the input size)
# Needs scripts/install-deps.sh --bench (python3-torch, python3-torchvision, python3-pil).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
count=10000
repeats=3
workers=2
workdir=${TMPDIR:-/tmp}/mtl-bench-pipeline
train=0
steps=150
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) count=${2:?}; shift 2 ;;
    --repeats) repeats=${2:?}; shift 2 ;;
    --workers) workers=${2:?}; shift 2 ;;
    --workdir) workdir=${2:?}; shift 2 ;;
    --train) train=1; shift ;;
    --steps) steps=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_pipeline.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
cli=${MTL_CLI:-$root/build/app/cli/mtlstudio-cli}
bench=${MTL_BENCH_PIPELINE:-$root/build/tests/bench/mtl_bench_pipeline}
py=/usr/bin/python3
input='{"crop": "random", "crop_size": [56, 56], "hflip": true, "brightness": 0.2,
        "contrast": 0.2, "normalize": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}}'
mkdir -p "$workdir"
field() { "$py" -c "import json,sys; print(round(json.loads(sys.stdin.read().splitlines()[-1])['$1']))"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
if [[ $train == 1 ]]; then
  [[ -d $workdir/grey28 ]] ||
    "$py" "$here/bench_pipeline.py" make --out "$workdir/grey28" --format png --count 20000 --size 28 --grey
  tproject=$workdir/train.mtlproj
  if [[ ! -f $tproject ]]; then
    "$cli" import "$tproject.tmp" --name fmnist --format fashion-mnist >&2
    "$cli" import "$tproject.tmp" --name pngs --format folders --root "$workdir/grey28" >&2
    mv "$tproject.tmp" "$tproject"
  fi
  config=$workdir/train.json
  cat >"$config" <<JSON
{"name": "pipeline-bench", "dataset": "fmnist",
 "tasks": [{"name": "kind", "type": "classification", "label": "class"}],
 "model": {"backbone": "small_cnn", "sharing": "hard"},
 "train": {"epochs": 1, "batch_size": 128, "max_steps_per_epoch": $steps, "val_fraction": 0,
           "seed": 0, "probe_samples": 0}, "probes": []}
JSON
  declare -A speeds
  for ((r = 1; r <= repeats; r++)); do
    for variant in idx png png-flip; do
      case $variant in
        idx) set=(--set dataset=fmnist --set input.source=memory) ;;
        png) set=(--set dataset=pngs --set input.source=pipeline) ;;
        png-flip) set=(--set dataset=pngs --set input.source=pipeline --set input.hflip=true) ;;
      esac
      rm -f "$workdir/run.mtlproj"*; cp "$tproject" "$workdir/run.mtlproj"
      speeds[$variant]+=" $("$cli" train "$workdir/run.mtlproj" --config "$config" "${set[@]}" --json 2>/dev/null | field images_per_s)"
    done
  done
  base=$(echo "${speeds[idx]}" | median)
  printf '%-9s %10s   %s\n' variant 'images/s' runs
  for variant in idx png png-flip; do
    m=$(echo "${speeds[$variant]}" | median)
    printf '%-9s %10s   %s  (%.0f%% of idx)\n' "$variant" "$m" "${speeds[$variant]# }" "$("$py" -c "print(100 * $m / $base)")"
  done
  exit 0
fi
project=$workdir/bench-$count.mtlproj
for format in png jpeg; do
  dir=$workdir/$format-$count
  if [[ ! -d $dir ]]; then
    echo "making $count $format images in $dir" >&2
    "$py" "$here/bench_pipeline.py" make --out "$dir.tmp" --format "$format" --count "$count"
    mv "$dir.tmp" "$dir"
  fi
done
if [[ ! -f $project ]]; then
  for format in png jpeg; do
    "$cli" import "$project.tmp" --name "$format" --format folders --root "$workdir/$format-$count" >&2
  done
  mv "$project.tmp" "$project"
fi
declare -A results
for ((r = 1; r <= repeats; r++)); do
  for format in png jpeg; do
    results[ours:$format]+=" $("$bench" "$project" "$format" "$input" --workers "$workers" --cache-mb 0 | field images_per_s)"
    results[ours-cached:$format]+=" $("$bench" "$project" "$format" "$input" --workers "$workers" --epochs 3 | field images_per_s)"
    results[python:$format]+=" $("$py" "$here/bench_pipeline.py" run --root "$workdir/$format-$count" --workers "$workers" | field images_per_s)"
    results[python-files:$format]+=" $("$py" "$here/bench_pipeline.py" run --root "$workdir/$format-$count" --workers "$workers" --from-files | field images_per_s)"
  done
done
printf '%-14s %-6s %10s   %s\n' variant format 'images/s' 'runs'
for format in png jpeg; do
  base=$(echo "${results[python:$format]}" | median)
  for variant in ours ours-cached python python-files; do
    m=$(echo "${results[$variant:$format]}" | median)
    printf '%-14s %-6s %10s   %s  (%.2f× python)\n' "$variant" "$format" "$m" "${results[$variant:$format]# }" \
      "$("$py" -c "print($m / $base)")"
  done
done
