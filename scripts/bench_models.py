#!/usr/bin/python3
"""Plain PyTorch speed reference for the networks MTL Studio's trainer trains (scripts/bench.sh).

The models are rebuilt from core/model layer for layer (biases, BatchNorm defaults, init; the
parameter count is checked against the trainer's at start-up), with hard sharing (the whole
backbone shared, its last map pooled once for the vector heads), the losses of core/train
(tasks.cpp, densetasks.cpp), equal weighting (the sum of the losses) and Adam lr 1e-3, as the
experiments in resources/experiments set them:

  small_cnn  fmnist-hard.json: width 32 (conv 3x3 with bias, BN, ReLU; 32/64/128; 2x2 max-pool
             after the first two), batch 128.
  resnet18   fmnist-resnet18.json: BasicBlocks, width 16, the small-input stem that "auto" picks
             for 28 px (conv 3x3 stride 1, no pooling), convs without bias, batch 128.
  segnet     fscenes-segnet-hard.json: width 16, 4 blocks of two conv 3x3 + BN + ReLU; the 2x2
             max-pool indices are max-unpooled by the mirror decoder stage; batch 32.

Fashion-MNIST tasks: category (10; cross-entropy, -1 ignored), group (3) and looks (the 12
binary attributes of resources/datasets/fashion-mnist/attributes.csv by class; BCE on the
logits over the labelled ones), on the 54,000 training images left after the 10% validation
hold-out. segnet tasks, each a dense head (conv 3x3 -> BN -> ReLU -> conv 1x1, upsampled when
smaller than the input): semantic (11; cross-entropy, 255 ignored), depth (L1 where the target
is not 0) and normals (1 - cosine where it is not (0, 0, 0)). Python cannot read a project
file, so segnet trains on synthetic data of the fashion-scenes shapes and dtypes, drawn from the
seed: 9,000 samples (10,000 minus 10%) of a 64x64 uint8 image, a uint8 class map 0..10 with 5%
of pixels 255, a float depth map and unit normals, both zero on 20% of the pixels. Throughput
does not depend on the values, only on the shapes.

Routes: "usual" is bench_pytorch.py's data path, a Dataset converting one sample per index
(uint8 -> float / 255, like ToTensor) and a DataLoader (num_workers=0, shuffle). "best" is what
a skilled user writes: the split converted to float tensors once, before the timed loop, and
each batch indexed with a slice of a randperm; --channels-last puts the model and each input
batch in channels-last memory format.

images_per_s has the trainer's definition: images trained / seconds spent in the training loop
(fetching the batch, forward, backward, optimiser step, reading the losses with .item()).
There is no evaluation (speed only); warm-up and malloc settings are the caller's business.

Run with Debian's interpreter (/usr/bin/python3), which has python3-torch (LibTorch 1.13.1).
"""

import argparse
import csv
import functools
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from bench_pytorch import CLASS_TO_GROUP, load_split

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ATTRIBUTES_CSV = os.path.join(ROOT, "resources/datasets/fashion-mnist/attributes.csv")
LR = 1e-3
VAL_FRACTION = 0.1
SCENES = 9000  # fashion-scenes training split after the validation hold-out
SCENE_SIZE = 64
SEGMENTATION_IGNORE = 255
# What `mtlstudio-cli train` reports for these models (hard sharing, three tasks).
EXPECTED_PARAMETERS = {"small_cnn": 96345, "resnet18": 703113, "segnet": 597519}
BATCH_SIZE = {"small_cnn": 128, "resnet18": 128, "segnet": 32}


class SmallCnn(nn.Sequential):
    """core/model/smallcnn.cpp: conv (with bias) -> BN -> ReLU, max-pool after stages 1, 2."""

    def __init__(self, in_channels, width=32):
        layers, cin = [], in_channels
        for stage in range(3):
            cout = width << stage
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
            layers += [nn.MaxPool2d(2)] if stage < 2 else []
            cin = cout
        super().__init__(*layers)
        self.out_channels = cout


