#!/usr/bin/env bash
# Quality beside PyTorch with the defaults of `tripletcuda train`, on the embedded MNIST sample
# and on three scikit-learn sets (digits, wine, breast cancer) that the defaults were not tuned
# on, three seeds each. For each run: `train --seed S --out M`, `eval --model M --json`, and
# torch_reference.py with the same protocol and seed. One JSON line per run on stdout.
#
#   benchmarks/quality/compare_quality.sh > benchmarks/results/quality-DATE.jsonl
#
# Needs the built jar (mvn -q -DskipTests package) and a Python 3 with torch and scikit-learn
# (Debian: apt-get install python3-torch python3-sklearn); PYTHON picks it (default
# /usr/bin/python3). SEEDS and DATASETS override the lists.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/java/target/tripletcuda.jar"
python="${PYTHON:-/usr/bin/python3}"
seeds="${SEEDS:-1 2 3}"
datasets="${DATASETS:-mnist digits wine cancer}"
mnist="$root/java/src/main/resources/dev/tripletcuda/data/mnist-10k"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[[ -f "$jar" ]] || { echo "compare_quality: build the jar first (mvn -q -DskipTests package)" >&2; exit 2; }

"$python" - "$work" <<'EOF'
import sys
from sklearn import datasets
for name, load in [("digits", datasets.load_digits), ("wine", datasets.load_wine),
                   ("cancer", datasets.load_breast_cancer)]:
    d = load()
    with open(f"{sys.argv[1]}/{name}.csv", "w") as f:
        f.write(",".join(f"f{i}" for i in range(d.data.shape[1])) + ",label\n")
        for x, y in zip(d.data, d.target):
            f.write(",".join(repr(float(v)) for v in x) + f",{d.target_names[y]}\n")
EOF

for ds in $datasets; do
  for seed in $seeds; do
    if [[ $ds == mnist ]]; then
      ours=(); peer=(--idx-dir "$mnist")
    else
      ours=(--train "$work/$ds.csv"); peer=(--train "$work/$ds.csv")
    fi
    java -jar "$jar" train "${ours[@]}" --seed "$seed" --out "$work/m.safetensors" -q --json \
      > "$work/train.json"
    java -jar "$jar" eval --model "$work/m.safetensors" "${ours[@]}" -q --json > "$work/eval.json"
    "$python" "$here/torch_reference.py" "${peer[@]}" --seed "$seed" > "$work/peer.json"
    "$python" - "$ds" "$seed" "$work" <<'EOF'
import json, sys
ds, seed, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
e = json.load(open(f"{work}/eval.json"))
p = json.load(open(f"{work}/peer.json"))
ours = ["precision_at_1", "pair_auc", "pair_ece", "fewshot_5way_3shot", "fewshot_verify_auc"]
print(json.dumps({"data": ds, "seed": seed, "ours": {k: e.get(k) for k in ours},
                  "torch": {k: p.get(k) for k in ["precision_at_1", "pair_auc",
                                                  "fewshot_5way_3shot"]}}))
EOF
  done
done
