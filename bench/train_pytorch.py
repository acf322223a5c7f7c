"""PyTorch side of bench/train.ts: trains TheModelClass on random data, one thread, and prints samples/s as JSON."""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "pytorch"))
from tutorial_model import TheModelClass  # noqa: E402

torch.set_num_threads(1)


def run(batch, seconds):
    torch.manual_seed(0)
    model = TheModelClass()
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))
    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    for _ in range(5):
        step()
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        n += 1
    return n * batch / (time.perf_counter() - start)


if __name__ == "__main__":
    batches = [int(b) for b in sys.argv[1].split(",")]
    seconds = float(sys.argv[2])
    print(json.dumps({str(b): run(b, seconds) for b in batches}))
