"""consume_prefix_in_state_dict_if_present on a DataParallel-style state dict, and clip_grad_norm_ on given
gradients, as test/nn/utils.test.ts runs them."""
from collections import OrderedDict

import torch
import torch.nn as nn
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present

from common import from_json, read_input, to_json, write_output

inp = read_input()

# A state dict as saved from DataParallel(Sequential(Linear, BatchNorm1d)), plus one key without the prefix.
model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
wrapper = nn.Module()
wrapper.module = model
sd = wrapper.state_dict()
sd["other"] = torch.zeros(1)
before = [list(sd.keys()), [[k, v] for k, v in sd._metadata.items()]]
consume_prefix_in_state_dict_if_present(sd, "module.")
after_keys = list(sd.keys())
# torch 1.13 looks for "_metadata" among the keys and so leaves the metadata alone; 2.x strips it too:
meta = sd._metadata
for key in list(meta.keys()):
    if len(key) == 0:
        continue
    if key == "module.".replace(".", "") or key.startswith("module."):
        meta[key[len("module."):]] = meta.pop(key)

clip = {}
for norm_type in [2.0, 1.0, float("inf"), 3.0]:
    params = []
    for g in inp["grads"]:
        p = nn.Parameter(torch.zeros(g["shape"]))
        p.grad = from_json(g)
        params.append(p)
    total = nn.utils.clip_grad_norm_(params, inp["max_norm"], norm_type=norm_type)
    clip[str(norm_type)] = {"total": total.item(), "grads": [to_json(p.grad) for p in params]}

write_output({"before": before, "after_keys": after_keys, "after_metadata": [[k, v] for k, v in meta.items()], "clip": clip})
