#!/usr/bin/env bash
# Import speed of a dense dataset in the NYUv2 .npy layout the MTAN and LibMTL code read:
# N samples of 288×384 (image float32 [H, W, 3] in [0, 1], label float32 [H, W] of -1…12,
# depth float32 [H, W, 1], normal float32 [H, W, 3] unit vectors), made here with NumPy from a
# fixed seed — noise, so deflating the maps gains little: a worst case for the project's size.
# Four fifths go to train/, the rest to val/. Imported three times with --format nyuv2.
#   scripts/bench_import_dense.sh [N=100] [WORKDIR=/tmp/bench-import-dense]
set -euo pipefail
N=${1:-100}
WORK=${2:-/tmp/bench-import-dense}
CLI=${CLI:-"$(dirname "$0")/../build/app/cli/mtlstudio-cli"}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ "$(find "$WORK" -path '*/image/*.npy' 2>/dev/null | wc -l)" != "$N" ]; then
  rm -rf "$WORK" && mkdir -p "$WORK"
  "$PYTHON" - "$WORK/nyuv2" "$N" <<'PY'
import os, sys
import numpy as np
root, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
train = n * 4 // 5
for split, count in (("train", train), ("val", n - train)):
    for folder in ("image", "label", "depth", "normal"):
        os.makedirs(f"{root}/{split}/{folder}", exist_ok=True)
    for i in range(count):
        np.save(f"{root}/{split}/image/{i}.npy", rng.random((288, 384, 3), dtype=np.float32))
        np.save(f"{root}/{split}/label/{i}.npy",
                rng.integers(-1, 13, (288, 384)).astype(np.float32))
        np.save(f"{root}/{split}/depth/{i}.npy",
                (rng.random((288, 384, 1)) * 10).astype(np.float32))
        normal = rng.normal(size=(288, 384, 3))
        normal /= np.linalg.norm(normal, axis=2, keepdims=True)
        np.save(f"{root}/{split}/normal/{i}.npy", normal.astype(np.float32))
PY
fi
echo "input: $(du -sh "$WORK/nyuv2" | cut -f1) in $N samples"
for run in 1 2 3; do
  rm -f "$WORK/p.mtlproj"*
  start=$(date +%s.%N)
  seconds=$("$CLI" import "$WORK/p.mtlproj" --name bench --format nyuv2 --root "$WORK/nyuv2" \
              --json 2>/dev/null | tail -1 |
            "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['seconds'])")
  end=$(date +%s.%N)
  printf 'run %d: %s s in the import, %.2f s wall, project %s bytes\n' "$run" "$seconds" \
    "$("$PYTHON" -c "print($end - $start)")" "$(stat -c %s "$WORK/p.mtlproj")"
done
