"""PyTorch's side of the browser test (test/browser/chromium.test.ts).

make  {"dir": D}: trains TheModelClass one SGD step, writes the tutorial's general checkpoint to D/pytorch.tar
      (zip format) and D/pytorch-legacy.tar (legacy format), and prints an eval input, the model's output on
      it, and per-tensor sums of the model and optimizer state.
check {"path": P, "input": x}: loads a checkpoint written in the browser into TheModelClass and SGD, and
      prints the model's output on x, the epoch, the loss and the state dict keys.
"""
import sys

import torch
import torch.nn.functional as F
import torch.optim as optim

from common import from_json, read_input, to_json, write_output
from tutorial_model import TheModelClass


def make(d):
    torch.manual_seed(0)
    model = TheModelClass()
    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    x = torch.randn(4, 3, 32, 32)
    loss = F.cross_entropy(model(x), torch.tensor([1, 2, 3, 4]))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    checkpoint = {
        "epoch": 5,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": loss.item(),
    }
    torch.save(checkpoint, f"{d}/pytorch.tar")
    torch.save(checkpoint, f"{d}/pytorch-legacy.tar", _use_new_zipfile_serialization=False)
    model.eval()
    x_eval = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        out = model(x_eval)
    momentum = {str(k): float(v["momentum_buffer"].double().sum()) for k, v in optimizer.state_dict()["state"].items()}
    return {
        "input": to_json(x_eval),
        "output": to_json(out),
        "sums": {k: float(v.double().sum()) for k, v in model.state_dict().items()},
        "momentum_sums": momentum,
        "epoch": 5,
        "loss": loss.item(),
    }


def check(path, x):
    checkpoint = torch.load(path)
    model = TheModelClass()
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    model.eval()
    with torch.no_grad():
        out = model(x)
    return {
        "output": to_json(out),
        "epoch": checkpoint["epoch"],
        "loss": checkpoint["loss"],
        "keys": list(checkpoint["model_state_dict"].keys()),
        "lr": optimizer.param_groups[0]["lr"],
        "momentum": optimizer.param_groups[0]["momentum"],
    }


if __name__ == "__main__":
    mode = sys.argv[1]
    args = read_input()
    torch.set_num_threads(1)
    if mode == "make":
        write_output(make(args["dir"]))
    else:
        write_output(check(args["path"], from_json(args["input"])))
