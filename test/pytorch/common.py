"""Helpers shared by the scripts that drive real PyTorch for tsorch's parity tests.

Tensors travel as JSON: {"dtype": "float32", "shape": [2, 3], "data": [...]} (see test/helpers/pytorch.ts).
"""
import json
import math
import sys

import torch

torch.set_num_threads(1)


def from_json(j):
    """A torch tensor from the JSON form."""
    data = [float(v) if isinstance(v, str) else v for v in j["data"]]
    return torch.tensor(data, dtype=getattr(torch, j["dtype"])).reshape(j["shape"])


def to_json(t):
    """The JSON form of a tensor (NaN/inf as strings)."""
    t = t.detach().cpu()
    flat = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        flat = [v if math.isfinite(v) else str(v) for v in flat]
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "data": flat}


def read_input():
    """The JSON document on stdin."""
    return json.load(sys.stdin)


def write_output(obj):
    """Prints a JSON document on stdout."""
    json.dump(obj, sys.stdout)
