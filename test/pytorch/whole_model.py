"""Whole-model files (torch.save(model, PATH)) between PyTorch 1.13 and tsorch (test/serialization/whole-model*.test.ts).

The model classes a whole-model pickle names must exist where it is loaded: TheModelClass and Holder are defined
here, in __main__, as the tutorial does; torchvision's ResNet is imported.

Commands (a JSON list of requests on stdin, one reply each, in order; {"cmd": ...}):
  save_model   {path, kind, x, eval, legacy}: build kind ("the_model", "resnet18" with randomised weights and
               BatchNorm statistics, "layers" from `specs`, "holder", "conv1d"), torch.save the whole model; returns its
               description and its output for x (layers: per-layer outputs for `inputs`).
  load_model   {path, x | inputs}: torch.load(path) (weights_only=False); description and outputs.
  pickle       {kind}: the data.pkl PyTorch writes for torch.save of a freshly built model of that kind (hex).
  describe_new {kind}: the description of a freshly built model of that kind (to compare with loaded ones).
  layer_refs   {specs}: the description of each layer built from specs (to compare with loaded ones).
  compare      {a, b, x | inputs}: loads both files; the differences between them (descriptions with tensor
               values, and outputs); [] when they are the same model.
  evil         {path, kind, canary}: TheModelClass with a payload inside (an attribute or a hook whose __reduce__
               calls os.system / subprocess.Popen / builtins.eval), saved whole.
"""
import hashlib
import io
import os
import subprocess
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import from_json, read_input, to_json, write_output

torch.set_num_threads(1)


