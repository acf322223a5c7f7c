"""Prints torch's version and the matmul of the two input tensors (used by test/helpers.test.ts)."""
from common import from_json, read_input, to_json, write_output
import torch

inp = read_input()
write_output({"version": torch.__version__, "product": to_json(from_json(inp["a"]) @ from_json(inp["b"]))})
