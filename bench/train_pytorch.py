"""PyTorch side of bench/train.ts: trains TheModelClass on random data, one thread, and prints samples/s as JSON."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class TheModelClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


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
