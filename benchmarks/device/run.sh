#!/usr/bin/env bash
# The device check, run on the GPU machine from the repository root, with the .device/ folder
# that prepare.sh built elsewhere carried along (README.md beside this file says how). Needs no
# JDK, Maven or network there. In about four minutes it:
#   1. records the machine: nvidia-smi, the driver, Java, PyTorch;
#   2. runs every gpu-tagged test with the JUnit console launcher;
#   3. trains on the embedded sample with --device cuda --json;
#   4. times the figures of benchmarks/figures-gpu.txt on both sides, tripletcuda and PyTorch
#      on the same GPU, with benchmarks/compare.py (the ratios and the targets);
#   5. runs the JMH suite with -p backend=cuda (every kernel family and the training step);
#   6. runs every kernel once under compute-sanitizer's memcheck, when the tool and time allow;
# and writes at most 8 files into $OUT: summary.md (read this first), run.log, gpu-tests.txt,
# gpu-tests.xml, train.json, compare-gpu.json, jmh.json, sanitizer.txt. Every stage has a time
# limit inside an overall budget; a stage that fails or runs out of time is reported and the
# next one still runs.
#
# Usage: benchmarks/device/run.sh [--quick] [--skip STAGE]... [--help]
#   --quick       shorter timings (for a dry run or a second try)
#   --skip STAGE  leave out tests, train, compare, jmh or sanitizer
# Environment: OUT (default .device/out), BUDGET_S (seconds for all stages, default 330),
#   JAVA (a Java 17+ binary to use instead of .device/jre/bin/java), PYTHON (default python3).
# Exit code: 0 when every stage that ran passed or had nothing to run on (no device), 1 when
# a stage failed or timed out, 2 for bad arguments or a missing .device/.
set -uo pipefail

usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
dev=$root/.device
quick=""
skip=" "
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --skip)
      [[ $# -ge 2 ]] || { echo "run.sh: --skip needs a stage name" >&2; exit 2; }
      case "$2" in
        tests|train|compare|jmh|sanitizer) skip+="$2 " ;;
        *) echo "run.sh: --skip $2: expected tests, train, compare, jmh or sanitizer" >&2
          exit 2 ;;
      esac
      shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

OUT=${OUT:-$dev/out}
BUDGET_S=${BUDGET_S:-330}
PYTHON=${PYTHON:-python3}
if ! [[ $BUDGET_S =~ ^[0-9]+$ ]]; then
  echo "run.sh: BUDGET_S='$BUDGET_S', expected a number of seconds" >&2
  exit 2
fi
for f in tripletcuda.jar tripletcuda-tests.jar benchmarks.jar junit-console.jar; do
  if [[ ! -f $dev/$f ]]; then
    echo "run.sh: $dev/$f is missing: run benchmarks/device/prepare.sh first and carry .device" >&2
    exit 2
  fi
done
mkdir -p "$OUT" || exit 2
notes=$(mktemp -d)
trap 'rm -rf "$notes"' EXIT
start=$(date +%s)

# Seconds a stage may take: its own limit, or what is left of the budget if that is less.
limit() {
  local left=$(( BUDGET_S - ($(date +%s) - start) ))
  (( left < $1 )) && echo $(( left > 0 ? left : 0 )) || echo "$1"
}

failed=0
verdict() {  # stage, verdict text; FAIL or TIMEOUT marks the run as failed
  printf '%-10s %s\n' "$1:" "$2" | tee -a "$notes/status.txt"
  [[ $2 == FAIL* || $2 == TIMEOUT* ]] && failed=1
  return 0
}

skipped() {
  [[ $skip == *" $1 "* ]]
}

# A timed command: 124 (or 137 after the kill) means it ran out of time.
timed_out() {
  [[ $1 -eq 124 || $1 -eq 137 ]]
}

