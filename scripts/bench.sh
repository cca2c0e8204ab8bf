#!/usr/bin/env bash
# Training-speed benchmark: our trainer and a plain PyTorch script (scripts/bench_pytorch.py)
# side by side in one invocation, alternating, with a warm-up. See docs/BENCHMARKS.md.
#
#   scripts/bench.sh [--steps N] [--repeats N] [--quick] [--wait-quiet S] [--cli PATH]
#                    [--workdir DIR] [--models]
#   scripts/bench.sh --weighting [OPTIONS of scripts/bench_weighting.sh]
#
#   --steps N     training steps per run (default 150; batch 128, so 19,200 images)
#   --repeats N   rounds of the five variants (default 3); the table shows medians
#   --quick       --steps 40 --repeats 1 (a smoke test of the script, not a measurement)
#   --cli PATH    mtlstudio-cli to measure (default: build/app/cli/mtlstudio-cli, or $MTL_CLI)
#   --workdir DIR where the demo project is imported once (default: $TMPDIR/mtlstudio-bench)
#   --wait-quiet S before each run, wait up to S seconds for the CPUs to be >= 90% idle (for
#                 shared machines; default 0: do not wait, just report how idle they were)
#   --models      instead: small_cnn, resnet18 and segnet with hard sharing and 3 tasks
#                 (examples fmnist-hard, fmnist-resnet18, fscenes-segnet-hard; segnet on 2,000
#                 imported fashion scenes, --steps steps of 32), each against
#                 scripts/bench_models.py's usual and best Python routes (see below)
#   --weighting   instead: every loss-weighting method's step time relative to equal, at 3 and
#                 10 tasks (scripts/bench_weighting.sh; its --help for the options)
#
# Variants, all with example:fmnist-hps (batch 128, 2 threads, Adam, equal weighting):
#   ours            mtlstudio-cli train                      (our malloc tuning on)
#   ours-preloaded  mtlstudio-cli train --preloaded          (batches prepared up front)
#   ours-glibc      MTL_DEFAULT_MALLOC=1 mtlstudio-cli train (glibc malloc defaults)
#   python          /usr/bin/python3 scripts/bench_pytorch.py (DataLoader, num_workers=0)
#   python-tuned    the same with MALLOC_MMAP_THRESHOLD_/TRIM_THRESHOLD_/TOP_PAD_ set
# With --models, per model M:
#   ours:M            mtlstudio-cli train with M's example
#   ours-preloaded:M  the same with --preloaded
#   python:M          bench_models.py --route usual (per-item Dataset + DataLoader, glibc malloc)
#   python-best:M     bench_models.py --route best (preloaded tensors) with the tuned malloc
#   python-best-cl:M  the same with --channels-last
# Exit status: 0 when every run completed, 1 when one failed, 2 on bad usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
steps=150
repeats=3
cli=${MTL_CLI:-$root/build/app/cli/mtlstudio-cli}
workdir=${TMPDIR:-/tmp}/mtlstudio-bench
python=/usr/bin/python3
warmup_steps=20
wait_quiet=0
models=0

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
if [[ "${1:-}" == --weighting ]]; then
  shift
  exec "$here/bench_weighting.sh" "$@"
fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps=${2:?--steps needs a number}; shift 2 ;;
    --repeats) repeats=${2:?--repeats needs a number}; shift 2 ;;
    --quick) steps=40; repeats=1; warmup_steps=10; shift ;;
    --cli) cli=${2:?--cli needs a path}; shift 2 ;;
    --workdir) workdir=${2:?--workdir needs a directory}; shift 2 ;;
    --wait-quiet) wait_quiet=${2:?--wait-quiet needs seconds}; shift 2 ;;
    --models) models=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$steps" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --steps must be a positive integer" >&2; exit 2; }
[[ "$wait_quiet" =~ ^[0-9]+$ ]] || { echo "bench.sh: --wait-quiet must be a number of seconds" >&2; exit 2; }
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --repeats must be a positive integer" >&2; exit 2; }
[[ -x "$cli" ]] || { echo "bench.sh: no mtlstudio-cli at $cli (build first, or pass --cli)" >&2; exit 1; }
[[ -x "$python" ]] || { echo "bench.sh: $python not found (scripts/install-deps.sh --bench)" >&2; exit 1; }
"$python" -c 'import torch, numpy' 2>/dev/null ||
  { echo "bench.sh: $python cannot import torch and numpy (scripts/install-deps.sh --bench)" >&2; exit 1; }

mkdir -p "$workdir"
project=$workdir/fmnist.mtlproj
if ! "$cli" datasets "$project" --json 2>/dev/null | tail -n 1 | grep -q '"fashion-mnist"'; then
  rm -f "$project" "$project-wal" "$project-shm"
  echo "bench: importing Fashion-MNIST into $project" >&2
  "$cli" import "$project" --name fashion-mnist --format fashion-mnist >/dev/null
