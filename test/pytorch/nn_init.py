"""calculate_gain and _calculate_fan_in_and_fan_out for the cases of test/nn/init.test.ts, and the bounds
PyTorch's default initialisation gives each layer's parameters (the max |value| over a large sample)."""
import math

import torch
import torch.nn as nn

from common import read_input, write_output

inp = read_input()
gains = [nn.init.calculate_gain(name, param) for name, param in inp["gains"]]
fans = [list(nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))) for shape in inp["fans"]]
torch.manual_seed(0)
lin = nn.Linear(500, 300)
conv = nn.Conv2d(16, 32, 5)
bounds = {
    "linear.weight": lin.weight.abs().max().item(),
    "linear.bias": lin.bias.abs().max().item(),
    "conv.weight": conv.weight.abs().max().item(),
    "conv.bias": conv.bias.abs().max().item(),
    "linear.limit": 1 / math.sqrt(500),
    "conv.limit": 1 / math.sqrt(16 * 25),
}
write_output({"gains": gains, "fans": fans, "bounds": bounds})
