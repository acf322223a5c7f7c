"""Float32 rounding of scalar and fused point-wise ops (used by test/ops/pointwise-rounding.test.ts).

Input: {"a", "b", "c": tensors, "s": a Python float}; output: each op's result.
"""
from common import from_json, read_input, to_json, write_output

inp = read_input()
a, b, c, s = from_json(inp["a"]), from_json(inp["b"]), from_json(inp["c"]), inp["s"]
write_output({
    "add_alpha": to_json(a.add(b, alpha=s)),
    "sub_alpha": to_json(a.sub(b, alpha=s)),
    "mul_scalar": to_json(a.mul(s)),
    "div_scalar": to_json(a.div(s)),
    "add_scalar": to_json(a.add(s)),
    "addcmul": to_json(a.clone().addcmul_(b, c, value=s)),
    "addcmul_1": to_json(a.clone().addcmul_(b, c)),
    "addcdiv": to_json(a.clone().addcdiv_(b, c, value=s)),
})