fi

# The malloc settings of ../shared/STACK-NOTES.md, for the Python process.
py_malloc=(MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=8589934592
           MALLOC_TOP_PAD_=268435456)
scenes=$workdir/scenes.mtlproj
if [[ $models -eq 1 ]] &&
   ! "$cli" datasets "$scenes" --json 2>/dev/null | tail -n 1 | grep -q '"fashion-scenes"'; then
  rm -f "$scenes" "$scenes-wal" "$scenes-shm"
  echo "bench: importing 2,000 fashion scenes into $scenes" >&2
  "$cli" import "$scenes" --format fashion-scenes --name fashion-scenes --count 2000 >/dev/null
fi
variants=(ours ours-preloaded ours-glibc python python-tuned)
model_names=(small_cnn resnet18 segnet)
if [[ $models -eq 1 ]]; then
  variants=()
  for m in "${model_names[@]}"; do
    for v in ours ours-preloaded python python-best python-best-cl; do variants+=("$v:$m"); done
  done
fi
model_command() { # variant:model steps → the command line, one word per line
  local v=${1%%:*} m=${1#*:} s=$2 example=fmnist-hard data=$project batch=128
  [[ $m == resnet18 ]] && example=fmnist-resnet18
  if [[ $m == segnet ]]; then
    example=fscenes-segnet-hard data=$scenes batch=32
  fi
  local train=("$cli" train "$data" --config "example:$example" --json
               --set "train.max_steps_per_epoch=$s" --set train.val_fraction=0.01)
  local py=("$python" "$root/scripts/bench_models.py" --model "$m" --max-steps "$s"
            --batch-size "$batch" --threads 2 --json)
  case "$v" in
    ours) printf '%s\n' env -u MTL_DEFAULT_MALLOC "${train[@]}" ;;
    ours-preloaded) printf '%s\n' env -u MTL_DEFAULT_MALLOC "${train[@]}" --preloaded ;;
    python) printf '%s\n' env -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ \
                            -u MALLOC_TOP_PAD_ "${py[@]}" --route usual ;;
    python-best) printf '%s\n' env "${py_malloc[@]}" "${py[@]}" --route best ;;
    python-best-cl) printf '%s\n' env "${py_malloc[@]}" "${py[@]}" --route best --channels-last ;;
  esac
}
command_of() { # variant steps → the command line, one word per line
  [[ $1 == *:* ]] && { model_command "$@"; return; }
  local s=$2 train=("$cli" train "$project" --config example:fmnist-hps --json
                    --set "train.max_steps_per_epoch=$s" --set train.epochs=1)
  local py=("$python" "$root/scripts/bench_pytorch.py" --max-steps "$s" --epochs 1
            --batch-size 128 --threads 2 --no-eval --json)
  case "$1" in
    ours) printf '%s\n' env -u MTL_DEFAULT_MALLOC "${train[@]}" ;;
    ours-preloaded) printf '%s\n' env -u MTL_DEFAULT_MALLOC "${train[@]}" --preloaded ;;
    ours-glibc) printf '%s\n' env MTL_DEFAULT_MALLOC=1 "${train[@]}" ;;
    python) printf '%s\n' env -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ \
                            -u MALLOC_TOP_PAD_ "${py[@]}" ;;
    python-tuned) printf '%s\n' env "${py_malloc[@]}" "${py[@]}" ;;
  esac
}

# Percentage of CPU time the whole machine spent idle over the next second.
idle_percent() {
  local a b
  read -r -a a < /proc/stat
  sleep 1
  read -r -a b < /proc/stat
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(( total > 0 ? 100 * (b[4] + b[5] - a[4] - a[5]) / total : 100 ))
}
# Waits (up to --wait-quiet seconds) for an idle machine; prints the last idle percentage.
quiet_enough() {
  local idle deadline=$((SECONDS + wait_quiet))
  idle=$(idle_percent)
  while (( idle < 90 && SECONDS < deadline )); do idle=$(idle_percent); done
  echo "$idle"
}

