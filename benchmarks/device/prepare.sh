#!/usr/bin/env bash
# Builds, on a machine with JDK 17, Maven and nvcc, everything the GPU machine needs to run
# benchmarks/device/run.sh with no JDK, Maven or network there, into .device/ (git-ignored):
#   tripletcuda.jar        the command-line jar, with the kernels' PTX inside
#   tripletcuda-tests.jar  the test classes (the gpu-tagged tests, the smoke run)
#   benchmarks.jar         the JMH benchmarks with their dependencies
#   junit-console.jar      the JUnit Platform console launcher matching the project's JUnit
#   jre/                   a jlink'd Java runtime holding only the modules these use
# Everything comes from Maven Central and the JDK. It then checks what it built with the
# runtime that will travel (the CLI trains a little on the CPU, the launcher runs the CPU-side
# CUDA tests, JMH lists the suite, PeerFigures times a small figure) and prints the size of
# what will travel: .device/ plus the working tree, at most 64 MiB.
#
# Usage: benchmarks/device/prepare.sh   (from anywhere; works in a fresh clone)
# Environment: MVN (default mvn), JAVA_HOME (default: the JDK of javac on the PATH).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dev=.device
mvn=${MVN:-mvn}
if [[ -z ${JAVA_HOME:-} ]]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
limit=$((64 << 20))

step() {
  echo "prepare: $*"
}

# The jars. Packaging compiles the tests without running them; the build compiles the kernels
# to PTX when nvcc is on the PATH, which the GPU machine needs: it has no NVRTC for CUDA 12.
step "building the jars"
"$mvn" -B -q -DskipTests clean package
kernels=$(ls cuda-kernels/*.cu | wc -l)
ptx=$(unzip -l java/target/tripletcuda.jar | grep -c 'dev/tripletcuda/cuda/kernels/.*\.ptx$' \
  || true)
if [[ $ptx -ne $kernels ]]; then
  echo "prepare: tripletcuda.jar holds $ptx PTX files for $kernels kernel files; put nvcc on" \
    "the PATH and run again" >&2
  exit 1
fi

rm -rf "$dev"
mkdir -p "$dev"
cp java/target/tripletcuda.jar benchmarks/target/benchmarks.jar "$dev/"
"$JAVA_HOME/bin/jar" --create --file "$dev/tripletcuda-tests.jar" -C java/target/test-classes .

# The console launcher of the JUnit Platform that goes with the project's JUnit Jupiter 5.x.y:
# platform 1.x.y.
junit=$(sed -n 's:.*<junit.version>\(5\.[0-9.]*\)</junit.version>.*:\1:p' pom.xml)
if [[ -z $junit ]]; then
  echo "prepare: no <junit.version>5.x.y</junit.version> in pom.xml" >&2
  exit 1
fi
step "JUnit console launcher 1.${junit#5.}"
"$mvn" -B -q dependency:copy \
  -Dartifact="org.junit.platform:junit-platform-console-standalone:1.${junit#5.}" \
  -DoutputDirectory="$dev" -Dmdep.stripVersion=true
mv "$dev/junit-platform-console-standalone.jar" "$dev/junit-console.jar"

# The runtime. jdeps names java.desktop too, for two classes never loaded here (Jackson's
# optional java.beans support, a geometry class of commons-math); java.sql brings java.xml
# (the launcher's XML reports) and java.logging; jdk.zipfs lets the launcher scan a package
# inside a jar.
modules=java.base,java.management,java.sql,jdk.incubator.vector,jdk.unsupported,jdk.zipfs
step "jlink runtime: $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages \
  --no-header-files --compress=2 --output "$dev/jre" 2>&1 | grep -v 'incubator modules' || true
# The symbol tables of the native libraries are not needed to run them (libjvm: -4 MB).
if command -v strip >/dev/null; then
  find "$dev/jre" -name '*.so' -exec strip --strip-unneeded {} +
fi

# Checks with the runtime that travels.
java=$dev/jre/bin/java
step "checking with $("$java" -version 2>&1 | head -1)"
json=$("$java" --add-modules jdk.incubator.vector -cp "$dev/tripletcuda.jar" \
  dev.tripletcuda.cli.Main train --device auto --epochs 1 --layers 8 --classes-per-batch 4 \
  --per-class 4 --json -q)
if ! grep -q '"precision_at_1"' <<< "$json"; then
  echo "prepare: the CLI did not train with the jlink'd runtime: $json" >&2
  exit 1
fi
step "the CLI trains ($(grep -oE '"device" : "[a-z]+"' <<< "$json"))"
"$java" -ea --add-modules jdk.incubator.vector -jar "$dev/junit-console.jar" execute \
  --class-path "$dev/tripletcuda-tests.jar:$dev/tripletcuda.jar" \
  --select-package dev.tripletcuda.backend.cuda \
  --details summary --disable-banner --disable-ansi-colors --fail-if-no-tests \
  > "$dev/check.txt" 2>&1 || { cat "$dev/check.txt" >&2; exit 1; }
step "the test launcher runs: $(grep -E 'tests (successful|failed)' "$dev/check.txt" \
  | tr -s ' []' ' ' | paste -sd, -)"
rm "$dev/check.txt"
suite=(PairwiseDistanceBenchmark TripletLossBenchmark TrainingStepBenchmark KnnBenchmark
  GemmBenchmark)
listed=$("$java" --add-modules jdk.incubator.vector -jar "$dev/benchmarks.jar" -l 2>/dev/null)
for b in "${suite[@]}"; do
  if ! grep -q "\.$b\." <<< "$listed"; then
    echo "prepare: benchmarks.jar does not list $b" >&2
    exit 1
  fi
done
step "JMH lists the suite: $(grep -c 'Benchmark\.' <<< "$listed") benchmark methods"
# The comparison's Java side with the runtime that travels (PeerFigures: picocli, Jackson).
"$java" --add-modules jdk.incubator.vector -cp "$dev/benchmarks.jar" \
  dev.tripletcuda.bench.PeerFigures --device cpu --threads 1 --warmup-s 0 --samples 1 \
  --sample-s 0 --figure pairwise:n=8,d=4 > "$dev/check.json" 2>&1 \
  || { cat "$dev/check.json" >&2; exit 1; }
grep -q '"GFLOP/s"' "$dev/check.json" \
  || { echo "prepare: PeerFigures wrote no figure:" >&2; cat "$dev/check.json" >&2; exit 1; }
rm "$dev/check.json"
step "PeerFigures (compare.py's Java side) runs"

# What travels: the tracked and untracked-but-not-ignored files, and .device/.
tree=$( { git ls-files -z; git ls-files -z -o --exclude-standard; } \
  | xargs -0 -r stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
device=$(du -sb "$dev" | cut -f1)
total=$((tree + device))
awk -v d="$device" -v t="$tree" 'BEGIN { printf "prepare: .device/ %.1f MiB + working " \
  "tree %.1f MiB = %.1f MiB (limit 64 MiB)\n", d / 1048576, t / 1048576, (d + t) / 1048576 }'
if [[ $total -gt $limit ]]; then
  echo "prepare: too large to travel" >&2
  exit 1
fi
du -sh "$dev"/* | sed 's/^/prepare:   /'
