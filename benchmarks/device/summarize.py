#!/usr/bin/env python3
"""Writes the device check's summary.md from what run.sh collected in one folder.

Reads, each optional: train.json (train --device cuda --json), compare-gpu.json (compare.py:
tripletcuda beside PyTorch on figures-gpu.txt) and jmh.json (the JMH suite's JSON results) from
FOLDER, and status.txt (one "stage: verdict" line per stage) and versions.txt from NOTES
(FOLDER when not given). Prints a Markdown report: the stages' verdicts, the versions, the
training result, the side-by-side table with its targets, and the JMH suite with time per call
and rates.

Usage: summarize.py FOLDER [NOTES] > FOLDER/summary.md
       summarize.py --targets compare-gpu.json   (one line: figures and targets met)
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from compare import fmt  # noqa: E402  (benchmarks/compare.py: the same number format)


def load(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": f"{name} unreadable: {e}"}


def text(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return ""
    with open(path, errors="replace", encoding="utf-8") as f:
        return f.read().strip()


def targets_line(compare):
    """'17 figures, 9 of 12 targets met' from compare.py's JSON."""
    table = compare.get("table", []) if isinstance(compare, dict) else []
    judged = [r for r in table if r.get("result") in ("pass", "fail")]
    met = sum(1 for r in judged if r["result"] == "pass")
    return f"{len(table)} figures, {met} of {len(judged)} targets met"


def compare_section(compare):
    if not isinstance(compare, dict) or "table" not in compare:
        return []
    torch = compare.get("pytorch", {}).get("machine", {})
    peak = compare.get("peak") or {}
    out = ["## Side by side with PyTorch on the same GPU (`benchmarks/compare.py --device "
           "cuda`)", "",
           f"PyTorch {torch.get('torch', '?')} (CUDA {torch.get('cuda', '?')}), FP32 with TF32 "
           f"off; speedup = ours over PyTorch; {targets_line(compare)}."
           + (f" FP32 peak {fmt(peak.get('fp32_fma_gflops'))} GFLOP/s ({peak.get('source')})."
              if peak else ""), "",
           "| figure | unit | tripletcuda | PyTorch | speedup | target | result | "
           "GFLOP/s | of peak |",
           "|---|---|---:|---:|---:|---|---|---:|---:|"]
    for r in compare["table"]:
        share = r.get("ours_fraction_of_peak")
        out.append("| " + " | ".join([
            r["figure"], r.get("unit", ""), fmt(r.get("ours")), fmt(r.get("pytorch")),
            "-" if r.get("speedup") is None else f"{r['speedup']:.2f}x",
            r.get("target", "-"), r.get("result") or "-", fmt(r.get("ours_gflops"), 3),
            "-" if share is None else f"{100 * share:.0f}%"]) + " |")
    out.append("")
    for r in compare["table"]:
        if r.get("ours_precision_at_1") is not None:
            out.append(f"- {r['figure']}: precision@1 ours {fmt(r['ours_precision_at_1'])}, "
                       f"PyTorch {fmt(r.get('pytorch_precision_at_1'))}")
    out.append("")
    return out


def jmh_section(jmh):
    if not isinstance(jmh, list) or not jmh:
        return []
    out = ["## The JMH suite, `-p backend=cuda`", "",
           "Throughput mode, one JVM (-f 0), device synchronised inside each call.", "",
           "| benchmark | parameters | ms/call | rates per second |",
           "|---|---|---:|---|"]
    for r in jmh:
        name = ".".join(r.get("benchmark", "").rsplit(".", 2)[-2:])
        params = " ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items()
                          if k != "backend")
        score = r.get("primaryMetric", {}).get("score")
        ms = f"{1000 / score:.4g}" if score else "-"
        rates = ", ".join(f"{m.get('score', 0):.4g} {k}"
                          for k, m in (r.get("secondaryMetrics") or {}).items())
        out.append(f"| {name} | {params} | {ms} | {rates} |")
    out.append("")
    return out


def main(argv):
    if len(argv) == 2 and argv[0] == "--targets":
        print(targets_line(load(os.path.dirname(argv[1]) or ".", os.path.basename(argv[1]))))
        return 0
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    folder = argv[0]
    notes = argv[1] if len(argv) == 2 else folder
    out = ["# tripletcuda device check", ""]

    status = text(notes, "status.txt")
    out += ["## Stages", "", "```", status or "(no stage ran)", "```", ""]

    versions = text(notes, "versions.txt")
    if versions:
        out += ["## Machine and versions", "", "```", versions, "```", ""]

    train = load(folder, "train.json")
    if isinstance(train, dict) and "precision_at_1" in train:
        out += ["## Training on the embedded sample (`train --device cuda --json`)", ""]
        for key in ("precision_at_1", "final_loss", "train_samples_per_s", "train_seconds",
                    "epochs", "batch_size", "mining", "backend"):
            if key in train:
                out.append(f"- {key}: {train[key]}")
        out.append("")

    out += compare_section(load(folder, "compare-gpu.json"))
    out += jmh_section(load(folder, "jmh.json"))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
