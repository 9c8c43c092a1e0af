#!/usr/bin/env python3
"""PyTorch's side of tripletcuda's comparison: the same figures, done the natural PyTorch way.

Each figure is written kind:key=value,... (see figures-cpu.txt and figures-gpu.txt):

  pairwise:n=,m=,d=   squared L2 distances x (n, d) to y (m, d) by the norm expansion
                      |x|^2 + |y|^2 - 2 x y^T clamped at 0 (what tripletcuda computes); the
                      time of torch.cdist(x, y) ** 2 is recorded beside it as "cdist_ms"
  knn:q=,n=,d=,k=     exact search from scratch: torch.cdist + torch.topk(largest=False),
                      queries in chunks of at most 2^28 distances
  loss:mining=,b=,d=,k=
                      triplet loss forward and backward on unit rows, b/k classes of k rows
                      (k = 16 by default): the (b, b, b) tensor for batch-all and semi-hard,
                      row max/min for batch-hard; margin 0.2, mean over active triplets
  step:mining=,b=     one training step of the 784-256-128 network (10 classes x b/10 rows)
  train:mining=[,epochs=]
                      the MNIST sample's training protocol (10 epochs of 50 batches of 10 x 16,
                      Adam 1e-3): samples per second over the training loop only, then
                      precision@1 on the test split as a check that the work is the same

Times follow tripletcuda's CallTimer: calls back to back for a warm-up period, then samples of
as many calls as fill a minimum duration; the figure is the median time per call. On a GPU
every call ends with torch.cuda.synchronize(). Output: JSON (see --json).

Usage: torch_peer.py --device cpu --threads 2 --figures-file benchmarks/figures-cpu.txt
       torch_peer.py --device cuda --figures-file benchmarks/figures-gpu.txt --json out.json
"""

import argparse
import gzip
import json
import math
import os
import platform
import struct
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

from figure_list import int_param, parse_figure, read_figures_file

MARGIN = 0.2
CLASSES = 10
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "..", "java", "src", "main", "resources", "dev",
                            "tripletcuda", "data", "mnist-10k")


# ----------------------------------------------------------------------------------------
# Figures and timing

class Timer:
    """The warm-up and median-of-samples protocol, shared with tripletcuda's CallTimer."""

    def __init__(self, device, warmup_s, samples, sample_s):
        if samples < 1:
            raise ValueError(f"--samples={samples}, expected >= 1")
        self.device = device
        self.warmup_s = warmup_s
        self.samples = samples
        self.sample_s = sample_s

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def time(self, call):
        def run():
            call()
            self.sync()

        start = time.perf_counter()
        deadline = start + self.warmup_s
        calls = 0
        half_start, half_calls = start, 0
        while calls < 2 or time.perf_counter() < deadline:
            t = time.perf_counter()
            if t - start < (deadline - start) / 2:
                half_start, half_calls = t, 0
            run()
            calls += 1
            half_calls += 1
        per_call = (time.perf_counter() - half_start) / max(1, half_calls)
        n = max(1, math.ceil(self.sample_s / max(per_call, 1e-9)))

        ms = []
        for _ in range(self.samples):
            t0 = time.perf_counter()
            for _ in range(n):
                run()
            ms.append((time.perf_counter() - t0) * 1e3 / n)
        ms.sort()
        mid = len(ms) // 2
        median = ms[mid] if len(ms) % 2 else (ms[mid - 1] + ms[mid]) / 2
        return {"value": median, "unit": "ms", "better": "lower", "min_ms": ms[0],
                "max_ms": ms[-1], "calls_per_sample": n}


# ----------------------------------------------------------------------------------------
# The natural PyTorch implementations

def pairwise_sq(x, y):
    """(n, d), (m, d) -> (n, m) squared L2 distances by the norm expansion, clamped at 0."""
    xx = (x * x).sum(1, keepdim=True)
    yy = (y * y).sum(1)
    return (xx + yy - 2 * (x @ y.T)).clamp_min(0)


def label_masks(labels):
    """(B) -> positive mask (same label, a != p) and negative mask (other label), (B, B)."""
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    return same & ~eye, ~same


def batch_all_loss(emb, labels):
    d = pairwise_sq(emb, emb)
    pos, neg = label_masks(labels)
    t = d[:, :, None] - d[:, None, :] + MARGIN              # (a, p, n)
    valid = pos[:, :, None] & neg[:, None, :]
    t = torch.relu(t) * valid
    active = (t > 0).sum()
    return t.sum() / active.clamp_min(1)


