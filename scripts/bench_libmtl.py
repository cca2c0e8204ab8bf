#!/usr/bin/python3
"""LibMTL's weighting methods on our demo network: milliseconds per training step.

For `scripts/bench_weighting.sh --libmtl DIR` (see docs/BENCHMARKS.md): the same network as
`example:fmnist-hard` (small_cnn, hard sharing: LibMTL's HPS over our SmallCnn from
bench_pytorch.py), batch 128, Adam lr 1e-3, at 3 tasks (category, group, the 12 looks
attributes) or 10 (category, group and 8 single-attribute tasks), each method's step as LibMTL's
trainer takes it: forward, the stacked losses, `model.backward(losses, **weight_args)` and the
optimiser step; SDMGrad and MoDo get three batches per step, as LibMTL's trainer gives them.

DIR is a checkout of median-research-group/LibMTL (nothing is downloaded). Its `weighting`
package imports cvxpy and qpsolvers in `__init__`, which Debian does not package, so the
method's own module is loaded alone (with `abstract_weighting` and the HPS architecture); CAGrad
needs python3-scipy. Batches are preloaded tensors, so the time is the step's, not the data
path's: compare the ratios to each library's own equal weighting, not the absolute times.

Run with Debian's interpreter (/usr/bin/python3), which has python3-torch (LibTorch 1.13.1).
Prints one JSON object per method as the last lines of stdout.
"""

import argparse
import csv
import importlib
import json
import os
import sys
import time
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_pytorch import CLASS_TO_GROUP, SmallCnn, load_split  # noqa: E402

ATTRIBUTES = os.path.join(HERE, "..", "resources", "datasets", "fashion-mnist", "attributes.csv")
TEN_TASK_ATTRIBUTES = ["footwear", "upper_body", "lower_body", "full_body", "has_sleeves",
                       "long_sleeves", "outerwear", "collar"]
# LibMTL's defaults (LibMTL/config.py) for the methods' options.
WEIGHT_ARGS = {"alpha": 1.5, "mgda_gn": "none", "calpha": 0.5, "rescale": 1,
               "SDMGrad_lamda": 0.3, "SDMGrad_niter": 20, "MoDo_gamma": 1e-3, "MoDo_rho": 0.1}
THREE_BATCHES = {"SDMGrad", "MoDo"}


def load_libmtl(root, method):
    """LibMTL's `method` class and HPS, without running the packages' __init__ files."""
    package = os.path.join(root, "LibMTL")
    if not os.path.isfile(os.path.join(package, "weighting", "abstract_weighting.py")):
        sys.exit(f"bench_libmtl.py: {root} is not a LibMTL checkout (no LibMTL/weighting/)")
    for name, path in (("LibMTL", package),
                       ("LibMTL.weighting", os.path.join(package, "weighting")),
                       ("LibMTL.architecture", os.path.join(package, "architecture"))):
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = [path]
            sys.modules[name] = module
    weighting = getattr(importlib.import_module(f"LibMTL.weighting.{method}"), method)
    hps = importlib.import_module("LibMTL.architecture.HPS").HPS
    return weighting, hps


def attribute_table():
    """Per class (in the IDX label order): the 12 looks attributes, as CSV columns 2…."""
    with open(ATTRIBUTES, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    return header[2:], np.array([[float(v) for v in row[2:]] for row in rows], dtype=np.float32)


def make_tasks(count):
    """[(name, outputs, loss(pred, target)), …] and a function from class labels to targets."""
    names, table = attribute_table()
    ce = lambda p, y: F.cross_entropy(p, y)  # noqa: E731
    bce = lambda p, y: F.binary_cross_entropy_with_logits(p, y)  # noqa: E731
    tasks = [("category", 10, ce, lambda c: c), ("group", 3, ce, lambda c: CLASS_TO_GROUP[c])]
    if count == 3:
        tasks.append(("looks", len(names), bce, lambda c: table[c]))
    else:
        for attribute in TEN_TASK_ATTRIBUTES:
            column = names.index(attribute)
            tasks.append((attribute, 1, bce, lambda c, k=column: table[c][:, k:k + 1]))
    return tasks


def batches(tasks, count, size, seed):
    images, labels = load_split("train")
    order = np.random.default_rng(seed).permutation(len(labels))[: count * size]
    result = []
    for b in range(count):
        index = order[b * size:(b + 1) * size]
        x = torch.from_numpy(images[index].astype(np.float32) / 255.0).unsqueeze(1)
        c = labels[index]
        result.append((x, [torch.as_tensor(target(c)) for _, _, _, target in tasks]))
    return result


def measure(root, method, task_count, steps, warmup, batch_size, seed):
    weighting_class, hps = load_libmtl(root, method)
    tasks = make_tasks(task_count)
    names = [name for name, _, _, _ in tasks]
    decoders = nn.ModuleDict({name: nn.Linear(128, outputs) for name, outputs, _, _ in tasks})

    class MTLmodel(hps, weighting_class):  # as LibMTL's Trainer._prepare_model
        def __init__(self):
            super().__init__(task_name=names, encoder_class=SmallCnn, decoders=decoders,
                             rep_grad=False, multi_input=False, device=torch.device("cpu"))
            self.init_param()

    torch.manual_seed(seed)
    model = MTLmodel()
    model.train()
    model.epoch = 1  # GradNorm weights equally through LibMTL's epoch 0
    model.train_loss_buffer = np.ones((len(tasks), 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    per_step = 3 if method in THREE_BATCHES else 1
    data = batches(tasks, (steps + warmup) * per_step, batch_size, seed)
    times = []
    for step in range(steps + warmup):
        start = time.perf_counter()
        losses = []
        for s in range(per_step):
            x, targets = data[step * per_step + s]
            out = model(x)
            losses.append(torch.stack([loss(out[name], y) for (name, _, loss, _), y
                                       in zip(tasks, targets)]))
        losses = torch.stack(losses).squeeze(0)
        optimizer.zero_grad(set_to_none=False)
        model.backward(losses, **WEIGHT_ARGS)
        optimizer.step()
        _ = [float(v) for v in losses.detach().reshape(-1)]
        if step >= warmup:
            times.append(time.perf_counter() - start)
    ms = 1000.0 * float(np.median(times))
    return {"library": "LibMTL", "method": method, "tasks": task_count, "steps": steps,
            "ms_per_step": round(ms, 2), "images_per_s": round(batch_size / (ms / 1000.0), 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libmtl", required=True, help="a LibMTL checkout (holds LibMTL/)")
    parser.add_argument("--methods", default="EW PCGrad MGDA GradNorm CAGrad",
                        help="LibMTL class names, space-separated")
    parser.add_argument("--tasks", type=int, choices=(3, 10), default=3)
    parser.add_argument("--steps", type=int, default=40, help="timed steps per method")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for method in args.methods.split():
        result = measure(args.libmtl, method, args.tasks, args.steps, args.warmup,
                         args.batch_size, args.seed)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
