"""Pickle oracle for the tsorch tests (CPython stdlib only).

stdin: JSON {"mode": "load" | "dump", "cases": [...]}
- load: each case {"id", "hex", "expected"}: unpickles `hex` with an allowlisted Unpickler and checks it
  equals `eval(expected)` *with the same types* (int vs float vs bool, tuple vs list, dict vs
  OrderedDict, key types and order, OrderedDict attributes). Prints {id: {"ok", "repr", "why"}}.
- dump: each case {"id", "expr", "protocol"}: pickles eval(expr); prints {id: {"hex", "repr"}}.
"""
import collections
import io
import json
import math
import pickle
import sys

ALLOWED = {
    ("collections", "OrderedDict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "bytearray"),
    ("builtins", "bytes"),
    ("builtins", "complex"),
    ("_codecs", "encode"),
}


class AllowlistUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed by the oracle")
        return super().find_class(module, name)


def make_od(pairs, **attrs):
    od = collections.OrderedDict(pairs)
    for k, v in attrs.items():
        setattr(od, k, v)
    return od


NAMESPACE = {"OrderedDict": collections.OrderedDict, "od": make_od, "nan": math.nan, "inf": math.inf}


def same(a, b, path="value"):
    """None when a and b are equal with identical types throughout, else a description."""
    if type(a) is not type(b):
        return f"{path}: type {type(a).__name__} != {type(b).__name__} ({a!r} vs {b!r})"
    if isinstance(a, float):
        if math.isnan(a) and math.isnan(b):
            return None
        if a != b or math.copysign(1, a) != math.copysign(1, b):
            return f"{path}: {a!r} != {b!r}"
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            why = same(x, y, f"{path}[{i}]")
            if why:
                return why
        return None
    if isinstance(a, dict):
        ka, kb = list(a.keys()), list(b.keys())
        if len(ka) != len(kb):
            return f"{path}: keys {ka!r} != {kb!r}"
        for x, y in zip(ka, kb):
            why = same(x, y, f"{path} key") or same(a[x], b[y], f"{path}[{x!r}]")
            if why:
                return why
        if isinstance(a, collections.OrderedDict):
            return same(dict(vars(a)), dict(vars(b)), f"{path}.__dict__")
        return None
    if isinstance(a, (set, frozenset)):
        ra, rb = sorted(map(repr, a)), sorted(map(repr, b))
        return None if ra == rb else f"{path}: {ra} != {rb}"
    return None if a == b else f"{path}: {a!r} != {b!r}"


def main():
    request = json.load(sys.stdin)
    out = {}
    for case in request["cases"]:
        if request["mode"] == "load":
            try:
                value = AllowlistUnpickler(io.BytesIO(bytes.fromhex(case["hex"]))).load()
            except Exception as e:  # report, do not crash the batch
                out[case["id"]] = {"ok": False, "repr": None, "why": f"{type(e).__name__}: {e}"}
                continue
            expected = eval(case["expected"], NAMESPACE)
            why = same(value, expected)
            out[case["id"]] = {"ok": why is None, "repr": repr(value), "why": why}
        else:
            value = eval(case["expr"], NAMESPACE)
            data = pickle.dumps(value, protocol=case["protocol"])
            out[case["id"]] = {"hex": data.hex(), "repr": repr(value)}
    json.dump(out, sys.stdout)


main()