def resnet_conv(cin, cout, kernel, stride):
    """core/model/resnet.cpp conv(): no bias before BN, He normal fan-out."""
    conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    return conv


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = resnet_conv(cin, cout, 3, stride), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = resnet_conv(cout, cout, 3, 1), nn.BatchNorm2d(cout)
        self.project = None
        if stride != 1 or cin != cout:
            self.project = nn.Sequential(resnet_conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(h + (x if self.project is None else self.project(x)))


class ResNet18(nn.Sequential):
    """core/model/resnet.cpp, depth 18 with the small-input stem (conv 3x3 stride 1)."""

    def __init__(self, in_channels, width=16):
        layers = [resnet_conv(in_channels, width, 3, 1), nn.BatchNorm2d(width), nn.ReLU()]
        channels = width
        for layer in range(4):
            out = width << layer
            for block in range(2):
                layers.append(BasicBlock(channels, out, 2 if block == 0 and layer > 0 else 1))
                channels = out
        super().__init__(*layers)
        self.out_channels = channels


def he_conv(cin, cout, kernel):
    """A biased conv with layers.cpp heInit(): He normal fan-in, zero bias."""
    conv = nn.Conv2d(cin, cout, kernel, padding=kernel // 2)
    nn.init.kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="relu")
    nn.init.zeros_(conv.bias)
    return conv


def conv_pair(cin, cmid, cout):
    return nn.Sequential(he_conv(cin, cmid, 3), nn.BatchNorm2d(cmid), nn.ReLU(),
                         he_conv(cmid, cout, 3), nn.BatchNorm2d(cout), nn.ReLU())


class SegNet(nn.Module):
    """core/model/segnet.cpp: an encoder stage changes channels in its first conv, a decoder
    stage (unpooling with its mirror's indices) in its second."""

    def __init__(self, in_channels, width=16, blocks=4):
        super().__init__()
        chans = [width << min(i, 3) for i in range(blocks)]
        inputs = [in_channels] + chans[:-1]
        self.encoder = nn.ModuleList(conv_pair(inputs[i], chans[i], chans[i])
                                     for i in range(blocks))
        self.decoder = nn.ModuleList()
        for k in reversed(range(blocks)):
            out = width if k == 0 else chans[k - 1]
            self.decoder.append(conv_pair(chans[k], chans[k], out))
        self.out_channels = width

    def forward(self, x):
        skips = []
        for stage in self.encoder:
            h = stage(x)
            x, indices = F.max_pool2d(h, 2, stride=2, return_indices=True)
            skips.append((indices, h.shape[2:]))
        for stage, (indices, size) in zip(self.decoder, reversed(skips)):
            x = stage(F.max_unpool2d(x, indices, 2, stride=2, output_size=size))
        return x


class DenseHead(nn.Module):
    """core/model/head.cpp DenseHeadImpl."""

    def __init__(self, cin, channels, size):
        super().__init__()
        mid = max(16, cin // 2)
        self.conv, self.bn = nn.Conv2d(cin, mid, 3, padding=1), nn.BatchNorm2d(mid)
        self.out = nn.Conv2d(mid, channels, 1)
        self.size = size

    def forward(self, x):
        logits = self.out(F.relu(self.bn(self.conv(x))))
        if tuple(logits.shape[2:]) == self.size:
            return logits
        return F.interpolate(logits, size=self.size, mode="bilinear", align_corners=False)


class HardSharing(nn.Module):
    """core/model/hardsharing.cpp with everything shared: vector heads read the map pooled once."""

    def __init__(self, backbone, heads, size):
        super().__init__()
        self.backbone = backbone
        c = backbone.out_channels
        self.dense = [kind == "dense" for kind, _ in heads]
        self.heads = nn.ModuleList(DenseHead(c, n, size) if kind == "dense" else nn.Linear(c, n)
                                   for kind, n in heads)

    def forward(self, x):
        features = self.backbone(x)
        pooled = None if all(self.dense) else features.mean((2, 3))
        return [head(features if dense else pooled)
                for head, dense in zip(self.heads, self.dense)]


classification_loss = functools.partial(F.cross_entropy, ignore_index=-1)
segmentation_loss = functools.partial(F.cross_entropy, ignore_index=SEGMENTATION_IGNORE)


def attributes_loss(output, target):
    labelled = target.ge(0).to(output.dtype)
    per_element = F.binary_cross_entropy_with_logits(output, target.clamp_min(0),
                                                     reduction="none")
    return (per_element * labelled).sum() / labelled.sum().clamp_min(1.0)


def masked_mean(per_pixel, mask):
    m = mask.to(per_pixel.dtype)
    return (per_pixel * m).sum() / m.sum().clamp_min(1.0)


def depth_loss(output, target):
    return masked_mean((output - target).abs(), target.ne(0))


def normals_loss(output, target):
    cosine = F.cosine_similarity(output, target, dim=1, eps=1e-8)
    return masked_mean(1.0 - cosine, target.ne(0).any(1))


def convert(t, is_image):
    """What the model reads: images float / 255 (like ToTensor), uint8 class maps int64."""
    if is_image:
        return t.float().div_(255.0)
    return t.long() if t.dtype == torch.uint8 else t


def fashion_mnist(seed):
    """The training split minus the validation hold-out: images and 3 targets, as stored."""
    images, labels = load_split("train")
    order = np.random.default_rng(seed).permutation(len(labels))
    train = order[int(np.floor(len(order) * VAL_FRACTION)):]
    with open(ATTRIBUTES_CSV, newline="") as f:
        looks = np.array([[float(v) for v in row[2:]] for row in list(csv.reader(f))[1:]],
                         dtype=np.float32)  # [10 classes, 12 attributes], rows in label order
    images, labels = images[train], labels[train]
    return [torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels),
            torch.from_numpy(CLASS_TO_GROUP[labels]), torch.from_numpy(looks[labels])]


def synthetic_scenes(seed, n=SCENES, size=SCENE_SIZE):
    """fashion-scenes shapes and dtypes with deterministic random values (see the docstring)."""
    g = torch.Generator().manual_seed(seed)
    shape = (n, 1, size, size)
    images = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
    semantic = torch.randint(0, 11, (n, size, size), generator=g, dtype=torch.uint8)
    semantic[torch.rand(semantic.shape, generator=g) < 0.05] = SEGMENTATION_IGNORE
    unlabelled = torch.rand(shape, generator=g) < 0.2
    depth = (0.5 + 2.0 * torch.rand(shape, generator=g)).masked_fill_(unlabelled, 0.0)
    normals = F.normalize(torch.randn((n, 3, size, size), generator=g), dim=1)
    normals.masked_fill_(unlabelled, 0.0)
    return [images, semantic, depth, normals]


FMNIST_HEADS = [("vector", 10), ("vector", 3), ("vector", 12)]  # category, group, looks
FMNIST_LOSSES = [classification_loss, classification_loss, attributes_loss]
# model: backbone, heads (kind, outputs), losses, data (images, then targets), input size
SETUPS = {
    "small_cnn": (lambda: SmallCnn(1, 32), FMNIST_HEADS, FMNIST_LOSSES, fashion_mnist, (28, 28)),
    "resnet18": (lambda: ResNet18(1, 16), FMNIST_HEADS, FMNIST_LOSSES, fashion_mnist, (28, 28)),
    "segnet": (lambda: SegNet(1, 16, 4), [("dense", 11), ("dense", 1), ("dense", 3)],
               [segmentation_loss, depth_loss, normals_loss], synthetic_scenes,
               (SCENE_SIZE, SCENE_SIZE)),
}


class PerItem(torch.utils.data.Dataset):
    """One sample per index, converted on the fly."""

    def __init__(self, tensors):
        self.tensors = tensors

    def __len__(self):
        return len(self.tensors[0])

    def __getitem__(self, i):
        return [convert(t[i], k == 0) for k, t in enumerate(self.tensors)]


def batches(route, tensors, batch_size, steps_per_epoch, seed):
    """Endless batches, epoch after epoch, by the chosen route."""
    generator = torch.Generator().manual_seed(seed)
    n = len(tensors[0])
    if route == "usual":
        loader = torch.utils.data.DataLoader(
            PerItem(tensors), batch_size=batch_size, shuffle=True, num_workers=0,
            drop_last=steps_per_epoch * batch_size < n, generator=generator)
        while True:
            yield from loader
    while True:
        order = torch.randperm(n, generator=generator)
        for step in range(steps_per_epoch):
            index = order[step * batch_size:(step + 1) * batch_size]
            yield [t[index] for t in tensors]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=sorted(SETUPS), required=True)
    parser.add_argument("--route", choices=["usual", "best"], required=True)
    parser.add_argument("--channels-last", action="store_true",
                        help="model and input batches in channels-last memory format")
    parser.add_argument("--max-steps", type=int, default=0,
                        help="training steps (0: one epoch; more than an epoch starts the next)")
    parser.add_argument("--batch-size", type=int, default=0,
                        help="0: the experiment's (128; segnet 32)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object as the last line of stdout")
    args = parser.parse_args()

    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    make_backbone, heads, losses, load, size = SETUPS[args.model]
    batch_size = args.batch_size or BATCH_SIZE[args.model]

    model = HardSharing(make_backbone(), heads, size)
    parameters = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if parameters != EXPECTED_PARAMETERS[args.model]:
        sys.exit(f"bench_models.py: {args.model} has {parameters} parameters, the trainer's "
                 f"{EXPECTED_PARAMETERS[args.model]}: the models differ")
    if args.channels_last:
        model.to(memory_format=torch.channels_last)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)

    tensors = load(args.seed)
    if args.route == "best":  # preloaded once as the model reads them
        tensors = [convert(t, k == 0) for k, t in enumerate(tensors)]
    n = len(tensors[0])
    steps_per_epoch = -(-n // batch_size)
    if n % batch_size == 1:  # a last batch of 1 cannot be batch-normalised
        steps_per_epoch -= 1
    steps = args.max_steps if args.max_steps > 0 else steps_per_epoch

    source = batches(args.route, tensors, batch_size, steps_per_epoch, args.seed)
    loss_sums = [0.0] * len(losses)
    images_trained = 0
    clock = time.perf_counter()
    for _ in range(steps):
        images, *targets = next(source)
        if args.channels_last:
            images = images.to(memory_format=torch.channels_last)
        outputs = model(images)
        task_losses = [loss(o, t) for loss, o, t in zip(losses, outputs, targets)]
        optimizer.zero_grad()
        sum(task_losses).backward()  # equal weighting
        optimizer.step()
        for t, loss in enumerate(task_losses):
            loss_sums[t] += loss.item()
        images_trained += images.shape[0]
    train_seconds = time.perf_counter() - clock

    result = {"implementation": "pytorch", "model": args.model, "route": args.route,
              "channels_last": args.channels_last, "torch": torch.__version__,
              "threads": torch.get_num_threads(), "steps": steps, "batch_size": batch_size,
              "images_per_s": images_trained / train_seconds if train_seconds > 0 else 0.0,
              "train_seconds": train_seconds, "seconds": time.perf_counter() - started,
              "parameters": parameters}
    print(f"{args.model} ({args.route}): mean losses "
          + ", ".join(f"{s / max(steps, 1):.3f}" for s in loss_sums), file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['images_per_s']:.0f} images/s over {steps} steps "
              f"({train_seconds:.1f} s training, {parameters} parameters)")


if __name__ == "__main__":
    main()
