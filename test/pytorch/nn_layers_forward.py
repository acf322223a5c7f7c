"""Every layer of nn_models.Layers applied to the inputs of test/nn/layers.test.ts, in PyTorch.

Input: {"inputs": {name: json tensor}}. Output: the Layers state dict (randomised affine/statistics) and,
per case, the output (and the state the layer changed)."""
import torch

from common import from_json, read_input, to_json, write_output
from nn_models import Layers

torch.manual_seed(0)
inp = {k: from_json(v) for k, v in read_input()["inputs"].items()}
m = Layers()
with torch.no_grad():
    for name in ["b2", "n1"]:
        getattr(m, name).weight.uniform_(0.5, 1.5)
        getattr(m, name).bias.normal_()
    m.b1.running_mean.normal_()
    m.b1.running_var.uniform_(0.5, 2)
    m.b1.num_batches_tracked.fill_(4)
sd = [[k, to_json(v)] for k, v in m.state_dict().items()]
m.eval()
x3, x4, seq, idx, logits, target = inp["x3"], inp["x4"], inp["seq"], inp["idx"], inp["logits"], inp["target"]
out = {}
out["c1"] = m.c1(x3)
for name in ["c2", "c3", "c4", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "f1", "f2", "d1", "d2"]:
    out[name] = getattr(m, name)(x4)
out["b2 eval"] = m.b2(x4)
out["n1"] = m.n1(seq)
out["n2"] = m.n2(inp["x45"])
out["l1"] = m.l1(x3.flatten(0, 2)[:, :3])
for name in ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"]:
    # a2 is ReLU(inplace=True): PyTorch overwrites its input, tsorch computes out of place; feed it a copy.
    out[name] = getattr(m, name)(seq.clone())
out["e1"] = m.e1(idx)
out["e2"] = m.e2(idx)
out["e2 weight"] = m.e2.weight
out["loss1"] = m.loss1(logits, target)
out["loss2"] = m.loss2(logits, torch.ones_like(logits))
out["loss3"] = m.loss3(logits.log_softmax(1), target)
out["loss4"] = m.loss4(logits, target)
m.train()
out["b1 train 1"] = m.b1(inp["rows"])
out["b1 train 2"] = m.b1(inp["rows"] * 2 + 1)
out["b1 running_mean"] = m.b1.running_mean
out["b1 running_var"] = m.b1.running_var
out["b1 count"] = m.b1.num_batches_tracked
out["b2 train"] = m.b2(x4)
m.eval()
out["b1 eval"] = m.b1(inp["rows"])
write_output({"state_dict": sd, "out": {k: to_json(v) for k, v in out.items()}})