main() {
  echo "run.sh: device check in $root, results in $OUT, budget ${BUDGET_S}s"

  # 1. The machine --------------------------------------------------------------------------
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -srm)"
    if command -v nvidia-smi >/dev/null; then
      echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
        2>&1 | head -1)"
    else
      echo "gpu: nvidia-smi not found"
    fi
  } > "$notes/versions.txt"
  command -v nvidia-smi >/dev/null && nvidia-smi

  JAVA=${JAVA:-}
  if [[ -z $JAVA ]]; then
    if "$dev/jre/bin/java" -version >/dev/null 2>&1; then
      JAVA=$dev/jre/bin/java
    elif command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'
    then
      JAVA=$(command -v java)
      echo "run.sh: .device/jre does not start here; using $JAVA"
    fi
  fi
  if [[ -z $JAVA ]] || ! "$JAVA" -version >/dev/null 2>&1; then
    echo "java: none usable (.device/jre/bin/java does not start)" >> "$notes/versions.txt"
    for s in tests train compare jmh sanitizer; do verdict "$s" "FAIL: no usable Java"; done
    JAVA=""
  else
    echo "java: $("$JAVA" -version 2>&1 | head -1) ($JAVA)" >> "$notes/versions.txt"
  fi
  echo "python: $("$PYTHON" -c 'import sys, torch; print(sys.version.split()[0], "torch",
    torch.__version__, "cuda", torch.version.cuda)' 2>&1 | tail -1)" >> "$notes/versions.txt"
  cat "$notes/versions.txt"
  local jvm=(-ea --add-modules jdk.incubator.vector)
  local cp="$dev/tripletcuda-tests.jar:$dev/tripletcuda.jar"
  local device=unknown

  # 2. The gpu-tagged tests ---------------------------------------------------------------
  if [[ -n $JAVA ]] && ! skipped tests; then
    local t rc
    t=$(limit 100)
    echo "run.sh: gpu tests (limit ${t}s)"
    timeout --kill-after=10 "$t" "$JAVA" "${jvm[@]}" -jar "$dev/junit-console.jar" execute \
      --class-path "$cp" --scan-class-path "$dev/tripletcuda-tests.jar" --include-tag gpu \
      --details tree --disable-banner --disable-ansi-colors --fail-if-no-tests \
      --reports-dir "$notes/reports" > "$OUT/gpu-tests.txt" 2>&1
    rc=$?
    [[ -f $notes/reports/TEST-junit-jupiter.xml ]] \
      && cp "$notes/reports/TEST-junit-jupiter.xml" "$OUT/gpu-tests.xml"
    local found ok bad skip_n
    found=$(grep -oE '\[ +[0-9]+ tests found' "$OUT/gpu-tests.txt" | grep -oE '[0-9]+')
    ok=$(grep -oE '\[ +[0-9]+ tests successful' "$OUT/gpu-tests.txt" | grep -oE '[0-9]+')
    bad=$(grep -oE '\[ +[0-9]+ tests failed' "$OUT/gpu-tests.txt" | grep -oE '[0-9]+')
    skip_n=$(grep -oE '\[ +[0-9]+ tests (skipped|aborted)' "$OUT/gpu-tests.txt" \
      | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }')
    local counts="${ok:-0} passed, ${bad:-?} failed, ${skip_n} skipped"
    grep -E 'CudaTrainingTest:' "$OUT/gpu-tests.txt" | head -1
    if timed_out $rc; then
      verdict tests "TIMEOUT after ${t}s ($counts so far)"
    elif [[ $rc -ne 0 || ${found:-0} -eq 0 ]]; then
      verdict tests "FAIL (${found:-0} found, $counts; launcher exit $rc)"
    elif [[ ${ok:-0} -eq 0 ]]; then
      verdict tests "SKIPPED: no CUDA device ($counts)"
    else
      verdict tests "PASS ($counts)"
    fi
  fi

  # 3. Training on the embedded sample ----------------------------------------------------
  if [[ -n $JAVA ]] && ! skipped train; then
    local t rc
    t=$(limit 45)
    echo "run.sh: train --device cuda --json (limit ${t}s)"
    timeout --kill-after=10 "$t" "$JAVA" --add-modules jdk.incubator.vector \
      -cp "$dev/tripletcuda.jar" dev.tripletcuda.cli.Main train --device cuda --json \
      > "$OUT/train.json" 2> "$notes/train.err"
    rc=$?
    cat "$notes/train.err"
    cat "$OUT/train.json"
    if timed_out $rc; then
      verdict train "TIMEOUT after ${t}s"
    elif [[ $rc -eq 3 ]]; then
      device=absent
      verdict train "SKIPPED: $(grep -m1 '^error:' "$notes/train.err")"
    elif [[ $rc -ne 0 ]]; then
      verdict train "FAIL (exit $rc): $(grep -m1 '^error:' "$notes/train.err")"
    else
      device=present
      verdict train "PASS (precision@1 $(grep -oE '"precision_at_1" : [0-9.]+' "$OUT/train.json" \
        | grep -oE '[0-9.]+$'))"
    fi
    [[ -s $OUT/train.json ]] || rm -f "$OUT/train.json"
  fi

  # 4. Side by side with PyTorch: figures-gpu.txt through compare.py ----------------------
  if [[ -n $JAVA ]] && ! skipped compare; then
    local t rc timing=(--warmup-s 0.5 --samples 3 --sample-s 0.2)
    t=$(limit 110)
    [[ -n $quick ]] && timing=(--warmup-s 0.1 --samples 1 --sample-s 0.05)
    if [[ $device == absent ]]; then
      verdict compare "SKIPPED: no CUDA device"
    elif ! "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)' \
        > /dev/null 2>&1; then
      verdict compare "SKIPPED: $PYTHON has no PyTorch that sees a CUDA device"
    else
      echo "run.sh: compare.py --device cuda --batch (limit ${t}s)"
      PYTHONUNBUFFERED=1 timeout --kill-after=10 "$t" "$PYTHON" \
        "$root/benchmarks/compare.py" --device cuda --batch --java "$JAVA" \
        --python "$PYTHON" --cli-jar "$dev/tripletcuda.jar" --bench-jar "$dev/benchmarks.jar" \
        "${timing[@]}" --out "$notes/compare-gpu" > "$notes/compare.txt" 2>&1
      rc=$?
      cat "$notes/compare.txt"
      [[ -f $notes/compare-gpu.json ]] && cp "$notes/compare-gpu.json" "$OUT/compare-gpu.json"
      if timed_out $rc; then
        verdict compare "TIMEOUT after ${t}s"
      elif [[ $rc -ne 0 ]]; then
        verdict compare "FAIL (exit $rc): $(grep -v '^\$ ' "$notes/compare.txt" | tail -1)"
      else
        verdict compare "PASS ($("$PYTHON" "$root/benchmarks/device/summarize.py" \
          --targets "$OUT/compare-gpu.json"))"
      fi
    fi
  fi

  # 5. The JMH suite on the cuda backend ---------------------------------------------------
  if [[ -n $JAVA ]] && ! skipped jmh; then
    if [[ $device == absent ]]; then
      verdict jmh "SKIPPED: no CUDA device"
    else
      local t rc opts=(-wi 1 -w 300ms -i 2 -r 400ms)
      t=$(limit 80)
      [[ -n $quick ]] && opts=(-wi 1 -w 100ms -i 1 -r 100ms)
      # One JVM for every case (-f 0): a fork per case would spend the budget on JVM and
      # CUDA start-ups; the measured work is on the device, which a shared JVM does not skew.
      echo "run.sh: JMH suite -p backend=cuda (limit ${t}s)"
      timeout --kill-after=10 "$t" "$JAVA" --add-modules jdk.incubator.vector \
        -jar "$dev/benchmarks.jar" -p backend=cuda -f 0 "${opts[@]}" -rf json \
        -rff "$OUT/jmh.json" > "$notes/jmh.txt" 2>&1
      rc=$?
      sed -n '/^Benchmark /,$p' "$notes/jmh.txt"
      local failures
      failures=$(grep -c '<failure>' "$notes/jmh.txt")
      if timed_out $rc; then
        verdict jmh "TIMEOUT after ${t}s"
      elif [[ $rc -ne 0 || $failures -gt 0 ]]; then
        grep -A5 '<failure>' "$notes/jmh.txt" | head -40
        verdict jmh "FAIL (exit $rc, $failures cases failed; their output is in run.log)"
      else
        verdict jmh "PASS ($(grep -cE '^[A-Za-z]+Benchmark\.' "$notes/jmh.txt") results)"
      fi
    fi
  fi

  # 6. Every kernel under memcheck ---------------------------------------------------------
  if [[ -n $JAVA ]] && ! skipped sanitizer; then
    local t rc
    t=$(limit 60)
    if [[ $device == absent ]]; then
      verdict sanitizer "SKIPPED: no CUDA device"
    elif ! command -v compute-sanitizer >/dev/null; then
      verdict sanitizer "SKIPPED: compute-sanitizer not found"
    elif (( t < 30 )); then
      verdict sanitizer "SKIPPED: ${t}s of the budget left"
    else
      echo "run.sh: compute-sanitizer memcheck on CudaSmokeRun (limit ${t}s)"
      timeout --kill-after=10 "$t" compute-sanitizer --tool memcheck --error-exitcode 9 \
        --print-limit 20 "$JAVA" -cp "$cp" dev.tripletcuda.backend.cuda.CudaSmokeRun \
        > "$OUT/sanitizer.txt" 2>&1
      rc=$?
      tail -5 "$OUT/sanitizer.txt"
      if grep -qiE 'device not supported|unsupported device' "$OUT/sanitizer.txt"; then
        verdict sanitizer "SKIPPED: compute-sanitizer does not support the device here" \
          "(sanitizer.txt; gVisor machines refuse it)"
      elif timed_out $rc; then
        verdict sanitizer "TIMEOUT after ${t}s (see sanitizer.txt)"
      elif [[ $rc -eq 9 ]]; then
        verdict sanitizer "FAIL: memcheck found errors (sanitizer.txt)"
      elif [[ $rc -ne 0 ]]; then
        verdict sanitizer "FAIL (exit $rc; sanitizer.txt)"
      else
        verdict sanitizer "PASS ($(grep -m1 'ERROR SUMMARY' "$OUT/sanitizer.txt"))"
      fi
    fi
  fi

  echo "run.sh: done in $(( $(date +%s) - start ))s"
  if command -v "$PYTHON" >/dev/null; then
    "$PYTHON" "$root/benchmarks/device/summarize.py" "$OUT" "$notes" > "$OUT/summary.md"
  else
    cat "$notes/status.txt" "$notes/versions.txt" > "$OUT/summary.md"
  fi
  cat "$OUT/summary.md"
  return $failed
}

main 2>&1 | tee "$OUT/run.log"
exit "${PIPESTATUS[0]}"
