"""Writes cuda-checkpoint.tar: a general checkpoint whose storages say they live on `cuda:0`, as one saved on a
GPU machine does, and cuda-checkpoint.json: every tensor's values and the logits the model gives for a fixed
input, for examples/07-across-devices.ts to check against.

No GPU is needed: torch.save asks torch.serialization.location_tag(storage) for each storage's location, and this
script replaces that function for the duration of the save. Run from the repository root:

    /usr/bin/python3 examples/data/make_cuda_checkpoint.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class SmallModel(nn.Module):
    """The same model as SmallModel in examples/07-across-devices.ts."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))


def main():
    torch.manual_seed(0)
    model = SmallModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    inputs = torch.randn(16, 4)
    labels = torch.randint(0, 3, (16,))
    for _ in range(3):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()

    checkpoint = {
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": loss.item(),
    }
    path = os.path.join(HERE, "cuda-checkpoint.tar")
    original = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: "cuda:0"
    try:
        torch.save(checkpoint, path)
    finally:
        torch.serialization.location_tag = original

    # Check that the file really asks for CUDA: loading it here (no CUDA) must fail without map_location.
    try:
        torch.load(path)
        if not torch.cuda.is_available():
            raise SystemExit("expected torch.load to refuse the CUDA storages")
    except RuntimeError as error:
        assert "Attempting to deserialize object on a CUDA device" in str(error), error
    loaded = torch.load(path, map_location="cpu")
    assert torch.equal(loaded["model_state_dict"]["fc1.weight"], model.fc1.weight)

    model.eval()
    with torch.no_grad():
        logits = model(inputs)
    expected = {
        "torch_version": torch.__version__,
        "epoch": 3,
        "loss": checkpoint["loss"],
        "model_state_dict": {k: {"dtype": str(v.dtype), "shape": list(v.shape), "data": v.flatten().tolist()}
                             for k, v in model.state_dict().items()},
        "momentum_buffers": [optimizer.state[p]["momentum_buffer"].flatten().tolist() for p in model.parameters()],
        "inputs": inputs.flatten().tolist(),
        "eval_logits": logits.flatten().tolist(),
    }
    with open(os.path.join(HERE, "cuda-checkpoint.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and cuda-checkpoint.json")


if __name__ == "__main__":
    main()
