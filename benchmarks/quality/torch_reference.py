#!/usr/bin/env python3
"""The training protocol of `tripletcuda train`, written in PyTorch, to compare quality.

Same data handling (IDX bytes scaled to [0, 1]; CSV columns standardised with the training
split's mean and deviation; with a single file, a seeded stratified 80/20 split), the same
network (dense layers with ReLU between them, L2-normalised output, PyTorch's default
initialisation), the same loss (squared-L2 triplet loss with margin, batch-all / batch-hard /
semi-hard mining, mean over active triplets), the same P x K batches (epoch = floor(N / (P*K))
batches), Adam, and precision@1 of the test split against the training split.

    python3 torch_reference.py --train data.csv [--test test.csv] [--mining batch-all] ...
    python3 torch_reference.py --idx-dir path/to/mnist-10k          (train/ and test/ inside)

Prints one JSON object: precision_at_1, pair_auc (all test-test pairs, scored by minus the
squared distance), fewshot_5way_3shot (1,000 nearest-prototype episodes on the test split, 5
queries per class), train_samples_per_s, final_loss and the settings.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_idx_dir(folder):
    def split(name):
        d = os.path.join(folder, name)
        imgs = [f for f in os.listdir(d) if "idx3" in f][0]
        labs = [f for f in os.listdir(d) if "idx1" in f][0]
        x = read_idx(os.path.join(d, imgs)).reshape(-1, 28 * 28).astype(np.float32) / 255.0
        y = read_idx(os.path.join(d, labs)).astype(np.int64)
        return x, y
    return split("train"), split("test")


def read_csv(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        lines = [l.strip() for l in f if l.strip()]
    first = lines[0].split(",")
    try:
        [float(c) for c in first[:-1]]
        start = 0
    except ValueError:
        start = 1
    rows = [l.split(",") for l in lines[start:]]
    x = np.array([[float(c) for c in r[:-1]] for r in rows], dtype=np.float32)
    names = [r[-1].strip() for r in rows]
    return x, names


def stratified_split(y, fraction, seed):
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        n_test = 0 if len(idx) < 2 else max(1, int(round(len(idx) * fraction)))
        test.extend(idx[:n_test])
        train.extend(idx[n_test:])
    return np.sort(train), np.sort(test)


def triplet_loss(emb, labels, margin, mining):
    d = torch.cdist(emb, emb).pow(2)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos = same & ~eye
    neg = ~same
    if mining == "batch-all":
        loss = d[:, :, None] - d[:, None, :] + margin
        valid = pos[:, :, None] & neg[:, None, :]
        loss = torch.where(valid, loss.clamp(min=0), torch.zeros_like(loss))
    elif mining == "batch-hard":
        hp = torch.where(pos, d, torch.full_like(d, -1e9)).max(1).values
        hn = torch.where(neg, d, torch.full_like(d, 1e9)).min(1).values
        loss = (hp - hn + margin).clamp(min=0)
    else:  # semi-hard
        dn = torch.where(neg, d, torch.full_like(d, float("inf")))
        far = torch.where(neg, d, torch.full_like(d, -float("inf"))).max(1).values
        semi = torch.where(dn[:, None, :] > d[:, :, None], dn[:, None, :],
                           torch.full_like(dn[:, None, :].expand(-1, len(labels), -1),
                                           float("inf"))).min(2).values
        chosen = torch.where(torch.isinf(semi), far[:, None].expand_as(semi), semi)
        loss = torch.where(pos, (d - chosen + margin).clamp(min=0), torch.zeros_like(d))
    active = (loss > 0).sum()
    return loss.sum() / active.clamp(min=1)


def pair_auc(emb, y):
    """ROC AUC of same-class test pairs against the rest, ties counted half."""
    d = torch.cdist(emb, emb).pow(2).numpy()
    iu = np.triu_indices(len(y), 1)
    score = -d[iu]
    same = (y[:, None] == y[None, :])[iu]
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    i = 0
    while i < len(sorted_scores):
        j = i
        while j + 1 < len(sorted_scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    npos = same.sum()
    nneg = len(same) - npos
    return float((ranks[same].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def few_shot(emb, y, rng, ways=5, shots=3, queries=5, episodes=1000):
    """Accuracy of nearest-prototype classification over random N-way K-shot episodes."""
    e = emb.numpy()
    classes = [c for c in np.unique(y) if np.sum(y == c) >= shots + queries]
    if len(classes) < ways:
        return None
    right = total = 0
    for _ in range(episodes):
        chosen = rng.choice(classes, size=ways, replace=False)
        protos, qs, ql = [], [], []
        for w, c in enumerate(chosen):
            idx = rng.choice(np.flatnonzero(y == c), size=shots + queries, replace=False)
            protos.append(e[idx[:shots]].mean(0))
            qs.append(e[idx[shots:]])
            ql.extend([w] * queries)
        protos = np.stack(protos)
        q = np.concatenate(qs)
        d = ((q[:, None, :] - protos[None, :, :]) ** 2).sum(2)
        right += int(np.sum(d.argmin(1) == np.array(ql)))
        total += len(ql)
    return right / total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train")
    ap.add_argument("--test")
    ap.add_argument("--idx-dir")
    ap.add_argument("--layers", default="256,128")
    ap.add_argument("--mining", default="batch-all")
    ap.add_argument("--margin", type=float, default=0.2)
    ap.add_argument("--classes-per-batch", type=int, default=10)
    ap.add_argument("--per-class", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    if a.idx_dir:
        (xtr, ytr), (xte, yte) = load_idx_dir(a.idx_dir)
    else:
        x, names = read_csv(a.train)
        classes = sorted(set(names))
        y = np.array([classes.index(n) for n in names])
        if a.test:
            xte, nte = read_csv(a.test)
            yte = np.array([classes.index(n) if n in classes else -1 for n in nte])
            xtr, ytr = x, y
        else:
            tr, te = stratified_split(y, 0.2, a.seed)
            xtr, ytr, xte, yte = x[tr], y[tr], x[te], y[te]
        mean = xtr.mean(0)
        sd = xtr.std(0)
        sd[sd < 1e-12] = 1
        xtr = (xtr - mean) / sd
        xte = (xte - mean) / sd

    sizes = [xtr.shape[1]] + [int(s) for s in a.layers.split(",")]
    mods = []
    for i in range(len(sizes) - 1):
        mods.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*mods)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    p = min(a.classes_per_batch, len(np.unique(ytr)))
    k = a.per_class
    by_class = {c: np.flatnonzero(ytr == c) for c in np.unique(ytr)}
    xt = torch.from_numpy(xtr)
    batches = len(ytr) // (p * k)
    loss_v = 0.0
    start = time.perf_counter()
    for _ in range(a.epochs):
        for _ in range(batches):
            cls = rng.choice(list(by_class), size=p, replace=False)
            idx = np.concatenate([rng.choice(by_class[c], size=k, replace=False) for c in cls])
            emb = torch.nn.functional.normalize(net(xt[idx]), dim=1)
            loss = triplet_loss(emb, torch.from_numpy(ytr[idx]), a.margin, a.mining)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_v = float(loss)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        etr = torch.nn.functional.normalize(net(xt), dim=1)
        ete = torch.nn.functional.normalize(net(torch.from_numpy(xte)), dim=1)
        nn_idx = torch.cdist(ete, etr).argmin(1).numpy()
    p1 = float(np.mean(ytr[nn_idx] == yte))
    auc = pair_auc(ete, yte)
    fs = few_shot(ete, yte, np.random.default_rng(a.seed))
    print(json.dumps({"precision_at_1": p1, "pair_auc": auc, "fewshot_5way_3shot": fs,
                      "train_samples_per_s": a.epochs * batches * p * k
                      / seconds, "final_loss": loss_v, "mining": a.mining, "epochs": a.epochs,
                      "batches_per_epoch": batches, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
