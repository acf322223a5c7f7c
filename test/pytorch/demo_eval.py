"""Loads the checkpoints examples/demo.ts wrote, in real PyTorch, and evaluates the model on the same test images.

stdin: {"checkpoint": "A/epoch-3.tar", "best": "A/best.pt", "data": "test.safetensors"}
stdout: the checkpoint's keys and facts, and for both models the predictions and the accuracy.
The test images travel as a safetensors file written by tsorch (read here with json + torch, no package needed).
"""
import json
import struct

import torch

from common import read_input, write_output
from tutorial_model import TheModelClass

DTYPES = {"F32": torch.float32, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def evaluate(state_dict, images, labels):
    model = TheModelClass()
    print_keys = str(model.load_state_dict(state_dict))
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(images[i : i + 500]) for i in range(0, len(images), 500)])
    predictions = logits.argmax(1)
    return {
        "load": print_keys,
        "predictions": predictions.tolist(),
        "accuracy": (predictions == labels).sum().item() / len(labels),
        "logits_head": logits[:4].flatten().tolist(),
    }


def main():
    inp = read_input()
    data = read_safetensors(inp["data"])
    images, labels = data["images"], data["labels"]
    checkpoint = torch.load(inp["checkpoint"])
    best = torch.load(inp["best"])

    model = TheModelClass()
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
    scheduler.load_state_dict(checkpoint["scheduler_state_dict"])

    write_output({
        "keys": list(checkpoint.keys()),
        "epoch": checkpoint["epoch"],
        "loss": checkpoint["loss"],
        "loss_type": type(checkpoint["loss"]).__name__,
        "best_accuracy": checkpoint["best_accuracy"],
        "best_epoch": checkpoint["best_epoch"],
        "rng_state": [str(checkpoint["rng_state"].dtype), list(checkpoint["rng_state"].shape)],
        "dataloader_state_dict": sorted(checkpoint["dataloader_state_dict"].keys()),
        "config": checkpoint["config"],
        "optimizer_lr": optimizer.param_groups[0]["lr"],
        "momentum_buffers": len(optimizer.state),
        "scheduler_last_epoch": scheduler.last_epoch,
        "checkpoint_model": evaluate(checkpoint["model_state_dict"], images, labels),
        "best_model": evaluate(best, images, labels),
    })


if __name__ == "__main__":
    main()
