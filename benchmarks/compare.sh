#!/usr/bin/env bash
# tripletcuda beside PyTorch on the figures of figures-cpu.txt (or figures-gpu.txt with
# --device cuda), in one run, with the same number of threads on both sides (default 2).
#
#   benchmarks/compare.sh                      # CPU, 2 threads, one run of each figure
#   benchmarks/compare.sh --repeats 3          # median of 3 training runs per side
#   benchmarks/compare.sh --figure pairwise:n=1024,d=128
#   benchmarks/compare.sh --help               # every option (compare.py)
#
# Needs a JDK 17+ with Maven (the jars are built when missing) and a Python 3 with torch
# and an optimised BLAS behind it (Debian: apt-get install python3-torch libopenblas0-pthread;
# without the second, torch runs on the reference BLAS and compare.py refuses to start). PYTHON
# picks the interpreter; by default the first of python3 and /usr/bin/python3 that can import
# torch. Results: the table on stdout, and benchmarks/results/compare-DEVICE.json and .csv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

if [[ ! -f "$root/java/target/tripletcuda.jar" || ! -f "$here/target/benchmarks.jar" ]]; then
  echo "compare: building the jars (mvn -B -q -DskipTests package)" >&2
  (cd "$root" && mvn -B -q -DskipTests package)
fi

python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import torch' >/dev/null 2>&1; then
      python="$candidate"
      break
    fi
  done
fi
if [[ -z "$python" ]]; then
  echo "compare: no Python with torch found; install python3-torch or set PYTHON" >&2
  exit 2
fi

exec "$python" "$here/compare.py" --python "$python" "$@"
