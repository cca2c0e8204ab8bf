#!/usr/bin/env bash
# Step time of every loss-weighting method relative to `equal` on the same model (small_cnn,
# hard sharing, batch 128, 2 threads, Adam), at 3 tasks (example:fmnist-hard: category, group,
# looks) and at 10 tasks (category, group and 8 single-attribute tasks), in alternating rounds;
# medians of the training images per second. Gradient methods run in their default space
# (`auto`: the shared representation on this model); PCGrad, MGDA, GradNorm and CAGrad also in
# the exact parameter space. Run by `scripts/bench.sh --weighting`. See docs/BENCHMARKS.md.
#
#   scripts/bench_weighting.sh [--steps N] [--repeats N] [--tasks "3 10"] [--only REGEX]
#                              [--libmtl DIR] [--cli PATH] [--workdir DIR]
#
#   --steps N      training steps per run (default 40; batch 128)
#   --repeats N    rounds (default 2); the table shows medians
#   --tasks LIST   the task counts to measure (default "3 10")
#   --only REGEX   only the methods whose label matches (grep -E); `equal` always runs
#   --libmtl DIR   also LibMTL's EW, PCGrad, MGDA, GradNorm, CAGrad, SDMGrad and MoDo on the same
#                  network in the same rounds (scripts/bench_libmtl.py; DIR: a LibMTL checkout,
#                  default $MTL_LIBMTL; python3-torch and python3-scipy), and a second table
#   --cli PATH     mtlstudio-cli to measure (default: build/app/cli/mtlstudio-cli, or $MTL_CLI)
#   --workdir DIR  where the demo project is imported once (default: $TMPDIR/mtlstudio-bench)
# Exit status: 0 when every run completed, 1 when one failed, 2 on bad usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
steps=40
repeats=2
task_counts="3 10"
only=
cli=${MTL_CLI:-$root/build/app/cli/mtlstudio-cli}
workdir=${TMPDIR:-/tmp}/mtlstudio-bench
libmtl=${MTL_LIBMTL:-}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps=${2:?--steps needs a number}; shift 2 ;;
    --repeats) repeats=${2:?--repeats needs a number}; shift 2 ;;
    --tasks) task_counts=${2:?--tasks needs a list}; shift 2 ;;
    --only) only=${2:?--only needs a pattern}; shift 2 ;;
    --libmtl) libmtl=${2:?--libmtl needs a directory}; shift 2 ;;
    --cli) cli=${2:?--cli needs a path}; shift 2 ;;
    --workdir) workdir=${2:?--workdir needs a directory}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench_weighting.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$steps" =~ ^[1-9][0-9]*$ ]] || { echo "bench_weighting.sh: --steps must be a positive integer" >&2; exit 2; }
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "bench_weighting.sh: --repeats must be a positive integer" >&2; exit 2; }
for n in $task_counts; do
  [[ $n == 3 || $n == 10 ]] || { echo "bench_weighting.sh: --tasks takes 3 and/or 10" >&2; exit 2; }
done
if [[ -n "$libmtl" && ! -f "$libmtl/LibMTL/weighting/abstract_weighting.py" ]]; then
  echo "bench_weighting.sh: --libmtl $libmtl is not a LibMTL checkout (no LibMTL/weighting/)" >&2
  exit 2
fi
[[ -x "$cli" ]] || { echo "bench_weighting.sh: no mtlstudio-cli at $cli (build first, or pass --cli)" >&2; exit 1; }

mkdir -p "$workdir"
project=$workdir/fmnist.mtlproj
if ! "$cli" datasets "$project" --json 2>/dev/null | tail -n 1 | grep -q '"fashion-mnist"'; then
  rm -f "$project" "$project-wal" "$project-shm"
  echo "bench: importing Fashion-MNIST into $project" >&2
  "$cli" import "$project" --format fashion-mnist --name fashion-mnist >/dev/null
fi
# The 10-task experiment: example:fmnist-hard's model and training with 8 one-attribute tasks.
ten=$workdir/fmnist-10-tasks.json
{
  echo '{"name": "fmnist-10-tasks", "dataset": "fashion-mnist", "tasks": ['
  echo '  {"name": "category", "type": "classification", "label": "class"},'
  echo '  {"name": "group", "type": "classification", "label": "group"},'
  sep=
  for a in footwear upper_body lower_body full_body has_sleeves long_sleeves outerwear collar; do
    printf '%s  {"name": "%s", "type": "attributes", "labels": ["%s"]}' "$sep" "$a" "$a"
    sep=$',\n'
  done
  echo '],'
  echo ' "model": {"backbone": "small_cnn", "sharing": "hard"}, "weighting": {"method": "equal"},'
  echo ' "optimizer": {"name": "adam", "lr": 0.001},'
  echo ' "train": {"epochs": 1, "batch_size": 128, "seed": 0, "threads": 2, "device": "auto"}}'
} >"$ten"

methods=(static uncertainty dwa rlw gls famo stch gradnorm pcgrad mgda cagrad imtl graddrop
         gradvac aligned_mtl nash_mtl upgrad dualproj config fairgrad db_mtl moco excess_mtl
         sdmgrad modo auto_lambda moml forum)
exact=(gradnorm pcgrad mgda cagrad)
rows=("equal|") # label|overrides (';'-separated KEY=VALUE)
for m in "${methods[@]}"; do rows+=("$m|weighting.method=$m"); done
for m in "${exact[@]}"; do
  rows+=("$m (parameters)|weighting.method=$m;weighting.options.gradients=\"parameters\"")
