#!/usr/bin/env python3
"""The work of CudaOpsBenchmark, done the usual PyTorch way on the same GPU, for comparison.

Each entry has the same name as the JMH benchmark method it mirrors, and is timed the same way:
one call, then torch.cuda.synchronize(), repeated for a warm-up and then a measured period; the
mean time per call is reported in microseconds. FP32 throughout (TF32 switched off), as in the
Java engine. The triplet losses are written as PyTorch code usually writes them: batch-all and
semi-hard build the (B, B, B) tensor of every triplet, where tripletcuda mines per anchor in
O(B^2) memory.

Usage: torch_peer.py --out results.json [--quick]
Exit codes: 0 written, 3 no PyTorch or no CUDA device (a one-line reason on stderr).
"""
import argparse
import json
import sys
import time


def timed(torch, fn, warmup_s, measure_s):
    """Mean seconds per call of fn() followed by a device synchronisation."""
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        fn()
        torch.cuda.synchronize()
    calls = 0
    start = time.perf_counter()
    while True:
        fn()
        torch.cuda.synchronize()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= measure_s and calls >= 3:
            return elapsed / calls, calls


def pairwise_sq(torch, x):
    n = (x * x).sum(1)
    return (n[:, None] + n[None, :] - 2.0 * (x @ x.t())).clamp_min(0)


def batch_all(torch, emb, labels, margin):
    """Mean over active triplets of max(0, d(a,p) - d(a,n) + margin), every triplet."""
    b = emb.shape[0]
    d = pairwise_sq(torch, emb)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(b, dtype=torch.bool, device=emb.device)
    valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
    t = d[:, :, None] - d[:, None, :] + margin
    active = valid & (t > 0)
    return (t * active).sum() / active.sum().clamp_min(1)


def batch_hard(torch, emb, labels, margin):
    b = emb.shape[0]
    d = pairwise_sq(torch, emb)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(b, dtype=torch.bool, device=emb.device)
    dp = (d * (same & ~eye)).max(1).values
    dn = (d + same * 1e9).min(1).values
    losses = (dp - dn + margin).clamp_min(0)
    active = losses > 0
    return losses.sum() / active.sum().clamp_min(1)


def semi_hard(torch, emb, labels, margin):
    b = emb.shape[0]
    d = pairwise_sq(torch, emb)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(b, dtype=torch.bool, device=emb.device)
    pos = same & ~eye
    neg = ~same
    # (a, p, n): negatives farther than the positive; the nearest of them, else the farthest.
    beyond = neg[:, None, :] & (d[:, None, :] > d[:, :, None])
    inf = torch.tensor(float("inf"), device=emb.device)
    nearest_beyond = torch.where(beyond, d[:, None, :], inf).min(2).values
    farthest = torch.where(neg, d, -inf).max(1).values[:, None].expand(b, b)
    dn = torch.where(beyond.any(2), nearest_beyond, farthest)
    losses = ((d - dn + margin).clamp_min(0)) * pos
    active = losses > 0
    return losses.sum() / active.sum().clamp_min(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="where to write the JSON results")
    parser.add_argument("--quick", action="store_true", help="shorter warm-up and measurement")
    args = parser.parse_args()
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("torch_peer: PyTorch is not installed", file=sys.stderr)
        return 3
    if not torch.cuda.is_available():
        print("torch_peer: PyTorch sees no CUDA device", file=sys.stderr)
        return 3

    warmup, measure = (0.2, 0.5) if args.quick else (0.5, 1.5)
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    gen = torch.Generator(device=dev).manual_seed(11)

    def randn(*shape, normalize=False):
        t = torch.randn(*shape, device=dev, generator=gen)
        return F.normalize(t, dim=1) if normalize else t

    results = {}

    def record(name, fn):
        seconds, calls = timed(torch, fn, warmup, measure)
        results[name] = {"us": seconds * 1e6, "calls": calls}
        print(f"torch_peer: {name:22s} {seconds * 1e6:12.1f} us", file=sys.stderr)

    x = randn(160, 784)
    w = randn(256, 784)
    h = torch.empty(160, 256, device=dev)
    record("gemmFirstLayer", lambda: torch.mm(x, w.t(), out=h))

    a = randn(4096, 4096)
    b = randn(4096, 4096)
    c = torch.empty(4096, 4096, device=dev)
    record("gemmSquare4096", lambda: torch.mm(a, b, out=c))
    del a, b, c

    e1024 = randn(1024, 128, normalize=True)
    record("pairwise1024", lambda: pairwise_sq(torch, e1024))

    def loss_step(loss_fn, emb, labels):
        def step():
            e = emb.detach().requires_grad_(True)
            loss = loss_fn(torch, e, labels, 0.2)
            loss.backward()
            return loss.item()
        return step

    e160 = randn(160, 128, normalize=True)
    l160 = torch.arange(160, device=dev) % 10
    l1024 = torch.arange(1024, device=dev) % 64
    record("tripletBatchAll160", loss_step(batch_all, e160, l160))
    record("tripletBatchAll1024", loss_step(batch_all, e1024, l1024))
    record("tripletBatchHard1024", loss_step(batch_hard, e1024, l1024))
    record("tripletSemiHard1024", loss_step(semi_hard, e1024, l1024))

    queries = randn(2000, 128, normalize=True)
    base = randn(8000, 128, normalize=True)
    base_norms = (base * base).sum(1)

    def knn(k):
        def run():
            d = ((queries * queries).sum(1)[:, None] + base_norms[None, :]
                 - 2.0 * (queries @ base.t())).clamp_min(0)
            return torch.topk(d, k, dim=1, largest=False, sorted=True)
        return run

    record("knnK1", knn(1))
    record("knnK100", knn(100))

    count = 784 * 256 + 256 + 256 * 128 + 128
    param = torch.nn.Parameter(randn(count))
    param.grad = randn(count)
    try:
        adam = torch.optim.Adam([param], lr=1e-3, fused=True)
        adam_kind = "fused"
    except (TypeError, RuntimeError):
        adam = torch.optim.Adam([param], lr=1e-3, foreach=True)
        adam_kind = "foreach"
    record("adamStep", adam.step)

    # One training step as the Java trainer runs it.
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = randn(8000, 784)
    rows_host = torch.randint(0, 8000, (160,), generator=torch.Generator().manual_seed(3))
    labels_host = torch.arange(160) // 16

    def train_step():
        rows = rows_host.to(dev, non_blocking=False)
        labels = labels_host.to(dev, non_blocking=False)
        xb = data.index_select(0, rows)
        y = F.normalize(model(xb), dim=1)
        loss = batch_all(torch, y, labels, 0.2)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = sum((p.grad * p.grad).sum() for p in model.parameters()).item()
        opt.step()
        return loss.item() + norm

    record("trainStep160", train_step)

    meta = {
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": torch.cuda.get_device_name(0),
        "adam": adam_kind,
        "tf32": False,
        "warmup_s": warmup,
        "measure_s": measure,
    }
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
