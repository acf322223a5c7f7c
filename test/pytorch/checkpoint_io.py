"""torch.save / torch.load interop with tsorch (test/serialization/torch/*.test.ts).

Values travel as "described" JSON (test/helpers/describe.ts builds the same form from tsorch values), so that
a test compares everything at once: Python types (int/float/tuple/list/dict/OrderedDict/bytes/set ...), dict key
types and order, OrderedDict attributes (`_metadata`), and per tensor its dtype, shape, stride, storage offset,
requires_grad, Parameter-ness, device, which storage it views (storages numbered in order of first use, by
`storage().data_ptr()`: torch 1.13 has no `untyped_storage()`) and the storage's size, and the exact bytes of its
elements in row-major order (hex).

Commands (JSON on stdin, {"cmd": ...}):
  describe  {path, weights_only, map_location}: torch.load the file, describe it; for zip files also
            zipfile's testzip() and the record names.
  save      {dir, cases, legacy}: build each named case in PyTorch, torch.save it to <dir>/<case>.pt (legacy format
            with legacy=true), return {case: described original}.
  outputs   {path, x}: TheModelClass loads the state dict in path; its outputs for input x.
  train     {optimizer, kwargs, batches, resume, save_after, save_path, seed}: TheModelClass + optimizer, seeded
            init or resumed from a general checkpoint; one step per batch; saves a general checkpoint after
            save_after steps; returns the losses and the final state dicts (described).
  pickle    {path, kind}: write a malicious zip checkpoint (see malicious_pickle) to path.
"""
import collections
import io
import json
import math
import os
import pickle
import sys
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import from_json, read_input, to_json, write_output
from nn_models import TheModelClass

torch.set_num_threads(1)

MAX_SAFE = 2**53 - 1


# --- describe ---------------------------------------------------------------------------------


def describe_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 and math.copysign(1, x) < 0:
        return "-0.0"
    return x


def tensor_hex(t):
    flat = t.detach().reshape(-1).contiguous()
    if flat.dtype == torch.bfloat16:
        flat = flat.view(torch.int16)
    return flat.numpy().tobytes().hex()


class Describer:
    def __init__(self):
        self.storages = {}

    def storage_index(self, t):
        st = t.storage()
        if st.nbytes() == 0:  # empty storages have no address: never shared
            key = ("empty", len(self.storages))
        else:
            key = st.data_ptr()
        return self.storages.setdefault(key, len(self.storages)), st.nbytes()

    def tensor(self, t):
        d = {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "stride": list(t.stride()),
            "offset": t.storage_offset(),
            "requires_grad": t.requires_grad,
            "parameter": isinstance(t, nn.Parameter),
            "device": t.device.type,
        }
        if t.is_meta:
            d.update(storage=None, storage_nbytes=None, hex=None)
        else:
            index, nbytes = self.storage_index(t)
            d.update(storage=index, storage_nbytes=nbytes, hex=tensor_hex(t))
        return d

    def sorted_items(self, items):
        described = [self(x) for x in items]
        return sorted(described, key=lambda d: json.dumps(d, separators=(",", ":"), sort_keys=True))

    def __call__(self, v):
        if v is None:
            return {"none": None}
        if isinstance(v, bool):
            return {"bool": v}
        if isinstance(v, int):
            return {"int": v if abs(v) <= MAX_SAFE else str(v)}
        if isinstance(v, float):
            return {"float": describe_float(v)}
        if isinstance(v, complex):
            return {"complex": [describe_float(v.real), describe_float(v.imag)]}
        if isinstance(v, str):
            return {"str": v}
        if isinstance(v, bytearray):
            return {"bytearray": bytes(v).hex()}
        if isinstance(v, bytes):
            return {"bytes": v.hex()}
        if isinstance(v, torch.Tensor):
            return {"tensor": self.tensor(v)}
        if isinstance(v, torch.dtype):
            return {"dtype": str(v).replace("torch.", "")}
        if isinstance(v, torch.device):
            return {"device": str(v)}
        if isinstance(v, torch.Size):
            return {"size": list(v)}
        if isinstance(v, tuple):
            return {"tuple": [self(x) for x in v]}
        if isinstance(v, list):
            return {"list": [self(x) for x in v]}
        if isinstance(v, frozenset):
            return {"frozenset": self.sorted_items(v)}
        if isinstance(v, set):
            return {"set": self.sorted_items(v)}
        if isinstance(v, dict):
            kind = "odict" if isinstance(v, collections.OrderedDict) else "dict"
            out = {kind: [[self(k), self(x)] for k, x in v.items()]}
            attrs = getattr(v, "__dict__", None)
            if attrs:
                out["attrs"] = [[k, self(x)] for k, x in attrs.items()]
            return out
        if isinstance(v, type) or callable(v):
            return {"global": f"{v.__module__}.{v.__name__}"}
        raise TypeError(f"cannot describe {type(v).__name__}")


