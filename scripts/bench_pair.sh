#!/usr/bin/env bash
# Two builds of mtlstudio-cli head to head: alternating 150-step runs of example:fmnist-hps,
# plain and --preloaded, each on a project its own build imported (a newer build may write a
# schema the older one refuses). Prints one line per run: pair, build, variant, images/s.
#   scripts/bench_pair.sh OLD_CLI OLD_PROJECT NEW_CLI NEW_PROJECT [PAIRS (default 5)]
# Make a project with: OLD_CLI import OLD_PROJECT --name fashion-mnist --format fashion-mnist
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n '2,6p' "$0" >&2; exit 2; }
old=$1 old_project=$2 new=$3 new_project=$4 pairs=${5:-5}
for ((i = 1; i <= pairs; ++i)); do
  for variant in plain --preloaded; do
    for build in old new; do
      if [[ $build == old ]]; then cli=$old project=$old_project; else cli=$new project=$new_project; fi
      extra=()
      [[ $variant == --preloaded ]] && extra=(--preloaded)
      ips=$("$cli" train "$project" --config example:fmnist-hps --set train.max_steps_per_epoch=150 \
              --set train.epochs=1 --json "${extra[@]}" 2>/dev/null | tail -n 1 |
            python3 -c 'import json, sys; print("%.0f" % json.load(sys.stdin)["images_per_s"])')
      printf '%s\t%s\t%s\t%s\n' "$i" "$build" "$variant" "$ips"
    done
  done
done
