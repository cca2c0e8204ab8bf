#!/usr/bin/env bash
# Import speed of an image-file dataset: N rows of a CSV table over N 28×28 grayscale PNG files
# (made here, deterministic), imported three times with --format csv.
#   scripts/bench_import_images.sh [N=100000] [WORKDIR=/tmp/bench-import-images]
# Prints the import's own seconds (from --json) and the wall time of each run.
set -euo pipefail
N=${1:-100000}
WORK=${2:-/tmp/bench-import-images}
CLI=${CLI:-"$(dirname "$0")/../build/app/cli/mtlstudio-cli"}
if [ ! -f "$WORK/t.csv" ] || [ "$(($(wc -l < "$WORK/t.csv") - 1))" != "$N" ]; then
  rm -rf "$WORK" && mkdir -p "$WORK/img"
  python3 - "$WORK" "$N" <<'PY'
import os, struct, sys, zlib
work, n = sys.argv[1], int(sys.argv[2])
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
rows = ["path,a,b,c,kind,split"]
for i in range(n):
    d = f"{work}/img/{i // 1000:03d}"
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    raw = b''.join(b'\0' + bytes((x * 7 + y * 3 + i) % 256 for x in range(28)) for y in range(28))
    with open(f"{d}/{i}.png", 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 28, 28, 8, 0, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
    rows.append(f"{i // 1000:03d}/{i}.png,{i % 2},{(i // 2) % 2},{(i // 3) % 2},k{i % 5},"
                f"{'train' if i % 10 else 'test'}")
with open(f"{work}/t.csv", 'w') as f:
    f.write("\n".join(rows) + "\n")
PY
fi
for run in 1 2 3; do
  rm -f "$WORK/p.mtlproj"*
  start=$(date +%s.%N)
  seconds=$("$CLI" import "$WORK/p.mtlproj" --name bench --format csv --root "$WORK/img" \
              --table "$WORK/t.csv" --split-column split --json 2>/dev/null | tail -1 |
            python3 -c "import json,sys; print(json.load(sys.stdin)['seconds'])")
  end=$(date +%s.%N)
  printf 'run %d: %s s in the import, %.2f s wall, project %s bytes\n' "$run" "$seconds" \
    "$(python3 -c "print($end - $start)")" "$(stat -c %s "$WORK/p.mtlproj")"
done
