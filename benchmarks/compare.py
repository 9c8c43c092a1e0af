#!/usr/bin/env python3
"""tripletcuda beside PyTorch on the same figures, in one run: a table and JSON/CSV results.

Runs, figure by figure, our side (the command-line tool for train: figures, a fresh JVM each,
as a user runs it; PeerFigures for the others) and then PyTorch's (torch_peer.py in its own
process), one after the other, never at once, with the same number of threads. Each figure is printed for both
with the speedup (ours over PyTorch: ours / PyTorch for rates, PyTorch / ours for times), the
target from the figure list, and pass or fail.

Either side can come from an earlier run instead (--ours FILE, --peer FILE). With --batch each
side times all its figures in one process (one JVM, one Python), which saves the start-up of a
process per figure where device time is scarce; benchmarks/device/run.sh does that on a GPU.

Usually started through compare.sh, which builds the jars first.
"""

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLI_JAR = os.path.join(ROOT, "java", "target", "tripletcuda.jar")
BENCH_JAR = os.path.join(HERE, "target", "benchmarks.jar")
VECTOR = "--add-modules=jdk.incubator.vector"

sys.path.insert(0, HERE)
from figure_list import parse_figure, read_figures_file  # noqa: E402


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, env=None):
    log("$ " + " ".join(cmd))
    done = subprocess.run(cmd, stdout=subprocess.PIPE, env=env, text=True)
    if done.returncode != 0:
        raise SystemExit(f"compare: '{cmd[0]} ...' exited with {done.returncode}")
    return done.stdout


# ----------------------------------------------------------------------------------------
# Our side

def java_cmd(args):
    return [args.java, VECTOR]


