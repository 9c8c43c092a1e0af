#!/usr/bin/env bash
# Compiles every kernel in this folder to PTX for the baseline architecture, into the folder
# given as the first argument (the build puts it inside the jar, beside the sources).
#
# Where nvcc is not on the PATH the build goes on without PTX; the CUDA backend then compiles
# the shipped sources with NVRTC at run time. Warnings are errors: a kernel that does not
# compile cleanly fails the build.
#
# Environment: NVCC (the compiler, default nvcc), PTX_ARCH (default compute_75: the oldest
# architecture CUDA 13 still targets, which every driver able to run CUDA 13 code can JIT).
set -euo pipefail

out=${1:?usage: build-ptx.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
nvcc=${NVCC:-nvcc}
arch=${PTX_ARCH:-compute_75}

if ! command -v "$nvcc" >/dev/null 2>&1; then
  echo "build-ptx: $nvcc not on the PATH; shipping kernel sources only (NVRTC at run time)"
  exit 0
fi

mkdir -p "$out"
shopt -s nullglob
for cu in "$here"/*.cu; do
  name=$(basename "$cu" .cu)
  ptx="$out/$name.ptx"
  # Rebuild only what changed: the build runs this on every compile.
  if [[ -f "$ptx" && "$ptx" -nt "$cu" ]] && ! find "$here" -name '*.cuh' -newer "$ptx" \
      | grep -q .; then
    continue
  fi
  "$nvcc" -ptx -arch="$arch" -std=c++17 -O3 -lineinfo --Werror all-warnings \
    -I "$here" -o "$ptx.tmp" "$cu"
  # Assemble once for the Hopper target too, so register or resource faults that only the
  # JIT would meet fail here instead.
  ptxas=$(dirname "$(command -v "$nvcc")")/ptxas
  if [[ -x "$ptxas" ]]; then
    "$ptxas" -arch=sm_90 --warning-as-error -o /dev/null "$ptx.tmp"
  fi
  mv "$ptx.tmp" "$ptx"
  echo "build-ptx: $name.cu -> $name.ptx ($arch)"
done