results=$workdir/results.tsv
: >"$results"
failed=0
busy_runs=0
run() { # variant steps round → appends "variant round images_per_s" to $results
  local variant=$1 s=$2 round=$3 out err cmd ips idle
  idle=$(quiet_enough)
  mapfile -t cmd < <(command_of "$variant" "$s")
  out=$workdir/last.out
  err=$workdir/last.err
  local rc=0
  "${cmd[@]}" >"$out" 2>"$err" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "bench: $variant failed (exit $rc): ${cmd[*]}" >&2
    tail -n 5 "$err" >&2
    failed=1
    return 0
  fi
  if ! ips=$(tail -n 1 "$out" | "$python" -c '
import json, sys
r = json.loads(sys.stdin.read())
if r.get("status", "completed") != "completed" or not r.get("images_per_s"):
    sys.exit(1)
print("%.1f" % r["images_per_s"])'); then
    echo "bench: $variant printed no completed result: ${cmd[*]}" >&2
    tail -n 5 "$out" "$err" >&2
    failed=1
    return 0
  fi
  printf '%s\t%s\t%s\n' "$variant" "$round" "$ips" >>"$results"
  printf '  round %s  %-24s %8.0f images/s   (CPUs %3s%% idle just before)\n' "$round" \
    "$variant" "$ips" "$idle" >&2
  (( idle >= 90 )) || busy_runs=$((busy_runs + 1))
}

echo "bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $steps steps x" \
     "$repeats rounds of: ${variants[*]}" >&2
echo "bench: warm-up ($warmup_steps steps each of ours and python)" >&2
if [[ $models -eq 1 ]]; then
  run ours:small_cnn "$warmup_steps" 0
  run python-best:small_cnn "$warmup_steps" 0
else
  run ours "$warmup_steps" 0
  run python "$warmup_steps" 0
fi
: >"$results"
busy_runs=0
[[ $failed -eq 0 ]] || { echo "bench: the warm-up failed" >&2; exit 1; }

started=$SECONDS
for ((r = 1; r <= repeats; ++r)); do
  # Rotate the order each round so that no variant always runs first or last.
  for ((i = 0; i < ${#variants[@]}; ++i)); do
    run "${variants[(i + r - 1) % ${#variants[@]}]}" "$steps" "$r"
  done
done

"$python" - "$results" "$steps" "$repeats" "$((SECONDS - started))" "${variants[@]}" <<'EOF'
import statistics, sys
path, steps, repeats, seconds, variants = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
runs = {}
for line in open(path):
    variant, rnd, ips = line.split("\t")
    runs.setdefault(variant, {})[int(rnd)] = float(ips)
med = {v: statistics.median(runs[v].values()) for v in variants if v in runs}
models = variants[0].count(":") > 0
print(f"\nimages/s of the training loop, median of {repeats} rounds of {steps} steps "
      + ("(segnet: batch 32) " if models else "")
      + f"(batch 128, 2 threads), {seconds} s in all")
print(f"{'variant':26} {'median':>8}   {'runs':s}")
for v in variants:
    if v in med:
        values = " ".join(f"{runs[v][r]:.0f}" for r in sorted(runs[v]))
        print(f"{v:26} {med[v]:8.0f}   {values}")
    else:
        print(f"{v:26} {'failed':>8}")
print()
def ratio(label, a, b):
    if a not in med or b not in med:
        print(f"{label:42} n/a")
        return
    rounds = sorted(set(runs[a]) & set(runs[b]))
    per_round = [runs[a][r] / runs[b][r] for r in rounds]
    spread = f"(per round {min(per_round):.2f}-{max(per_round):.2f})" if len(per_round) > 1 else ""
    print(f"{label:42} {med[a] / med[b]:5.2f}  {spread}")
if models:
    for m in sorted({v.split(":")[1] for v in variants}, key=[v.split(":")[1] for v in variants].index):
        print(m)
        ratio(f"  ours / python          (target >= 1.30)", f"ours:{m}", f"python:{m}")
        ratio(f"  ours / python-best     (target >= 1.00)", f"ours:{m}", f"python-best:{m}")
        ratio(f"  ours / python-best-cl", f"ours:{m}", f"python-best-cl:{m}")
        ratio(f"  ours / ours-preloaded  (target >= 0.95)", f"ours:{m}", f"ours-preloaded:{m}")
        ratio(f"  python-best-cl / python-best", f"python-best-cl:{m}", f"python-best:{m}")
    sys.exit(0)
ratio("ours / python           (target >= 1.30)", "ours", "python")
ratio("ours / ours-preloaded   (target >= 0.95)", "ours", "ours-preloaded")
ratio("ours tuned / ours-glibc (malloc tuning)", "ours", "ours-glibc")
ratio("python-tuned / python   (malloc tuning)", "python-tuned", "python")
ratio("ours / python-tuned", "ours", "python-tuned")
EOF
echo "bench: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [[ $busy_runs -gt 0 ]]; then
  echo "bench: warning: $busy_runs run(s) started while other processes used the CPUs;" \
       "their figures are low and noisy (retry, or use --wait-quiet 120)" >&2
fi
if [[ $failed -ne 0 ]]; then
  echo "bench: some runs failed (see above)" >&2
  exit 1
fi