def describe(value):
    return Describer()(value)


def cmd_describe(inp):
    path = inp["path"]
    kwargs = {}
    if inp.get("map_location"):
        kwargs["map_location"] = inp["map_location"]
    out = {}
    try:
        value = torch.load(path, weights_only=bool(inp.get("weights_only")), **kwargs)
        out["value"] = describe(value)
    except Exception as e:  # reported, so a test can assert on PyTorch's own error
        out["error"] = f"{type(e).__name__}: {e}"
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            out["testzip"] = z.testzip()
            out["names"] = z.namelist()
    return out


# --- objects PyTorch saves (PyTorch -> tsorch) --------------------------------------------------


def dtype_tensors():
    g = torch.Generator().manual_seed(1)
    sd = collections.OrderedDict()
    sd["float32"] = torch.tensor([0.0, -0.0, 1.5, -2.25, 3.4028234663852886e38, 1.401298464324817e-45, math.inf, -math.inf, math.nan], dtype=torch.float32)
    sd["float32_randn"] = torch.randn(3, 4, generator=g)
    sd["float64"] = torch.tensor([0.1, -1e300, 5e-324, math.pi, math.inf], dtype=torch.float64)
    sd["float16"] = torch.tensor([0.1, 65504.0, -6.1e-5, 5.96e-8, math.inf], dtype=torch.float16)
    sd["bfloat16"] = torch.tensor([0.1, 3.0e38, -1.0e-38, 1.0, -math.inf], dtype=torch.bfloat16)
    sd["int64"] = torch.tensor([0, -1, 2**62, -(2**63), 2**63 - 1, 2**53 + 1], dtype=torch.int64)
    sd["int32"] = torch.tensor([0, -1, 2**31 - 1, -(2**31)], dtype=torch.int32)
    sd["int16"] = torch.tensor([0, -1, 32767, -32768], dtype=torch.int16)
    sd["int8"] = torch.tensor([0, -1, 127, -128], dtype=torch.int8)
    sd["uint8"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([[True, False], [False, True]])
    return sd


def views():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    w = torch.randn(3, 3)
    return {
        "base": base,
        "transposed": base.t(),
        "sliced": base[1:3, 2:5],
        "row": base[2],
        "column": base[:, 1],
        "strided": base[::2, ::3],
        "expanded": torch.tensor([1.0, 2.0, 3.0]).expand(4, 3),
        "fortran": torch.arange(24, dtype=torch.int64).reshape(4, 3, 2).permute(2, 1, 0),
        "tied_a": w,
        "tied_b": w,
        "scalar": torch.tensor(7.5),
        "scalar_int": torch.tensor(3, dtype=torch.int64),
        "empty": torch.empty(0),
        "empty_2d": torch.zeros(3, 0, dtype=torch.int32),
        "small_of_big": torch.arange(1000, dtype=torch.float64)[997:],
    }


def values():
    return {
        "int": 1,
        "negative": -7,
        "big": 2**100,
        "big_negative": -(2**70),
        "int_limit": 2**53,
        "float": 0.1,
        "float_one": 1.0,
        "neg_zero": -0.0,
        "float_big": 1e300,
        "float_inf": math.inf,
        "float_nan": math.nan,
        "denormal": 5e-324,
        "str": "héllo ✓ 😀",
        "empty_str": "",
        "surrogate": "a\ud800b",
        "true": True,
        "false": False,
        "none": None,
        "tuple": (1, 2.0, "three"),
        "empty_tuple": (),
        "one_tuple": (None,),
        "list": [1, [2, [3, []]], (4,)],
        "int_keys": {0: "a", 1: "b", -5: "c", 2**40: "d"},
        "digit_str_keys": {"0": 0, "1": 1},
        "mixed_keys": {"a": 1, 2: "b", None: 3, (1, 2): 4, 1.5: 5},
        "odict": collections.OrderedDict([("z", 1), ("a", 2)]),
        "odict_int": collections.OrderedDict([(3, "x"), (1, "y")]),
        "bytes": b"\x00\x01\xffabc",
        "empty_bytes": b"",
        "bytearray": bytearray(b"\x10\x20"),
        "set": {1, 2, 3},
        "frozenset": frozenset({"a", "b"}),
        "complex": complex(1.5, -2.0),
        "dtypes": [torch.float32, torch.int64, torch.bool, torch.bfloat16, torch.float16],
        "size": torch.Size([2, 3]),
        "device": torch.device("cpu"),
        "nested": {"a": [{"b": ({"c": [1, 2.5, None]},)}], "t": torch.ones(2)},
        "shared_list": None,
    }


def values_with_shared():
    v = values()
    shared = [1, 2]
    v["shared_list"] = [shared, shared]
    return v


def parameters():
    lin = nn.Linear(3, 2)
    return {
        "param": nn.Parameter(torch.randn(2, 2)),
        "frozen": nn.Parameter(torch.randn(2), requires_grad=False),
        "grad_tensor": torch.randn(3).requires_grad_(),
        "keep_vars": lin.state_dict(keep_vars=True),
    }


def train_steps(model, opt, n, seed):
    g = torch.Generator().manual_seed(seed)
    loss = None
    for _ in range(n):
        x = torch.randn(4, 3, 32, 32, generator=g)
        y = torch.randint(0, 10, (4,), generator=g)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return loss.item()


def general_checkpoint(kind):
    torch.manual_seed(0)
    model = TheModelClass()
    if kind == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss = train_steps(model, opt, 3, 1)
    return {"epoch": 3, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(), "loss": loss}


def multi():
    torch.manual_seed(0)
    a = TheModelClass()
    b = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    oa = torch.optim.SGD(a.parameters(), lr=0.01, momentum=0.9)
    ob = torch.optim.Adam(b.parameters(), lr=0.01, betas=(0.8, 0.99))
    train_steps(a, oa, 1, 2)
    b.train()
    ob.zero_grad()
    b(torch.randn(5, 4)).sum().backward()
    ob.step()
    return {"modelA_state_dict": a.state_dict(), "modelB_state_dict": b.state_dict(), "optimizerA_state_dict": oa.state_dict(), "optimizerB_state_dict": ob.state_dict()}


def state_dict():
    torch.manual_seed(3)
    return TheModelClass().state_dict()


CASES = {
    "dtypes": dtype_tensors,
    "views": views,
    "values": values_with_shared,
    "parameters": parameters,
    "checkpoint_sgd": lambda: general_checkpoint("sgd"),
    "checkpoint_adam": lambda: general_checkpoint("adam"),
    "multi": multi,
    "state_dict": state_dict,
    "tensor": lambda: torch.arange(6, dtype=torch.float32).reshape(2, 3).t(),
    "complex": lambda: {"c64": torch.tensor([1 + 2j, -3.5j], dtype=torch.complex64), "c128": torch.tensor([0.1 - 1j], dtype=torch.complex128)},
    "meta": lambda: {"m": torch.empty(2, 3, device="meta"), "cpu": torch.ones(1)},
    "big": lambda: {"a": torch.zeros(1024, 1024), "b": torch.ones(1000, dtype=torch.int64)},
}


def cmd_save(inp):
    out = {}
    for name in inp["cases"]:
        obj = CASES[name]()
        path = os.path.join(inp["dir"], name + (".legacy.pt" if inp.get("legacy") else ".pt"))
        torch.save(obj, path, _use_new_zipfile_serialization=not inp.get("legacy"))
        out[name] = describe(obj)
    return out


# --- models ------------------------------------------------------------------------------------


def cmd_outputs(inp):
    model = TheModelClass()
    result = model.load_state_dict(torch.load(inp["path"]))
    model.eval()
    with torch.no_grad():
        y = model(from_json(inp["x"]))
    return {"y": to_json(y), "load_result": repr(result)}


def make_optimizer(name, params, kwargs):
    kwargs = dict(kwargs)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    return getattr(torch.optim, name)(params, **kwargs)


def cmd_train(inp):
    torch.manual_seed(inp.get("seed", 0))
    model = TheModelClass()
    opt = make_optimizer(inp["optimizer"], model.parameters(), inp.get("kwargs", {}))
    out = {"losses": []}
    if inp.get("resume"):
        ckpt = torch.load(inp["resume"])
        model.load_state_dict(ckpt["model_state_dict"])
        opt.load_state_dict(ckpt["optimizer_state_dict"])
        out["resumed_epoch"] = ckpt["epoch"]
        out["resumed_loss"] = describe(ckpt["loss"])
        # what load_state_dict kept: int keys must have matched, or the state would be empty
        out["loaded_optimizer_state_dict"] = describe(opt.state_dict())
    for i, batch in enumerate(inp["batches"]):
        x, y = from_json(batch["x"]), from_json(batch["y"])
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        out["losses"].append(loss.item())
        if inp.get("save_after") == i + 1:
            torch.save({"epoch": i + 1, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(), "loss": loss.item()}, inp["save_path"])
    out["params"] = {k: to_json(v) for k, v in model.state_dict().items()}
    out["optimizer_state_dict"] = describe(opt.state_dict())
    return out


# --- malicious files (refused by tsorch; a canary file proves nothing ran) ---------------------


class Reduce:
    """An object whose pickle is `func(*args)`."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


class Global:
    """A pickle GLOBAL by name, without importing it here: pickled as `module.name` via a fake class."""

    def __init__(self, module, name):
        self.module, self.name = module, name


class ByName:
    def __init__(self, module, name, args):
        self.module, self.name, self.args = module, name, args


class RawPickler(pickle._Pickler):
    """Writes GLOBAL module.name for ByName objects (REDUCE with args) without resolving the name (the pure-Python
    pickler, whose save() can be extended)."""

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, ByName):
            self.write(b"c" + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
            self.save(tuple(obj.args))
            self.write(pickle.REDUCE)
            return
        if isinstance(obj, Global):
            self.write(b"c" + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
            return
        super().save(obj, save_persistent_id)


def malicious_value(kind, canary):
    touch = f"open({canary!r}, 'w').write('ran')"
    shell = f"touch {canary}"
    if kind == "os.system":
        return ByName("os", "system", [shell])
    if kind == "posix.system":
        return ByName("posix", "system", [shell])
    if kind == "builtins.eval":
        return ByName("builtins", "eval", [touch])
    if kind == "builtins.exec":
        return ByName("builtins", "exec", [touch])
    if kind == "subprocess.Popen":
        return ByName("subprocess", "Popen", [["touch", canary]])
    if kind == "nested_reduce":
        # getattr(builtins.__import__('os'), 'system')('touch ...'): REDUCE over the result of REDUCEs
        imp = ByName("builtins", "__import__", ["os"])
        system = ByName("builtins", "getattr", [imp, "system"])
        return {"weights": [1, 2], "payload": ByName("torch._utils", "_rebuild_tensor_v2", [system, 0, (1,), (1,), False, collections.OrderedDict()])}
    if kind == "inside_state_dict":
        return collections.OrderedDict([("w", 1), ("x", ByName("os", "system", [shell]))])
    if kind == "apply_via_functools":
        return ByName("functools", "partial", [Global("os", "system"), shell])
    if kind == "torch_load_recursion":
        return ByName("torch", "load", [canary])
    if kind == "rebuild_from_type_trick":
        return ByName("torch._tensor", "_rebuild_from_type_v2", [Global("torch._utils", "_rebuild_tensor_v2"), Global("subprocess", "Popen"), (["touch", canary],), {}])
    if kind == "numpy_reconstruct":
        return ByName("numpy.core.multiarray", "_reconstruct", [Global("numpy", "ndarray"), (0,), b"b"])
    raise ValueError(kind)


def cmd_pickle(inp):
    kind = inp["kind"]
    canary = inp["canary"]
    buf = io.BytesIO()
    if kind == "bad_persistent_id":
        # BINPERSID on a str, and on a tuple that names something other than a storage
        class P(pickle.Pickler):
            def persistent_id(self, obj):
                return obj.pid if isinstance(obj, PidHolder) else None

        class PidHolder:
            def __init__(self, pid):
                self.pid = pid

        P(buf, protocol=2).dump({"a": PidHolder(inp.get("pid_value", "os.system"))})
    elif kind in ("real_os_system", "real_os_system_proto4"):
        # what pickle itself writes for a callable: GLOBAL posix system (protocol 2) or STACK_GLOBAL (protocol 4)
        pickle.Pickler(buf, protocol=4 if kind.endswith("proto4") else 2).dump({"x": Reduce(os.system, (f"touch {canary}",))})
    elif kind == "proto_pollution":
        od = collections.OrderedDict([("__proto__", {"polluted": True})])
        od.__dict__["__proto__"] = {"polluted": True}
        pickle.Pickler(buf, protocol=2).dump({"d": {"__proto__": {"polluted": True}}, "od": od, "constructor": {"prototype": 1}})
    else:
        RawPickler(buf, protocol=2).dump(malicious_value(kind, canary))
    data = buf.getvalue()
    with zipfile.ZipFile(inp["path"], "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", data)
        z.writestr("archive/version", "3\n")
    return {"pickle_hex": data.hex()}


def main():
    inp = read_input()
    cmds = {"describe": cmd_describe, "save": cmd_save, "outputs": cmd_outputs, "train": cmd_train, "pickle": cmd_pickle}
    if isinstance(inp, list):
        write_output([cmds[i["cmd"]](i) for i in inp])
    else:
        write_output(cmds[inp["cmd"]](inp))


main()