class TheModelClass(nn.Module):
    """The tutorial's model."""

    def __init__(self):
        super(TheModelClass, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


class Holder(nn.Module):
    """A module with plain attributes of every kind, to check user-class attributes both ways."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.count = 3
        self.scale = 2.0
        self.ratio = 0.25
        self.name = "holder"
        self.shape = (1, 2)
        self.sizes = [4, 5]
        self.options = {"a": 1, "b": None}
        self.nothing = None
        self.layer_class = nn.BatchNorm2d
        self.register_buffer("scratch", torch.arange(3.0), persistent=False)

    def forward(self, x):
        return self.fc(x) * self.scale


# --- building models ---------------------------------------------------------------------------


def build_layer(spec):
    """A layer from {"cls", "args", "kwargs"} or a container from {"cls", "children"} (lists become tuples)."""
    cls = getattr(nn, spec["cls"])
    if "children" in spec:
        children = spec["children"]
        if isinstance(children, dict):
            return cls({k: build_layer(v) for k, v in children.items()})
        built = [build_layer(c) for c in children]
        return cls(built) if spec["cls"] == "ModuleList" else cls(*built)
    tup = lambda v: tuple(v) if isinstance(v, list) else v
    args = [tup(a) for a in spec.get("args", [])]
    kwargs = {k: tup(v) for k, v in spec.get("kwargs", {}).items()}
    return cls(*args, **kwargs)


def randomise(model):
    """Non-trivial parameters and BatchNorm statistics, so that eval-mode outputs test every tensor."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.uniform_(-0.5, 0.5)
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.running_mean is not None:
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(7)


def build(req):
    torch.manual_seed(req.get("seed", 0))
    kind = req["kind"]
    if kind == "the_model":
        model = TheModelClass()
    elif kind == "holder":
        model = Holder()
    elif kind == "resnet18":
        import torchvision

        model = torchvision.models.resnet18(weights=None)
        with torch.no_grad():  # BatchNorm statistics and affine parameters that make eval mode use every tensor
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
                    m.num_batches_tracked.fill_(7)
    elif kind == "conv1d":
        model = nn.Sequential(nn.Conv1d(2, 2, 3))
    elif kind == "layers":
        model = nn.ModuleDict({name: build_layer(spec) for name, spec in req["specs"].items()})
        randomise(model)
        for name in req.get("eval_layers", []):
            model[name].eval()
    else:
        raise ValueError(kind)
    if req.get("eval"):
        model.eval()
    return model


# --- describing and running ----------------------------------------------------------------------


def describe_value(v):
    return [type(v).__module__ + "." + type(v).__qualname__, repr(v)]


def describe(model, values=False):
    """Per named module: class, training, __dict__ keys in order, attribute types and reprs, tensors (with values:
    the sha256 of their elements' bytes in row-major order)."""
    out = {}
    for name, m in model.named_modules():
        d = m.__dict__
        entry = {
            "class": type(m).__module__ + "." + type(m).__qualname__,
            "training": m.training,
            "keys": list(d.keys()),
            "attrs": {k: describe_value(v) for k, v in d.items() if k not in ("_parameters", "_buffers", "_modules")},
            "parameters": {},
            "buffers": {},
            "children": list(d["_modules"].keys()),
        }
        for kind in ("parameters", "buffers"):
            for k, t in d["_" + kind].items():
                if t is None:
                    entry[kind][k] = None
                    continue
                item = {"type": type(t).__name__, "dtype": str(t.dtype), "shape": list(t.shape), "requires_grad": t.requires_grad}
                if values:
                    item["sha256"] = hashlib.sha256(t.detach().contiguous().numpy().tobytes()).hexdigest()
                entry[kind][k] = item
        out[name] = entry
    return out


def run(model, req):
    with torch.no_grad():
        if "x" in req:
            return {"output": to_json(model(from_json(req["x"])))}
        if "inputs" in req:
            return {"outputs": {k: to_json(model[k](from_json(x))) for k, x in req["inputs"].items()}}
    return {}


def evil(req):
    canary = req["canary"]
    kind = req["kind"]

    class Payload:
        def __reduce__(self):
            if kind == "attribute_os_system":
                return (os.system, ("touch " + canary,))
            if kind == "hook_popen":
                return (subprocess.Popen, (["touch", canary],))
            if kind == "child_eval":
                return (eval, ("open(%r, 'w')" % canary,))
            raise ValueError(kind)

    model = TheModelClass()
    if kind == "attribute_os_system":
        model.evil = Payload()
    elif kind == "hook_popen":
        model.fc1._forward_hooks[0] = Payload()
    elif kind == "child_eval":
        model.conv2.__dict__["padding_mode"] = Payload()
    torch.save(model, req["path"])
    return {}


def handle(req):
    cmd = req["cmd"]
    if cmd == "save_model":
        model = build(req)
        torch.save(model, req["path"], _use_new_zipfile_serialization=not req.get("legacy", False))
        return {"describe": describe(model, values=True), **run(model, req)}
    if cmd == "load_model":
        model = torch.load(req["path"])
        return {"describe": describe(model, values=True), **run(model, req)}
    if cmd == "pickle":
        buffer = io.BytesIO()
        torch.save(build(req), buffer)
        with zipfile.ZipFile(buffer) as z:
            return {"pickle": z.read(next(n for n in z.namelist() if n.endswith("/data.pkl"))).hex()}
    if cmd == "describe_new":
        return {"describe": describe(build(req))}
    if cmd == "layer_refs":
        return {"describe": describe(nn.ModuleDict({name: build_layer(spec) for name, spec in req["specs"].items()}))}
    if cmd == "compare":
        a, b = torch.load(req["a"]), torch.load(req["b"])
        diffs = []
        da, db = describe(a, values=True), describe(b, values=True)
        if da != db:
            for name in sorted(set(da) | set(db)):
                if da.get(name) != db.get(name):
                    diffs.append({"module": name, "a": da.get(name), "b": db.get(name)})
        ra, rb = run(a, req), run(b, req)
        if ra != rb:
            diffs.append({"outputs": [ra, rb]})
        return {"diffs": diffs}
    if cmd == "evil":
        return evil(req)
    raise ValueError(cmd)


if __name__ == "__main__":
    write_output([handle(r) for r in read_input()])
