"""Canonical JSON of pickles, for comparing what CPython and tsorch's unpickler build (stdlib only).

stdin: JSON [{"id", "hex", "count"}]: loads `count` consecutive pickles from the bytes (legacy torch
files are a stream of pickles). Every global outside a small builtin set becomes a stub class, so
torch files load without torch and without running anything; persistent ids load as ["pid", ...].
stdout: {id: [canonical, ...]}. Canonical forms: ["int", "123"], ["float", repr], ["str", s],
["bool", b], ["none"], ["bytes", hex], ["bytearray", hex], ["tuple", [...]], ["list", [...]],
["dict" | "odict", [[k, v], ...], attrs], ["set" | "frozenset", sorted json], ["complex", re, im],
["global", "module.name"], ["obj", "module.name", "reduce" | "newobj", args, state], ["pid", pid].
"""
import collections
import io
import json
import pickle
import sys

REAL = {
    ("collections", "OrderedDict"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"),
    ("builtins", "bytes"), ("builtins", "complex"), ("_codecs", "encode"),
}
MISSING = object()
STUBS = {}


def stub_class(qual):
    if qual not in STUBS:
        class Stub:
            def __new__(cls, *args, **kwargs):
                obj = object.__new__(cls)
                obj._args, obj._kind, obj._state = args, "newobj", MISSING
                return obj

            def __init__(self, *args, **kwargs):
                self._kind = "reduce"

            def __setstate__(self, state):
                self._state = state

        Stub._qual = qual
        STUBS[qual] = Stub
    return STUBS[qual]


class Pid:
    def __init__(self, pid):
        self.pid = pid


class CanonUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in REAL:
            return super().find_class(module, name)
        return stub_class(f"{module}.{name}")

    def persistent_load(self, pid):
        return Pid(pid)


def canon(v, active=()):
    if id(v) in active:
        return ["cycle"]
    active = active + (id(v),)
    if v is None:
        return ["none"]
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", repr(v)]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, bytearray):
        return ["bytearray", v.hex()]
    if isinstance(v, bytes):
        return ["bytes", v.hex()]
    if isinstance(v, complex):
        return ["complex", repr(v.real), repr(v.imag)]
    if isinstance(v, tuple):
        return ["tuple", [canon(x, active) for x in v]]
    if isinstance(v, list):
        return ["list", [canon(x, active) for x in v]]
    if isinstance(v, dict):
        items = [[canon(k, active), canon(x, active)] for k, x in v.items()]
        if type(v) is collections.OrderedDict:
            attrs = [[k, canon(x, active)] for k, x in vars(v).items()]
            return ["odict", items, attrs]
        return ["dict", items, []]
    if isinstance(v, (set, frozenset)):
        kind = "frozenset" if isinstance(v, frozenset) else "set"
        return [kind, sorted(json.dumps(canon(x, active)) for x in v)]
    if isinstance(v, Pid):
        return ["pid", canon(v.pid, active)]
    if isinstance(v, type):
        return ["global", getattr(v, "_qual", f"{v.__module__}.{v.__qualname__}")]
    if callable(v) and hasattr(v, "__module__") and not hasattr(v, "_qual"):
        return ["global", f"{v.__module__}.{v.__name__}"]
    if hasattr(type(v), "_qual"):
        state = None if v._state is MISSING else canon(v._state, active)
        return ["obj", type(v)._qual, v._kind, canon(v._args, active), state]
    raise TypeError(f"cannot canonicalize {type(v)}")


def main():
    out = {}
    for case in json.load(sys.stdin):
        stream = io.BytesIO(bytes.fromhex(case["hex"]))
        out[case["id"]] = [canon(CanonUnpickler(stream, encoding="utf-8").load()) for _ in range(case["count"])]
    json.dump(out, sys.stdout)


main()
