"""Runs torch.nn.functional ops for tsorch's parity tests (test/nn/functional/*.test.ts).

Input: a list of cases {"op", "args", "kwargs", "grad": [arg indices], "gradOut": tensor, "inspect": [arg indices],
"seed"}. Tensors arrive as {"__tensor__": json}. For each case the output is {"out", "extra": [further outputs],
"grads": [grads of the grad args], "inspect": [those args after the call]} or {"error", "type"} when PyTorch raised.
"""
import warnings

import torch
import torch.nn.functional as F
from common import from_json, read_input, to_json, write_output

warnings.simplefilter("ignore")


def decode(v):
    if isinstance(v, dict) and "__tensor__" in v:
        return from_json(v["__tensor__"])
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def resolve(name):
    if name.startswith("torch."):
        return getattr(torch, name[len("torch."):])
    return getattr(F, name)


def run(case):
    args = [decode(a) for a in case["args"]]
    kwargs = {k: decode(v) for k, v in case.get("kwargs", {}).items()}
    for i in case.get("grad", []):
        args[i].requires_grad_(True)
    try:
        out = resolve(case["op"])(*args, **kwargs)
        res = {}
        if isinstance(out, tuple):
            res["extra"] = [to_json(o) for o in out[1:]]
            out = out[0]
        res["out"] = to_json(out)
        if case.get("grad"):
            out.backward(decode(case["gradOut"]))
            res["grads"] = [None if args[i].grad is None else to_json(args[i].grad) for i in case["grad"]]
        res["inspect"] = [to_json(args[i]) for i in case.get("inspect", [])]
        return res
    except Exception as e:  # the parity tests compare messages
        return {"error": str(e), "type": type(e).__name__}


write_output([run(c) for c in read_input()])