done
if [[ -n "$only" ]]; then
  selected=("equal|")
  for r in "${rows[@]:1}"; do grep -qE -- "$only" <<<"${r%%|*}" && selected+=("$r"); done
  [[ ${#selected[@]} -gt 1 ]] || { echo "bench_weighting.sh: --only '$only' matches no method" >&2; exit 2; }
  rows=("${selected[@]}")
fi

declare -A samples libmtl_samples
# LibMTL's class for each method, and our row it is compared with (LibMTL's default is the
# parameter space, rep_grad False).
libmtl_methods=(EW PCGrad MGDA GradNorm CAGrad SDMGrad MoDo)
declare -A ours_of=([EW]="equal" [PCGrad]="pcgrad (parameters)" [MGDA]="mgda (parameters)"
                    [GradNorm]="gradnorm (parameters)" [CAGrad]="cagrad (parameters)"
                    [SDMGrad]="sdmgrad" [MoDo]="modo")
failed=0
scratch=$workdir/weighting.mtlproj
for ((round = 1; round <= repeats; round++)); do
  for n in $task_counts; do
    config=example:fmnist-hard
    [[ $n == 10 ]] && config=$ten
    for r in "${rows[@]}"; do
      IFS='|' read -r label overrides <<<"$r"
      cp "$project" "$scratch"
      rm -f "$scratch-wal" "$scratch-shm"
      args=(train "$scratch" --config "$config" --json --set "train.max_steps_per_epoch=$steps"
            --set train.val_fraction=0.01)
      if [[ -n "$overrides" ]]; then
        IFS=';' read -ra sets <<<"$overrides"
        for kv in "${sets[@]}"; do args+=(--set "$kv"); done
      fi
      if out=$("$cli" "${args[@]}" 2>"$workdir/weighting.err" | tail -n 1) &&
         ips=$(printf '%s' "$out" | sed -n 's/.*"images_per_s":\([0-9.]*\).*/\1/p') &&
         [[ -n "$ips" ]]; then
        samples["$n|$label"]+="$ips "
        printf 'round %d  %2d tasks  %-24s %8.0f images/s\n' "$round" "$n" "$label" "$ips" >&2
      else
        echo "bench: $n tasks, $label failed:" >&2
        tail -n 3 "$workdir/weighting.err" >&2
        failed=1
      fi
    done
    if [[ -n "$libmtl" ]]; then
      # LibMTL in the same round: one process per round and task count, every method in it.
      if out=$(/usr/bin/python3 "$here/bench_libmtl.py" --libmtl "$libmtl" --tasks "$n" \
                 --steps "$steps" --methods "${libmtl_methods[*]}" 2>"$workdir/libmtl.err"); then
        while read -r line; do
          m=$(printf '%s' "$line" | sed -n 's/.*"method": "\([A-Za-z_]*\)".*/\1/p')
          ms=$(printf '%s' "$line" | sed -n 's/.*"ms_per_step": \([0-9.]*\).*/\1/p')
          [[ -n "$m" && -n "$ms" ]] || continue
          libmtl_samples["$n|$m"]+="$ms "
          printf 'round %d  %2d tasks  LibMTL %-17s %8.1f ms/step\n' "$round" "$n" "$m" "$ms" >&2
        done <<<"$out"
      else
        echo "bench: LibMTL at $n tasks failed:" >&2
        tail -n 3 "$workdir/libmtl.err" >&2
        failed=1
      fi
    fi
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
header="| Method |"
rule="|---|"
for n in $task_counts; do header+=" $n tasks: images/s | step time vs equal |"; rule+="---|---|"; done
echo "$header"
echo "$rule"
for r in "${rows[@]}"; do
  label=${r%%|*}
  line="| $label |"
  for n in $task_counts; do
    m=$(printf '%s' "${samples[$n|$label]:-}" | median)
    b=$(printf '%s' "${samples[$n|equal]:-}" | median)
    line+=$(awk -v m="$m" -v b="$b" 'BEGIN { if (m > 0) printf " %.0f | %.2f× |", m, b / m; else printf " — | — |" }')
  done
  echo "$line"
done
echo "($steps steps per run, median of $repeats rounds; small_cnn hard, batch 128, 2 threads)"
if [[ -n "$libmtl" ]]; then
  echo
  header="| LibMTL method |"
  rule="|---|"
  for n in $task_counts; do
    header+=" $n tasks: ms/step | × its EW | ours × equal |"
    rule+="---|---|---|"
  done
  echo "$header"
  echo "$rule"
  for m in "${libmtl_methods[@]}"; do
    line="| $m |"
    for n in $task_counts; do
      t=$(printf '%s' "${libmtl_samples[$n|$m]:-}" | median)
      e=$(printf '%s' "${libmtl_samples[$n|EW]:-}" | median)
      o=$(printf '%s' "${samples[$n|${ours_of[$m]}]:-}" | median)
      b=$(printf '%s' "${samples[$n|equal]:-}" | median)
      line+=$(awk -v t="$t" -v e="$e" -v o="$o" -v b="$b" 'BEGIN {
        if (t > 0) printf " %.1f | %.2f× |", t, t / e; else printf " — | — |"
        if (o > 0) printf " %.2f× |", b / o; else printf " — |" }')
    done
    echo "$line"
  done
  echo "(LibMTL: scripts/bench_libmtl.py on preloaded batches, its default parameter space;"
  echo " ours × equal: the matching row above, parameters space for PCGrad, MGDA, GradNorm, CAGrad)"
fi
exit $failed
