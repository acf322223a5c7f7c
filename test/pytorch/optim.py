"""Runs a torch.optim optimizer (and optionally an LR scheduler) over given gradients (test/optim/*.test.ts).

Input: {"optimizer": "SGD"|"Adam"|"AdamW", "kwargs": {...}, "params": [tensor], "groups": null | [{"params": [index],
...}], "grads": [[tensor | null per param] per step], "lr_changes": {step: [lr per group]}, "scheduler": null |
{"kind": "StepLR", "args": [...], "kwargs": {...}}, "load": null | {"at": step, "state_dict": tagged}} (a fresh optimizer
loads it before that step).
Output: per step, the params, the tagged optimizer state_dict and, with a scheduler, its last lrs and tagged state_dict.
"""
import torch

from common import from_json, read_input, to_json, write_output
from tagged import tagged, untagged


def python_kwargs(kwargs):
    out = dict(kwargs)
    if "betas" in out:
        out["betas"] = tuple(out["betas"])
    return out


def main():
    inp = read_input()
    params = [from_json(p).requires_grad_() for p in inp["params"]]
    cls = getattr(torch.optim, inp["optimizer"])
    kwargs = python_kwargs(inp.get("kwargs", {}))

    def make_optimizer():
        if not inp.get("groups"):
            return cls(params, **kwargs)
        groups = []
        for g in inp["groups"]:
            g = dict(g)  # a list stays a list (e.g. betas given in a group), as in tsorch
            g["params"] = [params[i] for i in g["params"]]
            groups.append(g)
        return cls(groups, **kwargs)

    opt = make_optimizer()
    sched = None
    if inp.get("scheduler"):
        s = inp["scheduler"]
        sched = getattr(torch.optim.lr_scheduler, s["kind"])(opt, *s.get("args", []), **s.get("kwargs", {}))
    out = {"initial_state_dict": tagged(opt.state_dict()), "steps": []}
    if sched:
        out["initial_scheduler"] = {"last_lr": sched.get_last_lr(), "state_dict": tagged(sched.state_dict())}
    load = inp.get("load")
    for k, grads in enumerate(inp["grads"]):
        if load and load["at"] == k:  # resume: a fresh optimizer loads the given state dict
            opt = make_optimizer()
            opt.load_state_dict(untagged(load["state_dict"]))
            out["loaded_state_dict"] = tagged(opt.state_dict())
        for i, lr in enumerate(inp.get("lr_changes", {}).get(str(k), [])):
            opt.param_groups[i]["lr"] = lr
        for p, g in zip(params, grads):
            p.grad = None if g is None else from_json(g)
        opt.step()
        step = {"params": [to_json(p) for p in params], "state_dict": tagged(opt.state_dict())}
        if sched:
            sched.step()
            step["last_lr"] = sched.get_last_lr()
            step["scheduler_state_dict"] = tagged(sched.state_dict())
            step["state_dict"] = tagged(opt.state_dict())
        out["steps"].append(step)
    write_output(out)


main()