def batch_hard_loss(emb, labels):
    d = pairwise_sq(emb, emb)
    pos, neg = label_masks(labels)
    hardest_pos = (d * pos).max(1).values
    hardest_neg = d.masked_fill(~neg, float("inf")).min(1).values
    t = torch.relu(hardest_pos - hardest_neg + MARGIN)
    return t.sum() / (t > 0).sum().clamp_min(1)


def semi_hard_loss(emb, labels):
    d = pairwise_sq(emb, emb)
    pos, neg = label_masks(labels)
    dp = d[:, :, None]                                       # d(a, p)
    dn = d[:, None, :]                                       # d(a, n)
    farther = neg[:, None, :] & (dn > dp)
    semi = dn.masked_fill(~farther, float("inf")).min(2).values            # (a, p)
    farthest = d.masked_fill(~neg, float("-inf")).max(1).values[:, None]
    chosen = torch.where(torch.isinf(semi), farthest.expand_as(semi), semi)
    t = torch.relu(d - chosen + MARGIN) * pos
    return t.sum() / (t > 0).sum().clamp_min(1)


LOSSES = {"batch-all": batch_all_loss, "batch-hard": batch_hard_loss,
          "semi-hard": semi_hard_loss}


def loss_fn(text, params):
    mining = params.get("mining", "batch-all")
    if mining not in LOSSES:
        raise ValueError(f"figure '{text}': mining={mining}, expected one of "
                         + ", ".join(LOSSES))
    return LOSSES[mining]


def unit_rows(n, d, gen, device):
    x = torch.randn(n, d, generator=gen)
    return F.normalize(x, dim=1).to(device)


def pk_labels(b, k, device):
    if k < 2 or b % k or b // k < 2:
        raise ValueError(f"batch={b} with {k} per class, expected a multiple of the "
                         "per-class count with at least 2 classes")
    return (torch.arange(b) // k).to(device)


# ----------------------------------------------------------------------------------------
# Training: data, network, sampler

def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", raw[8:16])
        data = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8)
        return data.reshape(count, rows * cols)
    if magic == 0x801:
        return torch.frombuffer(bytearray(raw[8:]), dtype=torch.uint8).long()
    raise ValueError(f"{path}: magic 0x{magic:08x}, expected an IDX images or labels file")


def load_split(root, split):
    x = read_idx(os.path.join(root, split, "images-idx3-ubyte.gz")).float() / 255
    y = read_idx(os.path.join(root, split, "labels-idx1-ubyte.gz"))
    return x, y


class Net(torch.nn.Module):
    """784-256-128, ReLU between, L2-normalised output; He-uniform weights, zero biases."""

    def __init__(self, sizes=(784, 256, 128)):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        for layer in self.layers:
            bound = math.sqrt(6.0 / layer.in_features)
            torch.nn.init.uniform_(layer.weight, -bound, bound)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return F.normalize(x, dim=1, eps=1e-12)


class PkSampler:
    """Batches of p classes x k rows: classes and each class's rows in shuffled rounds."""

    def __init__(self, labels, p, k, gen):
        self.p, self.k, self.gen = p, k, gen
        self.classes = sorted(set(labels.tolist()))
        if len(self.classes) < p:
            raise ValueError(f"{len(self.classes)} classes, fewer than {p} per batch")
        self.members = {c: (labels == c).nonzero().flatten() for c in self.classes}
        self.order = {c: self._shuffle(m) for c, m in self.members.items()}
        self.cursor = {c: 0 for c in self.classes}
        self.class_order, self.class_cursor = [], 0

    def _shuffle(self, t):
        return t[torch.randperm(len(t), generator=self.gen)]

    def next(self):
        rows, labels = [], []
        while len(labels) < self.p:
            if self.class_cursor == len(self.class_order):
                perm = torch.randperm(len(self.classes), generator=self.gen).tolist()
                self.class_order = [self.classes[i] for i in perm]
                self.class_cursor = 0
            c = self.class_order[self.class_cursor]
            self.class_cursor += 1
            if c in labels:
                continue
            if self.cursor[c] + self.k > len(self.order[c]):
                self.order[c] = self._shuffle(self.members[c])
                self.cursor[c] = 0
            rows.append(self.order[c][self.cursor[c]:self.cursor[c] + self.k])
            self.cursor[c] += self.k
            labels.append(c)
        label_rows = torch.tensor(labels).repeat_interleave(self.k)
        return torch.cat(rows), label_rows