def ours_train(spec, args):
    """One train: figure through the CLI; median samples/s of --repeats runs."""
    _, p = parse_figure(spec)
    runs = []
    for r in range(args.repeats):
        cmd = java_cmd(args) + ["-jar", args.cli_jar, "train", "--json", "-q",
                                "--device", args.device, "--threads", str(args.threads),
                                "--mining", p.get("mining", "batch-all"),
                                "--epochs", p.get("epochs", "10"),
                                "--per-class", p.get("k", "16"), "--seed", str(42 + r)]
        out = json.loads(run(cmd))
        runs.append(out)
    runs.sort(key=lambda o: o["train_samples_per_s"])
    mid = runs[len(runs) // 2]
    return {"figure": spec, "value": mid["train_samples_per_s"], "unit": "samples/s",
            "better": "higher", "train_seconds": mid["train_seconds"],
            "precision_at_1": mid["precision_at_1"], "backend": mid.get("backend"),
            "runs": [o["train_samples_per_s"] for o in runs]}


def ours(figures, args):
    result = {"side": "tripletcuda", "device": args.device, "threads": args.threads,
              "figures": []}
    others = [f for f in figures if parse_figure(f)[0] != "train"]
    if others:
        cmd = java_cmd(args) + ["-cp", args.bench_jar, "dev.tripletcuda.bench.PeerFigures",
                                "--device", args.device, "--threads", str(args.threads)]
        cmd += timing_args(args)
        for f in others:
            cmd += ["--figure", f]
        result.update(json.loads(run(cmd)))
    for f in figures:
        if parse_figure(f)[0] == "train":
            result["figures"].append(ours_train(f, args))
    return result


def timing_args(args):
    return ["--warmup-s", str(args.warmup_s), "--samples", str(args.samples),
            "--sample-s", str(args.sample_s)]


def machine_peak(args):
    out = run(java_cmd(args) + ["-cp", args.bench_jar, "dev.tripletcuda.bench.MachinePeak",
                                str(args.threads)])
    return json.loads(out)


# ----------------------------------------------------------------------------------------
# PyTorch's side

def peer_blas(args):
    """The BLAS libraries torch maps once it has multiplied two matrices (Linux), or None."""
    code = ("import sys; sys.path.insert(0, %r); import torch_peer, json; "
            "print(json.dumps(torch_peer.blas_loaded()))" % HERE)
    return json.loads(run([args.python, "-c", code]))


def check_peer_blas(args):
    """Refuses a CPU comparison against a PyTorch that multiplies with the reference BLAS.

    Debian's python3-torch links libblas.so.3, which is the unoptimised reference BLAS unless
    an optimised one is installed beside it; PyTorch's matrix products are then about ten times
    slower and every ratio would flatter us.
    """
    # Debian keeps the reference build in .../blas/; an optimised libblas.so.3 lives beside
    # its own library (.../openblas-pthread/, .../blis-openmp/). torch needs libblas.so.3, so
    # that one answers its products even when another BLAS is mapped too.
    reference = [p for p in peer_blas(args) or []
                 if os.path.basename(p).startswith("libblas.so")
                 and os.path.basename(os.path.dirname(p)) == "blas"]
    if not reference:
        return
    what = f"compare: PyTorch multiplies matrices with {reference[0]}, the reference BLAS"
    if not args.allow_reference_blas:
        raise SystemExit(f"{what}, about ten times slower than an optimised one; install one "
                         "(apt-get install libopenblas0-pthread) or pass --allow-reference-blas")
    log(f"{what} (--allow-reference-blas): its matrix products run about ten times slower "
        "than with an optimised one")


def peer(figures, args):
    env = dict(os.environ)
    if args.device == "cpu":
        # The same thread count for OpenMP and for whichever BLAS torch loads.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(args.threads)
    cmd = [args.python, os.path.join(HERE, "torch_peer.py"), "--device", args.device,
           "--threads", str(args.threads), "--repeats", str(args.repeats)] + timing_args(args)
    for f in figures:
        cmd += ["--figure", f]
    return json.loads(run(cmd, env=env))


# ----------------------------------------------------------------------------------------
# The table

def speedup(o, p):
    if not o or not p or not o.get("value") or not p.get("value"):
        return None
    return o["value"] / p["value"] if o["better"] == "higher" else p["value"] / o["value"]


def verdict(target, ratio, gflops, peak):
    """'pass', 'fail' or '' for a target text: '-', a speedup 'N' or 'peak=F'."""
    if target in ("-", ""):
        return ""
    if target.startswith("peak="):
        if gflops is None or not peak:
            return "n/a"
        return "pass" if gflops / peak >= float(target[5:]) else "fail"
    if ratio is None:
        return "n/a"
    return "pass" if ratio >= float(target) else "fail"


def rows(figures, targets, ours_res, peer_res, peak):
    by_o = {f["figure"]: f for f in ours_res.get("figures", [])}
    by_p = {f["figure"]: f for f in peer_res.get("figures", [])}
    out = []
    for f in figures:
        o, p = by_o.get(f), by_p.get(f)
        ratio = speedup(o, p)
        gflops = (o or {}).get("rates", {}).get("GFLOP/s")
        target = targets.get(f, "-")
        out.append({
            "figure": f,
            "unit": (o or p or {}).get("unit", ""),
            "ours": o["value"] if o else None,
            "pytorch": p["value"] if p else None,
            "speedup": ratio,
            "target": target if target.startswith("peak=") or target == "-" else f">={target}x",
            "result": verdict(target, ratio, gflops, peak),
            "ours_gflops": gflops,
            "pytorch_gflops": (p or {}).get("rates", {}).get("GFLOP/s"),
            "ours_fraction_of_peak": gflops / peak if gflops and peak else None,
            "ours_precision_at_1": (o or {}).get("precision_at_1"),
            "pytorch_precision_at_1": (p or {}).get("precision_at_1"),
            "pytorch_cdist_ms": (p or {}).get("cdist_ms"),
        })
    return out


def fmt(v, digits=4):
    if v is None:
        return "-"
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def print_table(table, out=sys.stdout):
    head = ["figure", "unit", "ours", "PyTorch", "speedup", "target", "result",
            "ours GFLOP/s", "of peak"]
    lines = [head]
    for r in table:
        lines.append([r["figure"], r["unit"], fmt(r["ours"]), fmt(r["pytorch"]),
                      "-" if r["speedup"] is None else f"{r['speedup']:.2f}x", r["target"],
                      r["result"] or "-", fmt(r["ours_gflops"], 3),
                      "-" if r["ours_fraction_of_peak"] is None
                      else f"{100 * r['ours_fraction_of_peak']:.0f}%"])
    width = [max(len(line[c]) for line in lines) for c in range(len(head))]
    for i, line in enumerate(lines):
        cells = [line[c].ljust(width[c]) if c in (0, 1, 5, 6) else line[c].rjust(width[c])
                 for c in range(len(head))]
        print("  ".join(cells).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in width), file=out)
    for r in table:
        if r["ours_precision_at_1"] is not None or r["pytorch_precision_at_1"] is not None:
            print(f"  {r['figure']}: precision@1 ours {fmt(r['ours_precision_at_1'])}, "
                  f"PyTorch {fmt(r['pytorch_precision_at_1'])}", file=out)
        if r["pytorch_cdist_ms"] is not None:
            print(f"  {r['figure']}: PyTorch torch.cdist(x, y) ** 2 takes "
                  f"{fmt(r['pytorch_cdist_ms'])} ms", file=out)


# ----------------------------------------------------------------------------------------

