"""PyTorch's side of bench/io.ts: one measurement per process, printed as JSON.

usage: io_pytorch.py OP PATH TENSORS ROWS COLS
  save       build the state dict (layer<i>.weight, float32 ROWSxCOLS, memory touched), then time torch.save
  load       time torch.load(PATH)
  into_model build a module with TENSORS Linear(COLS, ROWS, bias=False) layers, then time
             model.load_state_dict(torch.load(PATH))
  read_one   time torch.load(PATH)["layer<TENSORS//2>.weight"] (torch 1.13 has no mmap/lazy load)
Output: {"seconds", "rss_before", "peak"} (bytes; peak = VmHWM, the process's RSS high-water mark).
"""
import json
import sys
import time

import torch
import torch.nn as nn


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


class Big(nn.Module):
    def __init__(self, n, rows, cols):
        super().__init__()
        for i in range(n):
            self.add_module(f"layer{i}", nn.Linear(cols, rows, bias=False))


def main():
    op, path, n, rows, cols = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    if op == "save":
        sd = {f"layer{i}.weight": torch.full((rows, cols), float(i + 1)) for i in range(n)}
        before = status("VmRSS")
        start = time.perf_counter()
        torch.save(sd, path)
    elif op == "load":
        before = status("VmRSS")
        start = time.perf_counter()
        sd = torch.load(path)
        assert sd[f"layer{n - 1}.weight"].shape == (rows, cols)
    elif op == "into_model":
        model = Big(n, rows, cols)
        before = status("VmRSS")
        start = time.perf_counter()
        model.load_state_dict(torch.load(path))
    elif op == "read_one":
        before = status("VmRSS")
        start = time.perf_counter()
        t = torch.load(path)[f"layer{n // 2}.weight"]
        assert t.shape == (rows, cols)
    else:
        raise ValueError(op)
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "rss_before": before, "peak": status("VmHWM")}, sys.stdout)


main()
