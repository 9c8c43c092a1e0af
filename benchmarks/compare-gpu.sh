#!/usr/bin/env bash
# The GPU half of the comparison with PyTorch, in one call, for a machine with a CUDA device
# and PyTorch built with CUDA: the figures of figures-gpu.txt on both sides, or PyTorch's side
# alone where no JDK is present (merge it later with compare.py --peer).
#
#   benchmarks/compare-gpu.sh OUTDIR [compare.py options, e.g. --peak-gflops 66900]
#
# With a JDK and the built jars (java/target/tripletcuda.jar, benchmarks/target/benchmarks.jar)
# it prints the table and writes OUTDIR/compare-gpu.json (both sides and the table) and .csv;
# without them, PyTorch's figures alone in OUTDIR/torch-gpu.json. PYTHON picks the interpreter (default python3); JAVA the java
# binary (default $JAVA_HOME/bin/java, else java on the PATH). The timing protocol is shorter
# than on the CPU (warm-up 1 s, 5 samples of >= 0.3 s): GPU calls are short and device time
# is scarce.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: benchmarks/compare-gpu.sh OUTDIR [compare.py options]" >&2
  exit 2
fi
out="$1"
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-python3}"
java="${JAVA:-}"
if [[ -z "$java" ]]; then
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java="$JAVA_HOME/bin/java"
  else
    java="$(command -v java || true)"
  fi
fi
timing=(--warmup-s 1 --samples 5 --sample-s 0.3)
mkdir -p "$out"

if [[ -n "$java" && -f "$root/java/target/tripletcuda.jar" \
      && -f "$here/target/benchmarks.jar" ]]; then
  exec "$python" "$here/compare.py" --device cuda --java "$java" --python "$python" \
      "${timing[@]}" --out "$out/compare-gpu" "$@"
fi

echo "compare-gpu: no JDK or no built jars here; timing PyTorch's side only" >&2
"$python" "$here/torch_peer.py" --device cuda --figures-file "$here/figures-gpu.txt" \
    "${timing[@]}" --json "$out/torch-gpu.json"
echo "compare-gpu: wrote $out/torch-gpu.json (our side needs a JDK on this machine)" >&2
