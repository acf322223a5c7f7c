"""Trains PyTorch's CIFAR-tutorial LeNet and a linear model on a synthetic-shapes export (safetensors).

Usage: python3 scripts/shapes_learnability.py data.safetensors [epochs] [batch_size]
Reads train_images/train_labels/test_images/test_labels with a plain json + torch.frombuffer reader and
prints the test accuracy of each model after every epoch. Driven by scripts/shapes-learnability.ts.
"""
import json
import os
import struct
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "pytorch"))
from tutorial_model import TheModelClass  # noqa: E402  (the tutorial's LeNet)

DTYPES = {"F32": torch.float32, "I64": torch.int64}


def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[8 + n + b : 8 + n + e]), dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train(name, model, d, epochs, batch_size):
    torch.manual_seed(0)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x, y = d["train_images"], d["train_labels"]
    g = torch.Generator().manual_seed(0)
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch_size):
            idx = perm[i : i + batch_size]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        print(f"{name} epoch {epoch + 1}: train {accuracy(model, x, y):.3f} test {accuracy(model, d['test_images'], d['test_labels']):.3f}", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(2)
    d = load(sys.argv[1])
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    batch_size = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    torch.manual_seed(0)
    train("lenet", TheModelClass(), d, epochs, batch_size)
    torch.manual_seed(0)
    train("linear", nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10)), d, epochs, batch_size)
