"""The exception type and message PyTorch 1.13 raises for each misuse of torch.optim (test/optim/errors.test.ts).

Output: {case name: [exception type, message]} (["", ""] when nothing was raised).
"""
import warnings

import torch
from torch import optim

from common import write_output

a = torch.zeros(2, requires_grad=True)
b = torch.zeros(3, requires_grad=True)
c = torch.zeros(1, requires_grad=True)
nonleaf = a * 2

cases = {
    "sgd lr -1": lambda: optim.SGD([a], lr=-1),
    "sgd lr -0.5": lambda: optim.SGD([a], lr=-0.5),
    "sgd momentum": lambda: optim.SGD([a], lr=0.1, momentum=-0.1),
    "sgd weight_decay": lambda: optim.SGD([a], lr=0.1, weight_decay=-1e-5),
    "sgd no lr": lambda: optim.SGD([a]),
    "sgd group without lr": lambda: optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b]}]),
    "sgd nesterov without momentum": lambda: optim.SGD([a], lr=0.1, nesterov=True),
    "sgd nesterov with dampening": lambda: optim.SGD([a], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    "empty": lambda: optim.SGD([], lr=0.1),
    "a tensor": lambda: optim.SGD(a, lr=0.1),
    "a float64 tensor": lambda: optim.SGD(a.double(), lr=0.1),
    "not a tensor": lambda: optim.SGD([a, 3], lr=0.1),
    "non-leaf": lambda: optim.SGD([nonleaf], lr=0.1),
    "overlapping groups": lambda: optim.SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1),
    "add_param_group overlap": lambda: optim.Adam([a, b]).add_param_group({"params": [b]}),
    "adam lr": lambda: optim.Adam([a], lr=-1e-3),
    "adam eps": lambda: optim.Adam([a], eps=-1e-8),
    "adam beta0": lambda: optim.Adam([a], betas=(1.0, 0.999)),
    "adam beta1": lambda: optim.Adam([a], betas=(0.9, -0.5)),
    "adam weight_decay": lambda: optim.Adam([a], weight_decay=-0.01),
    "adamw beta0": lambda: optim.AdamW([a], betas=(1.5, 0.999)),
    "adamw weight_decay": lambda: optim.AdamW([a], weight_decay=-1e-2),
    "load: group count": lambda: optim.SGD([a, b], lr=0.1).load_state_dict(
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()),
    "load: group size": lambda: optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(
        optim.SGD([{"params": [a, c]}, {"params": [b]}], lr=0.1).state_dict()),
    "steplr resume without initial_lr": lambda: optim.lr_scheduler.StepLR(optim.SGD([a], lr=0.1), 3, last_epoch=4),
}

out = {}
for name, make in cases.items():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make()
        out[name] = ["", ""]
    except Exception as e:  # noqa: BLE001 - the point is to report any exception
        out[name] = [type(e).__name__, e.args[0] if e.args else str(e)]
write_output(out)
