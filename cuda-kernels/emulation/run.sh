#!/usr/bin/env bash
# Checks the logic of every kernel in cuda-kernels/ on the CPU: compiles them with g++ under
# cuda_emulation.h (one OS thread per CUDA thread) beside plain references, and runs the
# comparisons. Needs g++ with C++20; takes a minute or two. Arguments select checks by name
# (gemm distances mined explicit topk layers optimizers reductions); none runs all.
#
# This checks indexing, tiling, tie-breaks and reductions, not speed or the GPU's rounding:
# the GPU tests (mvn test on a machine with a GPU) compare the real kernels with the CPU engine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kernels=$(dirname "$here")
build=${BUILD_DIR:-$(mktemp -d)}
mkdir -p "$build"

# The kernel files as C++: a dynamic shared array becomes a global the checks define.
for f in "$kernels"/*.cu "$kernels"/*.cuh; do
  sed 's/extern __shared__/extern/' "$f" > "$build/$(basename "$f")"
done
: > "$build/kernels_all.inc"
for f in "$kernels"/*.cu; do
  echo "#include \"$(basename "$f")\"" >> "$build/kernels_all.inc"
done

g++ -std=c++20 -O1 -pthread -ffp-contract=off -Wall -Wno-unknown-pragmas \
  -Wno-unused-function -I "$here" -I "$build" -o "$build/kernel_check" "$here/kernel_check.cpp"
"$build/kernel_check" "$@"
