"""Prints repr() of each input tensor (test/tensor-format.test.ts compares tsorch's toString with it)."""
from common import from_json, read_input, write_output

inp = read_input()
out = []
for item in inp:
    t = from_json(item["tensor"])
    if item.get("requires_grad"):
        t.requires_grad_(True)
    out.append(repr(t))
write_output(out)
