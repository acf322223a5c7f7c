"""Messages PyTorch raises for bad arguments to core ops (test/op-errors.test.ts compares tsorch's)."""
import torch

from common import write_output

CASES = {
    "mean_long": lambda: torch.tensor([1, 2]).mean(),
    "mean_int": lambda: torch.tensor([1, 2], dtype=torch.int32).mean(),
    "mean_bool": lambda: torch.tensor([True]).mean(),
    "view_infer": lambda: torch.ones(2, 3).view(-1, 4),
    "view_strides": lambda: torch.ones(2, 3).t().view(6),
    "narrow": lambda: torch.ones(2, 3).narrow(1, 2, 2),
    "select": lambda: torch.ones(2, 3).select(1, 5),
    "expand": lambda: torch.ones(2, 3).expand(3, 3),
    "broadcast": lambda: torch.ones(2, 3) + torch.ones(4),
    "matmul": lambda: torch.ones(2, 3).matmul(torch.ones(4, 2)),
    "cat_size": lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]),
    "cat_dims": lambda: torch.cat([torch.ones(2, 3), torch.ones(2)]),
    "dim_range": lambda: torch.ones(2, 3).sum(2),
    "item": lambda: torch.ones(2).item(),
    "requires_grad_int": lambda: torch.ones(2, dtype=torch.int64).requires_grad_(),
    "leaf_inplace": lambda: torch.ones(2, requires_grad=True).add_(1),
}

out = {}
for name, fn in CASES.items():
    try:
        fn()
        out[name] = None
    except Exception as e:  # noqa: BLE001 - the message is what is compared
        out[name] = str(e)
write_output(out)
