"""Python half of `make interop`: recompute batchq's Q-values with Python's XGBoost (trees) or numpy (neural net).

For every bundle under DIR (written by org.batchq.bench.Interop), load it as docs/model-format.md shows, predict on
DIR/obs.csv and compare with the bundle's batchq-q.csv: at most 1e-4 apart, and the same greedy action except where
either side has an exact tie. Exit 1 if any bundle fails.
"""
import json, os, struct, sys
import numpy as np
import xgboost as xgb


def tree_q(bundle, manifest, obs):
    A = manifest["action_count"]
    if manifest["algorithm"] == "multiple":
        boosters = [xgb.Booster(model_file=f"{bundle}/q-action-{a}.json") for a in range(A)]
        return np.stack([b.inplace_predict(obs) for b in boosters], axis=1)
    booster = xgb.Booster(model_file=f"{bundle}/q.json")  # single: obs followed by one-hot(action)
    return np.stack([booster.inplace_predict(np.hstack([obs, np.tile(np.eye(A, dtype=np.float32)[a], (len(obs), 1))]))
                     for a in range(A)], axis=1)


def neural_q(bundle, obs):
    raw = open(f"{bundle}/q.safetensors", "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    t = {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype="<f4").reshape(v["shape"])
         for k, v in header.items() if k != "__metadata__"}
    h = (obs - t["input.mean"]) / t["input.std"]
    i = 0
    while f"trunk.{i}.weight" in t:
        h = np.maximum(h @ t[f"trunk.{i}.weight"].T + t[f"trunk.{i}.bias"], 0)
        i += 1
    return h @ t["head.weight"].T + t["head.bias"]


def ties(q):
    return (q == q.max(axis=1, keepdims=True)).sum(axis=1) > 1


def main(root):
    obs = np.loadtxt(f"{root}/obs.csv", delimiter=",", dtype=np.float32, ndmin=2)
    print(f"xgboost {xgb.__version__}, numpy {np.__version__}; {len(obs)} observations")
    print(f"{'bundle':10} {'algorithm':10} {'max |dQ|':>10} {'actions differ':>15} {'ties':>6}  verdict")
    failed = 0
    for name in sorted(os.listdir(root)):
        bundle = os.path.join(root, name)
        if not os.path.isfile(os.path.join(bundle, "manifest.json")):
            continue
        manifest = json.load(open(os.path.join(bundle, "manifest.json")))
        expected = np.loadtxt(f"{bundle}/batchq-q.csv", delimiter=",", dtype=np.float32, ndmin=2)
        q = neural_q(bundle, obs) if manifest["algorithm"] == "neural" else tree_q(bundle, manifest, obs)
        diff = float(np.abs(q - expected).max())
        tied = ties(q) | ties(expected)
        differ = int(((q.argmax(axis=1) != expected.argmax(axis=1)) & ~tied).sum())
        ok = diff <= 1e-4 and differ == 0
        failed += not ok
        print(f"{name:10} {manifest['algorithm']:10} {diff:10.2e} {differ:15d} {int(tied.sum()):6d}  "
              f"{'ok' if ok else 'FAIL'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/interop")
