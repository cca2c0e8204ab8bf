#!/usr/bin/python3
"""The Python side of scripts/bench_pipeline.sh (docs/BENCHMARKS.md).

  bench_pipeline.py make --out DIR --format png|jpeg [--count N] [--size S] [--grey]
      Writes N Fashion-MNIST training images (Debian's dataset-fashion-mnist), resized to
      S x S and coloured (RGB) unless --grey, as DIR/<class>/<i>.<ext>: an ImageFolder layout.
  bench_pipeline.py run --root DIR [--workers W] [--batch-size B] [--from-files]
      Reads DIR through a plain torch DataLoader with W workers doing what our pipeline does
      for the same "input" config: decode (PIL), RandomCrop(56), RandomHorizontalFlip,
      ColorJitter(brightness=0.2, contrast=0.2), ToTensor, Normalize. The encoded bytes are
      read into memory first, as our project holds them; --from-files opens each file instead
      (torchvision's ImageFolder route). Prints {"images", "seconds", "images_per_s"}.
"""
import argparse
import gzip
import io
import json
import os
import sys
import time

FMNIST = "/usr/share/datasets/fashion-mnist"


def make(args):
    import numpy as np
    from PIL import Image

    with gzip.open(os.path.join(FMNIST, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(FMNIST, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    ext = "png" if args.format == "png" else "jpg"
    for i in range(args.count):
        grey = Image.fromarray(images[i]).resize((args.size, args.size), Image.BILINEAR)
        g = np.asarray(grey, dtype=np.uint8)
        # A colour per class, so the images are RGB for real (saturation and jitter matter).
        tint = np.array([(labels[i] * 37) % 256, (labels[i] * 91) % 256, (labels[i] * 53) % 256])
        rgb = g if args.grey else (
            g[..., None].astype(np.float32) * (0.5 + tint / 510.0)).clip(0, 255).astype(np.uint8)
        folder = os.path.join(args.out, f"class{labels[i]}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{i:05d}.{ext}")
        if ext == "png":
            Image.fromarray(rgb).save(path)
        else:
            Image.fromarray(rgb).save(path, quality=90)


def run(args):
    import torch
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    torch.set_num_threads(1)
    files = sorted(
        os.path.join(d, f) for d, _, names in os.walk(args.root) for f in names
    )
    transform = transforms.Compose([
        transforms.RandomCrop(56),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(brightness=0.2, contrast=0.2),
        transforms.ToTensor(),
        transforms.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]),
    ])

    class Images(Dataset):
        def __init__(self):
            self.blobs = None if args.from_files else [open(p, "rb").read() for p in files]

        def __len__(self):
            return len(files)

        def __getitem__(self, i):
            source = files[i] if self.blobs is None else io.BytesIO(self.blobs[i])
            image = Image.open(source).convert("RGB")
            return transform(image), 0

    dataset = Images()
    started = time.perf_counter()
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True,
                        num_workers=args.workers)
    seen = 0
    for images, _ in loader:
        seen += images.shape[0]
    seconds = time.perf_counter() - started
    print(json.dumps({"images": seen, "seconds": seconds, "images_per_s": seen / seconds,
                      "workers": args.workers}))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--format", choices=["png", "jpeg"], required=True)
    m.add_argument("--count", type=int, default=10000)
    m.add_argument("--size", type=int, default=64)
    m.add_argument("--grey", action="store_true", help="keep the images grayscale")
    r = sub.add_parser("run")
    r.add_argument("--root", required=True)
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--batch-size", type=int, default=128)
    r.add_argument("--from-files", action="store_true")
    args = parser.parse_args()
    make(args) if args.command == "make" else run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