def machine(args):
    info = {"platform": platform.platform(), "processors": os.cpu_count(),
            "load_average_before": os.getloadavg()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if shutil.which(args.java):
        ver = subprocess.run([args.java, "-version"], capture_output=True, text=True)
        info["java"] = ver.stderr.strip().splitlines()
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=2,
                    help="threads on both sides (default: 2)")
    ap.add_argument("--figures-file",
                    help="default: figures-cpu.txt or figures-gpu.txt beside this script")
    ap.add_argument("--figure", action="append", default=[],
                    help="only these figures (repeatable); targets from the figure list")
    ap.add_argument("--repeats", type=int, default=1, help="runs per train figure (median)")
    ap.add_argument("--warmup-s", type=float, default=3.0)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--sample-s", type=float, default=0.5)
    ap.add_argument("--java", default=os.path.join(os.environ["JAVA_HOME"], "bin", "java")
                    if os.environ.get("JAVA_HOME") else "java")
    ap.add_argument("--python", default=sys.executable, help="the Python that has torch")
    ap.add_argument("--cli-jar", default=CLI_JAR, help="default: java/target/tripletcuda.jar")
    ap.add_argument("--bench-jar", default=BENCH_JAR,
                    help="default: benchmarks/target/benchmarks.jar")
    ap.add_argument("--batch", action="store_true",
                    help="each side times all figures in one process, ours first")
    ap.add_argument("--ours", help="take our side from this JSON instead of running it")
    ap.add_argument("--peer", help="take PyTorch's side from this JSON instead of running it")
    ap.add_argument("--allow-reference-blas", action="store_true",
                    help="compare even when PyTorch runs on the unoptimised reference BLAS")
    ap.add_argument("--peak-gflops", type=float,
                    help="FP32 peak for the 'of peak' column (default on the CPU: measured "
                         "by MachinePeak)")
    ap.add_argument("--out", default=None,
                    help="results prefix (default: benchmarks/results/compare-DEVICE); "
                         "writes PREFIX.json and PREFIX.csv")
    args = ap.parse_args(argv)
    if args.threads < 1 or args.repeats < 1 or args.samples < 1:
        ap.error("--threads, --repeats and --samples must be >= 1")

    try:
        listed = read_figures_file(args.figures_file or os.path.join(
            HERE, f"figures-{'cpu' if args.device == 'cpu' else 'gpu'}.txt"))
        figures = args.figure or [f for f, _ in listed]
        for f in figures:
            parse_figure(f)
    except (ValueError, OSError) as e:
        ap.error(str(e))
    targets = dict(listed)

    if args.device == "cpu" and not args.peer:
        check_peer_blas(args)
    info = machine(args)
    peak = None
    if args.peak_gflops:
        peak = {"fp32_fma_gflops": args.peak_gflops, "source": "--peak-gflops"}
    elif args.device == "cpu" and not args.ours:
        peak = machine_peak(args)
        peak["source"] = "MachinePeak"

    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    ours_res = load(args.ours) if args.ours else None
    peer_res = load(args.peer) if args.peer else None
    # Figure by figure, ours then PyTorch's, so that both sides of a figure run minutes apart
    # at most and share whatever else the machine is doing; or each side in one go (--batch).
    for part in [figures] if args.batch else [[f] for f in figures]:
        if not args.ours:
            ours_res = merge(ours_res, ours(part, args))
        if not args.peer:
            peer_res = merge(peer_res, peer(part, args))
    info["load_average_after"] = os.getloadavg()

    estimate = peer_res.get("machine", {}).get("fp32_peak_gflops_estimate")
    if peak is None and args.device == "cuda" and estimate:
        peak = {"fp32_fma_gflops": estimate, "source": "SMs x FP32 lanes x 2 x max SM clock"}
    peak_gflops = peak["fp32_fma_gflops"] if peak else None
    table = rows(figures, targets, ours_res, peer_res, peak_gflops)
    print()
    print(f"tripletcuda vs PyTorch {peer_res.get('machine', {}).get('torch', '?')}, "
          f"device {args.device}, {args.threads} threads each side; "
          f"speedup = ours over PyTorch")
    print_table(table)
    blas = peer_res.get("machine", {}).get("blas_loaded")
    if args.device == "cpu" and blas:
        print(f"  PyTorch's BLAS: {', '.join(blas)}")
    if peak:
        print(f"  peak: {peak.get('fp32_fma_gflops')} GFLOP/s FP32 FMA"
              + (f", {peak['triad_gb_per_s']} GB/s triad" if "triad_gb_per_s" in peak else "")
              + f" ({peak['source']})")
    print(f"  load average before {info['load_average_before']}, "
          f"after {info['load_average_after']}")

    prefix = args.out or os.path.join(HERE, "results", f"compare-{args.device}")
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    with open(prefix + ".json", "w", encoding="utf-8") as f:
        json.dump({"started": started, "device": args.device, "threads": args.threads,
                   "machine": info, "peak": peak, "table": table, "ours": ours_res,
                   "pytorch": peer_res}, f, indent=2)
        f.write("\n")
    with open(prefix + ".csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0].keys()))
        w.writeheader()
        w.writerows(table)
    log(f"results: {prefix}.json, {prefix}.csv")
    return 0


def merge(into, part):
    """into with part's figures appended; part itself when into is None."""
    if into is None:
        return part
    into["figures"].extend(part["figures"])
    return into


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


if __name__ == "__main__":
    sys.exit(main())
