"""Forward, CrossEntropy loss and backward of a test model in PyTorch, for test/nn/parity.test.ts.

Input: {"model": "TheModelClass" | "TinyResNet", "mode": "train" | "eval", "dropout": p, "seed": n,
"shape": input shape}. Output: the initial state dict (randomised BatchNorm statistics), the input and
targets, then output, loss, every parameter's gradient, the input's gradient and the state dict after.
"""
import torch
import torch.nn as nn

from common import read_input, to_json, write_output
from nn_models import TheModelClass, TinyResNet

torch.set_default_dtype(torch.float32)
inp = read_input()
torch.manual_seed(inp["seed"])
model = TheModelClass() if inp["model"] == "TheModelClass" else TinyResNet(inp["dropout"])
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0, 0.1)
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.num_batches_tracked.fill_(3)
initial = [[k, to_json(v)] for k, v in model.state_dict().items()]
x = torch.randn(inp["shape"], requires_grad=True)
target = torch.randint(0, 10, (inp["shape"][0],))
model.train(inp["mode"] == "train")
out = model(x)
loss = nn.CrossEntropyLoss()(out, target)
loss.backward()
write_output({
    "state_dict": initial,
    "x": to_json(x),
    "target": to_json(target),
    "out": to_json(out),
    "loss": to_json(loss),
    "grads": [[k, to_json(p.grad)] for k, p in model.named_parameters()],
    "x_grad": to_json(x.grad),
    "after": [[k, to_json(v)] for k, v in model.state_dict().items()],
})
