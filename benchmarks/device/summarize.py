#!/usr/bin/env python3
"""Writes the device check's summary.md from what run.sh collected in one folder.

Reads train.json, jmh.json (JMH's JSON results) and torch.json (torch_peer.py) from FOLDER,
and status.txt (one "stage: verdict" line per stage) and versions.txt from NOTES (FOLDER when
not given), each optional, and prints a Markdown report: the stages' verdicts, the versions,
the training result, and a table of every benchmark beside its PyTorch peer with a rate each.

Usage: summarize.py FOLDER [NOTES] > FOLDER/summary.md
"""
import json
import os
import sys

# name: (what one call does, its work, the unit of the rate)
WORK = {
    "gemmFirstLayer": ("(160,784) x (784,256)", 2 * 160 * 784 * 256, "GFLOP/s"),
    "gemmSquare4096": ("4096^3 product", 2 * 4096 ** 3, "GFLOP/s"),
    "pairwise1024": ("1024 x 1024 distances, D=128", 2 * 1024 * 1024 * 128, "GFLOP/s"),
    "tripletBatchAll160": ("batch-all fwd+bwd, B=160", 160, "samples/s"),
    "tripletBatchAll1024": ("batch-all fwd+bwd, B=1024", 1024, "samples/s"),
    "tripletBatchHard1024": ("batch-hard fwd+bwd, B=1024", 1024, "samples/s"),
    "tripletSemiHard1024": ("semi-hard fwd+bwd, B=1024", 1024, "samples/s"),
    "knnK1": ("2000 queries x 8000 rows, k=1", 2000, "queries/s"),
    "knnK100": ("2000 queries x 8000 rows, k=100", 2000, "queries/s"),
    "adamStep": ("Adam over 233,856 params", 233856, "params/s"),
    "trainStep160": ("one training step, B=160", 160, "samples/s"),
}


def load(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": f"{name} unreadable: {e}"}


def text(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return ""
    with open(path, errors="replace") as f:
        return f.read().strip()


def rate(work, unit, micros):
    if not micros:
        return ""
    per_s = work / (micros * 1e-6)
    if unit == "GFLOP/s":
        return f"{per_s / 1e9:,.0f} {unit}"
    if per_s >= 1e6:
        return f"{per_s / 1e6:,.2f} M {unit}"
    return f"{per_s:,.0f} {unit}"


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    folder = sys.argv[1]
    notes = sys.argv[2] if len(sys.argv) == 3 else folder
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

    jmh = load(folder, "jmh.json")
    torch = load(folder, "torch.json")
    ours = {}
    if isinstance(jmh, list):
        for r in jmh:
            name = r.get("benchmark", "").rsplit(".", 1)[-1]
            metric = r.get("primaryMetric", {})
            if metric.get("scoreUnit") == "us/op":
                ours[name] = (metric.get("score"), metric.get("scoreError"))
    peers = torch.get("results", {}) if isinstance(torch, dict) else {}
    if ours or peers:
        meta = torch.get("meta", {}) if isinstance(torch, dict) else {}
        out += ["## Kernels and one training step beside PyTorch", "",
                f"tripletcuda: JMH average time per call, device synchronised; PyTorch "
                f"{meta.get('torch', '?')} (CUDA {meta.get('cuda', '?')}, Adam "
                f"{meta.get('adam', '?')}): mean per call, synchronised, FP32, TF32 off.", "",
                "| operation | work | tripletcuda (us) | rate | PyTorch (us) | rate | "
                "PyTorch / tripletcuda |",
                "|---|---|---:|---:|---:|---:|---:|"]
        for name, (what, work, unit) in WORK.items():
            mine = ours.get(name, (None, None))
            peer = peers.get(name, {}).get("us")
            mine_s = f"{mine[0]:,.1f} ± {mine[1]:,.1f}" if mine[0] is not None else "-"
            peer_s = f"{peer:,.1f}" if peer else "-"
            ratio = f"{peer / mine[0]:.2f}x" if peer and mine[0] else "-"
            out.append(f"| {name} | {what} | {mine_s} | {rate(work, unit, mine[0])} | "
                       f"{peer_s} | {rate(work, unit, peer)} | {ratio} |")
        out.append("")
        out.append("A ratio above 1 means tripletcuda is faster. PyTorch's batch-all and "
                   "semi-hard build the (B, B, B) tensor of every triplet.")
        out.append("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
