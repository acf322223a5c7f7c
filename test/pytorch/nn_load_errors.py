"""Runs the load_state_dict / registration scenarios of test/nn/load.test.ts in PyTorch and prints, per
scenario, the text PyTorch produces: str(exception), or repr of the returned _IncompatibleKeys."""
from collections import OrderedDict

import torch
import torch.nn as nn

from common import read_input, write_output
from nn_models import TheModelClass


def tutorial_sd():
    return TheModelClass().state_dict()


def load(model, sd, strict=True):
    try:
        return repr(model.load_state_dict(sd, strict=strict))
    except Exception as e:  # noqa: BLE001 - the text is what we compare
        return f"{type(e).__name__}: {e}"


def missing_unexpected(strict):
    sd = tutorial_sd()
    del sd["fc3.weight"], sd["fc3.bias"]
    sd["fc4.weight"] = torch.zeros(3)
    return load(TheModelClass(), sd, strict)


def size_mismatch(strict):
    sd = tutorial_sd()
    sd["fc1.weight"] = torch.zeros(100, 400)
    sd["conv1.bias"] = torch.zeros(7)
    return load(TheModelClass(), sd, strict)


def everything():
    sd = tutorial_sd()
    del sd["conv2.bias"]
    sd["fc1.weight"] = torch.zeros(100, 400)
    sd["fc2.bias"] = 3
    sd["extra"] = torch.zeros(1)
    sd["fc3.weight.extra"] = torch.zeros(1)
    return load(TheModelClass(), sd)


def not_tensor(value):
    sd = tutorial_sd()
    sd["fc1.bias"] = value
    return load(TheModelClass(), sd, False)


def bn_model():
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))


def bn_version(version, drop):
    model = bn_model()
    sd = model.state_dict()
    if drop:
        del sd["1.num_batches_tracked"]
    if version is None:
        sd = OrderedDict(sd.items())  # no _metadata
    else:
        sd._metadata["1"] = {"version": version}
    model[1].num_batches_tracked.fill_(7)
    result = load(model, sd)
    return f"{result} nbt={int(model[1].num_batches_tracked)}"


def scalar_compat():
    model = bn_model()
    sd = model.state_dict()
    sd["1.num_batches_tracked"] = torch.tensor([5])
    result = load(model, sd)
    return f"{result} nbt={int(model[1].num_batches_tracked)}"


def meta_source():
    sd = tutorial_sd()
    sd["fc1.bias"] = torch.empty(120, device="meta")
    return load(TheModelClass(), sd)


def not_a_dict():
    return load(TheModelClass(), [1, 2])


def attempt(fn):
    try:
        fn()
        return "no error"
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e.args[0] if e.args else e}"


def registration():
    m = TheModelClass()
    m.register_buffer("buf", torch.zeros(2))
    out = {}
    out["assign tensor to param"] = attempt(lambda: setattr(m.fc1, "weight", torch.zeros(2)))
    out["assign tensor to module"] = attempt(lambda: setattr(m, "fc1", torch.zeros(2)))
    out["assign int to buffer"] = attempt(lambda: setattr(m, "buf", 3))
    out["buffer exists"] = attempt(lambda: m.register_buffer("fc1", torch.zeros(2)))
    out["buffer dot"] = attempt(lambda: m.register_buffer("a.b", torch.zeros(2)))
    out["buffer empty"] = attempt(lambda: m.register_buffer("", torch.zeros(2)))
    out["buffer not tensor"] = attempt(lambda: m.register_buffer("x", 3))
    out["param not parameter"] = attempt(lambda: m.register_parameter("x", torch.zeros(2)))
    out["param exists"] = attempt(lambda: m.register_parameter("conv1", None))
    out["param non-leaf"] = attempt(lambda: m.register_parameter("y", nn.Parameter(torch.ones(1)) * 2))
    out["module dot"] = attempt(lambda: m.add_module("fc1.x", None))
    out["module not module"] = attempt(lambda: m.add_module("z", 3))
    out["module empty"] = attempt(lambda: m.add_module("", None))
    out["submodule missing"] = attempt(lambda: m.get_submodule("fc1.x"))
    out["submodule not module"] = attempt(lambda: m.get_submodule("fc1.weight"))
    out["parameter missing"] = attempt(lambda: m.get_parameter("fc1.x"))
    out["parameter is buffer"] = attempt(lambda: m.get_parameter("buf"))
    out["parameter is module"] = attempt(lambda: m.get_parameter("fc1"))
    out["buffer is parameter"] = attempt(lambda: m.get_buffer("fc1.weight"))
    out["train not bool"] = attempt(lambda: m.train(1))
    out["to int dtype"] = attempt(lambda: m.to(torch.int64))
    out["forward missing"] = attempt(lambda: nn.Module()(1))
    out["bn2d 3d input"] = attempt(lambda: nn.BatchNorm2d(3)(torch.zeros(2, 3, 4)))
    out["bn1d 4d input"] = attempt(lambda: nn.BatchNorm1d(3)(torch.zeros(2, 3, 4, 4)))
    out["conv groups"] = attempt(lambda: nn.Conv2d(3, 6, 3, groups=2))
    out["conv same strided"] = attempt(lambda: nn.Conv2d(3, 6, 3, stride=2, padding="same"))
    out["dropout p"] = attempt(lambda: nn.Dropout(1.5))
    out["sequential index"] = attempt(lambda: nn.Sequential(nn.ReLU())[3])
    out["modulelist index"] = attempt(lambda: nn.ModuleList([nn.ReLU()])[-2])
    return out


SCENARIOS = {
    "missing/unexpected strict": lambda: missing_unexpected(True),
    "missing/unexpected non-strict": lambda: missing_unexpected(False),
    "size mismatch strict": lambda: size_mismatch(True),
    "size mismatch non-strict": lambda: size_mismatch(False),
    "everything": everything,
    "int value": lambda: not_tensor(3),
    "float value": lambda: not_tensor(1.5),
    "list value": lambda: not_tensor([1.0]),
    "str value": lambda: not_tensor("x"),
    "None value": lambda: not_tensor(None),
    "dict value": lambda: not_tensor({}),
    "bn version 1 without counter": lambda: bn_version(1, True),
    "bn no metadata without counter": lambda: bn_version(None, True),
    "bn version 2 without counter": lambda: bn_version(2, True),
    "bn version 1 with counter": lambda: bn_version(1, False),
    "1-d into 0-d": scalar_compat,
    "meta source": meta_source,
    "not a dict": not_a_dict,
    "all matched": lambda: load(TheModelClass(), tutorial_sd()),
}

names = read_input()
result = {name: SCENARIOS[name]() for name in names if name in SCENARIOS}
result["registration"] = registration()
write_output(result)
