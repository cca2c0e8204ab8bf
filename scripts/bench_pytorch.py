#!/usr/bin/python3
"""Plain PyTorch reference for MTL Studio's trainer (see docs/BENCHMARKS.md).

Trains the same model with the same settings as
`mtlstudio-cli train P.mtlproj --config example:fmnist-hps`:
small_cnn (3x3 conv 32/64/128, padding 1, BatchNorm, ReLU, 2x2 max-pool after the first two
blocks, global average pool, 128-d) with hard parameter sharing and one linear head per task
(category: 10 classes; group: 3 classes), equal loss weighting (sum of the losses), Adam lr 1e-3,
batch 128, 10% of the training split held out for validation, seed 0.

The data path is the usual Python one: a Dataset returning one float image and its labels per
index, and a torch DataLoader (num_workers=0, shuffle) collating them into batches.

images_per_s has the same definition as the trainer's: images trained / seconds spent in the
training loop (fetching the batch, forward, backward, optimiser step, reading the losses);
start-up, validation and the test evaluation are excluded.

Run with Debian's interpreter (/usr/bin/python3), which has python3-torch (LibTorch 1.13.1).
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"

# Group column of resources/datasets/fashion-mnist/attributes.csv. The importer numbers the
# categories of a column in order of first appearance in that file: other=0, for_women=1, shoes=2.
GROUP_NAMES = ["other", "for_women", "shoes"]
CLASS_TO_GROUP = np.array([0, 0, 0, 1, 0, 2, 1, 2, 1, 2], dtype=np.int64)
#                          T  Tr Pu Dr Co Sa Sh Sn Ba AB


def read_idx(path, expected_dims):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08 or (magic & 0xFF) != expected_dims:  # unsigned byte, n dims
        raise ValueError(f"{path}: not an IDX file of unsigned bytes with {expected_dims} dims")
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(expected_dims)]
    offset = 4 + 4 * expected_dims
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load_split(prefix):
    images = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"), 3)
    labels = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"), 1)
    return images, labels.astype(np.int64)


class FashionMnist(torch.utils.data.Dataset):
    """One sample per index: float image [1, 28, 28] in [0, 1] (like ToTensor()), category, group."""

    def __init__(self, images, labels, indices):
        self.images = torch.from_numpy(images.copy()).unsqueeze(1)  # uint8 [N, 1, 28, 28]
        self.category = torch.from_numpy(labels)
        self.group = torch.from_numpy(CLASS_TO_GROUP[labels])
        self.indices = indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, i):
        j = int(self.indices[i])
        return self.images[j].float().div_(255.0), self.category[j], self.group[j]


class SmallCnn(nn.Module):
    def __init__(self, in_channels=1, width=32):
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(in_channels, w, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(w)
        self.conv2 = nn.Conv2d(w, 2 * w, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(2 * w)
        self.conv3 = nn.Conv2d(2 * w, 4 * w, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(4 * w)
        self.feature_dim = 4 * w

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        h = F.max_pool2d(F.relu(self.bn2(self.conv2(h))), 2)
        h = F.relu(self.bn3(self.conv3(h)))
        return h.mean((2, 3))


class HardSharing(nn.Module):
    def __init__(self, heads):
        super().__init__()
        self.backbone = SmallCnn()
        self.heads = nn.ModuleList(nn.Linear(self.backbone.feature_dim, n) for n in heads)

    def forward(self, x):
        features = self.backbone(x)
        return [head(features) for head in self.heads]


def evaluate(model, loader):
    model.eval()
    correct = [0, 0]
    count = 0
    with torch.no_grad():
        for images, category, group in loader:
            outputs = model(images)
            for t, target in enumerate((category, group)):
                correct[t] += int((outputs[t].argmax(1) == target).sum())
            count += images.shape[0]
    model.train()
    return {"category": correct[0] / count, "group": correct[1] / count}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=0,
                        help="training steps per epoch (0: the whole training split)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader num_workers")
    parser.add_argument("--no-eval", action="store_true",
                        help="skip validation and the test evaluation (speed runs)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object as the last line of stdout")
    args = parser.parse_args()

    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train_images, train_labels = load_split("train")
    test_images, test_labels = load_split("t10k")
    order = rng.permutation(len(train_labels))
    val_count = int(np.floor(len(order) * args.val_fraction))
    val_idx, train_idx = order[:val_count], order[val_count:]
    train_set = FashionMnist(train_images, train_labels, train_idx)
    val_set = FashionMnist(train_images, train_labels, val_idx)
    test_set = FashionMnist(test_images, test_labels, np.arange(len(test_labels)))

    steps_per_epoch = -(-len(train_set) // args.batch_size)
    drop_last = len(train_set) % args.batch_size == 1  # a batch of 1 cannot be batch-normalised
    if drop_last:
        steps_per_epoch -= 1
    if args.max_steps > 0:
        steps_per_epoch = min(steps_per_epoch, args.max_steps)

    generator = torch.Generator()
    generator.manual_seed(args.seed)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                                               drop_last=drop_last, num_workers=args.workers,
                                               generator=generator)
    val_loader = torch.utils.data.DataLoader(val_set, batch_size=args.batch_size)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size)

    model = HardSharing([10, len(GROUP_NAMES)])
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    train_seconds = 0.0
    images_trained = 0
    steps = 0
    validation = {}
    for epoch in range(1, args.epochs + 1):
        loss_sums = [0.0, 0.0]
        clock = time.perf_counter()
        batches = iter(train_loader)
        for step in range(steps_per_epoch):
            images, category, group = next(batches)
            outputs = model(images)
            losses = [F.cross_entropy(outputs[0], category, ignore_index=-1),
                      F.cross_entropy(outputs[1], group, ignore_index=-1)]
            optimizer.zero_grad()
            (losses[0] + losses[1]).backward()  # equal weighting
            optimizer.step()
            for t, loss in enumerate(losses):
                loss_sums[t] += loss.item()
            images_trained += images.shape[0]
        train_seconds += time.perf_counter() - clock
        del batches
        step = steps_per_epoch
        steps += step
        if not args.no_eval:
            validation = evaluate(model, val_loader)
        print(f"epoch {epoch}/{args.epochs}: {step} steps, loss category "
              f"{loss_sums[0] / max(step, 1):.3f} group {loss_sums[1] / max(step, 1):.3f}, "
              f"{images_trained / train_seconds:.0f} img/s"
              + (f", val accuracy category {validation['category']:.4f} group "
                 f"{validation['group']:.4f}" if validation else ""),
              file=sys.stderr)

    test = {} if args.no_eval else evaluate(model, test_loader)
    result = {
        "implementation": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "epochs": args.epochs,
        "steps": steps,
        "batch_size": args.batch_size,
        "images_per_s": images_trained / train_seconds if train_seconds > 0 else 0.0,
        "train_seconds": train_seconds,
        "seconds": time.perf_counter() - started,
        "metrics": {task: {"accuracy": value} for task, value in test.items()},
        "split": "test" if test else "",
    }
    if args.json:
        print(json.dumps(result))
    else:
        for task, value in test.items():
            print(f"{task}: test accuracy {value * 100:.2f}%")
        print(f"{result['images_per_s']:.0f} images/s over {steps} steps "
              f"({train_seconds:.1f} s training)")


if __name__ == "__main__":
    main()