class Training:
    """The model, optimiser, device-resident data and sampler of one training run."""

    def __init__(self, data_dir, mining, per_class, device, seed):
        self.device = device
        self.loss = LOSSES[mining]
        torch.manual_seed(seed)
        x, y = load_split(data_dir, "train")
        self.x, self.y = x.to(device), y.to(device)
        self.net = Net().to(device)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.sampler = PkSampler(y, CLASSES, per_class, torch.Generator().manual_seed(seed))
        self.batch = CLASSES * per_class

    def step(self):
        rows, labels = self.sampler.next()
        rows = rows.to(self.device, non_blocking=True)
        labels = labels.to(self.device, non_blocking=True)
        emb = self.net(self.x[rows])
        loss = self.loss(emb, labels)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()

    @torch.no_grad()
    def precision_at_1(self, data_dir):
        xt, yt = load_split(data_dir, "test")
        train_emb = self.net(self.x)
        test_emb = self.net(xt.to(self.device))
        nearest = pairwise_sq(test_emb, train_emb).argmin(1)
        return (self.y[nearest] == yt.to(self.device)).float().mean().item()


# ----------------------------------------------------------------------------------------
# Figures

def figure(text, args, device, timer):
    kind, p = parse_figure(text)
    gen = torch.Generator().manual_seed(1)
    out = {"figure": text}
    if kind == "pairwise":
        n = int_param(text, p, "n")
        m = int_param(text, p, "m", n)
        d = int_param(text, p, "d")
        x = torch.randn(n, d, generator=gen).to(device)
        y = torch.randn(m, d, generator=gen).to(device)
        out.update(timer.time(lambda: pairwise_sq(x, y)))
        out["cdist_ms"] = timer.time(lambda: torch.cdist(x, y).pow_(2))["value"]
        work = {"GFLOP": 2e-9 * n * m * d, "pairs": n * m}
    elif kind == "knn":
        q = int_param(text, p, "q")
        n = int_param(text, p, "n")
        d = int_param(text, p, "d")
        k = int_param(text, p, "k")
        queries = torch.randn(q, d, generator=gen).to(device)
        base = torch.randn(n, d, generator=gen).to(device)
        chunk = max(1, min(q, (1 << 28) // n))

        def search():
            parts = [torch.topk(torch.cdist(queries[s:s + chunk], base), k, dim=1,
                                largest=False) for s in range(0, q, chunk)]
            return torch.cat([v for v, _ in parts]), torch.cat([i for _, i in parts])

        out.update(timer.time(search))
        out["query_chunk"] = chunk
        work = {"GFLOP": 2e-9 * q * n * d, "queries": q}
    elif kind == "loss":
        b = int_param(text, p, "b")
        d = int_param(text, p, "d")
        k = int_param(text, p, "k", 16)
        fn = loss_fn(text, p)
        emb = unit_rows(b, d, gen, device).requires_grad_()
        labels = pk_labels(b, k, device)

        def forward_backward():
            emb.grad = None
            fn(emb, labels).backward()

        out.update(timer.time(forward_backward))
        work = {"anchors": b}
    elif kind == "step":
        b = int_param(text, p, "b")
        if b % CLASSES:
            raise ValueError(f"figure '{text}': b={b}, expected a multiple of {CLASSES}")
        loss_fn(text, p)
        run = Training(args.data, p.get("mining", "batch-all"), b // CLASSES, device, 42)
        out.update(timer.time(run.step))
        work = {"samples": b}
    elif kind == "train":
        loss_fn(text, p)
        return train_figure(text, p, args, device, timer)
    else:
        raise ValueError(f"figure '{text}': kind '{kind}' unknown, expected pairwise, knn, "
                         "loss, step or train")
    out["rates"] = {f"{w}/s": v / (out["value"] / 1e3) for w, v in work.items()}
    return out


def train_figure(text, p, args, device, timer):
    """The protocol, timed from the first step to the end of the last; median of --repeats."""
    epochs = int_param(text, p, "epochs", 10)
    per_class = int_param(text, p, "k", 16)
    runs = []
    for r in range(args.repeats):
        run = Training(args.data, p.get("mining", "batch-all"), per_class, device, 42 + r)
        batches = len(run.y) // run.batch
        timer.sync()
        t0 = time.perf_counter()
        for _ in range(epochs * batches):
            run.step()
        timer.sync()
        seconds = time.perf_counter() - t0
        samples = epochs * batches * run.batch
        runs.append({"samples_per_s": samples / seconds, "seconds": seconds,
                     "precision_at_1": run.precision_at_1(args.data)})
    runs.sort(key=lambda r: r["samples_per_s"])
    mid = runs[len(runs) // 2]
    return {"figure": text, "value": mid["samples_per_s"], "unit": "samples/s",
            "better": "higher", "train_seconds": mid["seconds"],
            "precision_at_1": mid["precision_at_1"],
            "runs": [r["samples_per_s"] for r in runs]}


# ----------------------------------------------------------------------------------------

def blas_loaded():
    """The BLAS libraries mapped into this process once a matrix product has run (Linux)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if len(line.split()) >= 6}
    except OSError:
        return None
    return sorted(os.path.realpath(p) for p in paths
                  if "blas" in os.path.basename(p).lower() or "mkl" in os.path.basename(p))


def machine(device, threads):
    info = {"python": platform.python_version(), "torch": torch.__version__,
            "platform": platform.platform(), "processor": cpu_model(),
            "threads": threads if device.type == "cpu" else None}
    build = torch.__config__.show()
    for line in build.splitlines():
        if "BLAS_INFO" in line:
            info["blas_info"] = line.split("BLAS_INFO=")[1].split(",")[0]
    info["blas_loaded"] = blas_loaded()
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        info.update({"gpu": props.name, "gpu_memory_gib": props.total_memory / 2**30,
                     "sms": props.multi_processor_count,
                     "compute_capability": f"{props.major}.{props.minor}",
                     "cuda": torch.version.cuda,
                     "allow_tf32": torch.backends.cuda.matmul.allow_tf32})
        info.update(nvidia_smi(device.index or 0))
        lanes = FP32_LANES_PER_SM.get((props.major, props.minor))
        if lanes and info.get("max_sm_clock_mhz"):
            # Every FP32 lane retiring one FMA (2 flops) per cycle at the highest SM clock.
            info["fp32_peak_gflops_estimate"] = (
                props.multi_processor_count * lanes * 2 * info["max_sm_clock_mhz"] / 1e3)
    return info


# FP32 lanes per SM by compute capability, from NVIDIA's architecture documents.
FP32_LANES_PER_SM = {(7, 0): 64, (7, 5): 64, (8, 0): 64, (8, 6): 128, (8, 9): 128,
                     (9, 0): 128, (10, 0): 128, (12, 0): 128}


def nvidia_smi(index):
    """Driver version and highest SM clock of GPU index, when nvidia-smi answers."""
    try:
        line = subprocess.run(
            ["nvidia-smi", f"--id={index}", "--query-gpu=driver_version,clocks.max.sm",
             "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=30).stdout.strip()
        driver, clock = [x.strip() for x in line.split(",")]
        return {"driver": driver, "max_sm_clock_mhz": float(clock)}
    except (OSError, subprocess.SubprocessError, ValueError):
        return {"driver": None}


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: cpu)")
    ap.add_argument("--threads", type=int, default=None,
                    help="CPU threads: torch.set_num_threads (default: torch's own)")
    ap.add_argument("--figures-file", help="a figure list such as figures-cpu.txt")
    ap.add_argument("--figure", action="append", default=[], help="a figure; repeatable")
    ap.add_argument("--data", default=DEFAULT_DATA,
                    help="folder with train/ and test/ IDX files (default: the embedded "
                         "MNIST sample)")
    ap.add_argument("--warmup-s", type=float, default=3.0)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--sample-s", type=float, default=0.5)
    ap.add_argument("--repeats", type=int, default=1, help="runs per train figure (median)")
    ap.add_argument("--json", help="write the results here (default: standard output)")
    args = ap.parse_args(argv)

    try:
        figures = [f for f, _ in read_figures_file(args.figures_file)] \
            if args.figures_file else []
        figures += args.figure
        if not figures:
            raise ValueError("no figures: give --figures-file or --figure")
        for f in figures:
            parse_figure(f)
        if args.repeats < 1:
            raise ValueError(f"--repeats={args.repeats}, expected >= 1")
        if args.threads is not None and args.threads < 1:
            raise ValueError(f"--threads={args.threads}, expected >= 1")
        device = torch.device(args.device)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"--device {args.device}: this PyTorch sees no CUDA device")
        if device.type not in ("cpu", "cuda"):
            raise ValueError(f"--device {args.device}, expected cpu or cuda")
    except (ValueError, RuntimeError, OSError) as e:
        print(f"torch_peer: {e}", file=sys.stderr)
        return 2

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    # FP32 on both sides: no TF32 in PyTorch's matrix products.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    timer = Timer(device, args.warmup_s, args.samples, args.sample_s)
    result = {"side": "pytorch", "device": str(device),
              "threads": torch.get_num_threads(), "machine": machine(device, args.threads),
              "protocol": f"warm-up {args.warmup_s:.1f} s, median of {args.samples} samples "
                          f"of >= {args.sample_s:.2f} s", "figures": []}
    for f in figures:
        try:
            rec = figure(f, args, device, timer)
        except ValueError as e:
            print(f"torch_peer: {e}", file=sys.stderr)
            return 2
        result["figures"].append(rec)
        print(f"# {f:40s} {rec['value']:10.4g} {rec['unit']}", file=sys.stderr)
    text = json.dumps(result, indent=2) + "\n"
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
