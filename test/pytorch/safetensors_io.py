"""A stand-alone safetensors reader and writer (json + torch, no `safetensors` package) for tsorch's tests.

Usage: safetensors_io.py read   (stdin: {"path": ...})  -> header facts and every tensor's values
       safetensors_io.py write  (stdin: {"path": ...})  -> writes a file laid out as the reference writer does,
                                                           and prints the values it wrote
Reading is as strict as the reference's read_metadata/validate: data offsets must tile the data section.
int64 values travel as strings (JSON numbers lose precision in JS).
"""
import json
import math
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool, "C64": torch.complex64,
}
CODES = {v: k for k, v in DTYPES.items()}
# The reference `Dtype` enum order (ascending alignment) restricted to the codes above.
RANK = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "C64", "F64", "I64"]


def values(t):
    """Flat values of a tensor in a JSON-safe form."""
    flat = t.reshape(-1)
    if t.dtype == torch.int64:
        return [str(v) for v in flat.tolist()]
    if t.dtype == torch.complex64:
        return [[v.real, v.imag] for v in flat.tolist()]
    if t.dtype.is_floating_point:
        return [v if math.isfinite(v) else str(v) for v in flat.tolist()]
    return flat.tolist()


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data), "header length past the end"
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    start = 8 + n
    expected = 0
    tensors = {}
    for name, info in entries:
        begin, end = info["data_offsets"]
        assert begin == expected, f"{name}: offsets do not tile the data"
        dtype = DTYPES[info["dtype"]]
        shape = info["shape"]
        numel = math.prod(shape)
        itemsize = torch.empty((), dtype=dtype).element_size()
        assert end - begin == numel * itemsize, f"{name}: byte count"
        assert (start + begin) % itemsize == 0, f"{name}: misaligned data"
        if numel == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(bytearray(data[start + begin : start + end]), dtype=dtype).reshape(shape)
        tensors[name] = {"dtype": info["dtype"], "shape": shape, "data": values(t)}
        expected = end
    assert start + expected == len(data), "trailing bytes"
    return {"header_length": n, "order": [name for name, _ in entries], "metadata": metadata, "tensors": tensors}


def write(path):
    g = torch.Generator().manual_seed(0)
    tensors = {
        "f64": torch.tensor([1.5, -0.0, float("inf"), 1e-310], dtype=torch.float64),
        "f32": torch.randn(2, 3, generator=g),
        "f16": torch.tensor([[0.5, -65504.0], [6.0e-8, float("nan")]], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -2.5, 3.0e38, 1.0e-39], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2**63), 2**63 - 1, 0, 12345678901234], dtype=torch.int64),
        "i32": torch.tensor([[-(2**31), 2**31 - 1]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, 7], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 3], dtype=torch.uint8),
        "mask": torch.tensor([[True, False], [False, True]]),
        "scalar": torch.tensor(7.25),
        "empty": torch.zeros(0, 4),
        "transposed": torch.arange(6, dtype=torch.float32).reshape(2, 3).t().contiguous(),
    }
    metadata = {"format": "pt", "source": "safetensors_io.py"}
    items = sorted(tensors.items(), key=lambda kv: (-RANK.index(CODES[kv[1].dtype]), kv[0]))
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, t in items:
        blob = t.contiguous().view(-1).view(torch.uint8).numpy().tobytes() if t.numel() and t.dtype != torch.bool else t.contiguous().numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    return {"metadata": metadata, "tensors": {k: {"dtype": CODES[t.dtype], "shape": list(t.shape), "data": values(t)} for k, t in tensors.items()}}


if __name__ == "__main__":
    request = json.load(sys.stdin)
    result = read(request["path"]) if sys.argv[1] == "read" else write(request["path"])
    json.dump(result, sys.stdout)
