"""Python values as JSON with their types spelled out, so tests can compare structure exactly.

None -> {"none": null}, bool -> {"bool": b}, int -> {"int": i}, float -> {"float": x} (inf/nan as strings),
str -> {"str": s}, tuple -> {"tuple": [...]}, list -> {"list": [...]}, dict -> {"dict": [[key, value], ...]} (in order),
OrderedDict -> {"odict": [...]}, tensor -> {"tensor": {dtype, shape, data}} (see test/helpers/tagged.ts).
"""
import collections
import math

import torch

from common import to_json


def tagged(value):
    """The tagged JSON form of a Python value."""
    if value is None:
        return {"none": None}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": value if math.isfinite(value) else str(value)}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, torch.Tensor):
        return {"tensor": to_json(value)}
    if isinstance(value, tuple):
        return {"tuple": [tagged(v) for v in value]}
    if isinstance(value, list):
        return {"list": [tagged(v) for v in value]}
    if isinstance(value, dict):
        kind = "odict" if isinstance(value, collections.OrderedDict) else "dict"
        return {kind: [[tagged(k), tagged(v)] for k, v in value.items()]}
    raise TypeError(f"cannot tag {type(value).__name__}")


def untagged(value):
    """The Python value of a tagged JSON form (tensors via common.from_json)."""
    from common import from_json
    (kind, inner), = value.items()
    if kind == "none":
        return None
    if kind in ("bool", "int", "str"):
        return inner
    if kind == "float":
        return float(inner)
    if kind == "tensor":
        return from_json(inner)
    if kind == "tuple":
        return tuple(untagged(v) for v in inner)
    if kind == "list":
        return [untagged(v) for v in inner]
    if kind == "dict":
        return {untagged(k): untagged(v) for k, v in inner}
    if kind == "odict":
        return collections.OrderedDict((untagged(k), untagged(v)) for k, v in inner)
    raise ValueError(f"unknown tag {kind}")
