"""Files written by real PyTorch (1.13) for the command-line tests, and checks of what the CLI wrote.

usage: cli_files.py write   (stdin: {"dir": ...})   writes the files below into dir, prints facts about them
       cli_files.py load    (stdin: {"path": ...})  torch.load(path, weights_only=True): keys, dtypes, shapes,
                                                    values, storage sharing, OrderedDict-ness and attributes
       cli_files.py safetensors (stdin: {"path": ...})  header and values of a safetensors file (json + torch only)
"""
import collections
import json
import struct
import sys
import zipfile

import torch

from common import read_input, write_output, to_json


class TheModelClass(torch.nn.Module):
    """The tutorial's model (Saving and Loading Models)."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 6, 5)
        self.pool = torch.nn.MaxPool2d(2, 2)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.fc1 = torch.nn.Linear(16 * 5 * 5, 120)
        self.fc2 = torch.nn.Linear(120, 84)
        self.fc3 = torch.nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def general_checkpoint(seed):
    torch.manual_seed(seed)
    model = TheModelClass()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    loss = model(torch.randn(2, 3, 32, 32)).pow(2).mean()
    loss.backward()
    optimizer.step()
    return model, optimizer, loss


def write(d):
    facts = {}
    model, optimizer, loss = general_checkpoint(0)
    ckpt = {"epoch": 5, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict(), "loss": loss.detach()}
    torch.save(ckpt, f"{d}/checkpoint.tar")
    torch.save(model.state_dict(), f"{d}/model.pt")
    torch.save(model.state_dict(), f"{d}/model_legacy.pt", _use_new_zipfile_serialization=False)
    facts["model"] = {k: to_json(v) for k, v in model.state_dict().items()}

    # The same checkpoint one epoch later: a changed learning rate, one changed weight, a new and a removed key.
    ckpt2 = {"epoch": 6, "model_state_dict": collections.OrderedDict(model.state_dict()), "optimizer_state_dict": optimizer.state_dict(), "loss": loss.detach()}
    sd = ckpt2["model_state_dict"]
    sd["conv1.weight"] = sd["conv1.weight"].clone()
    sd["conv1.weight"][1, 2, 3, 4] += 0.25
    del sd["fc3.bias"]
    sd["head.weight"] = torch.zeros(3)
    sd["fc2.bias"] = torch.zeros(85)
    ckpt2["optimizer_state_dict"]["param_groups"][0]["lr"] = 0.01
    torch.save(ckpt2, f"{d}/checkpoint2.tar")

    # Views of one storage, and tied weights (a language-model head sharing the embedding).
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    torch.save({"a": x, "row": x[1], "t": x.t()}, f"{d}/views.pt")
    emb = torch.nn.Embedding(5, 3)
    head = torch.nn.Linear(3, 5, bias=False)
    head.weight = emb.weight
    torch.save(torch.nn.ModuleDict({"emb": emb, "head": head}).state_dict(), f"{d}/tied.pt")

    # Exact int64 and NaN values.
    big = 2 ** 60
    torch.save({"n": torch.tensor([big, 1]), "f": torch.tensor([float("nan"), 1.0])}, f"{d}/exact_a.pt")
    torch.save({"n": torch.tensor([big + 1, 1]), "f": torch.tensor([float("nan"), 1.0])}, f"{d}/exact_b.pt")

    # Whole models: built-in layers only, and a class of this script (__main__.TheModelClass).
    torch.manual_seed(1)
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()), f"{d}/sequential.pt")
    torch.save(model, f"{d}/whole_model.pt")

    # Large enough that reading tensor data would show (4 MiB of storage data, a few KiB of pickle).
    large = {"w": torch.zeros(1 << 20), "b": torch.ones(3)}
    torch.save(large, f"{d}/large.pt")
    torch.save(large, f"{d}/large_legacy.pt", _use_new_zipfile_serialization=False)

    # Storages saved on cuda:0 (this torch has no CUDA: a location tagger says so).
    torch.serialization.register_package(0, lambda obj: "cuda:0", lambda obj, location: obj)
    torch.save({"w": torch.ones(2, 3)}, f"{d}/cuda.pt")

    # A pickle that would run a shell command, in a zip checkpoint.
    pickle = b"\x80\x02cos\nsystem\nX\x0b\x00\x00\x00echo pwned!\x85R."
    with zipfile.ZipFile(f"{d}/evil.pt", "w", zipfile.ZIP_STORED) as z:
        z.writestr("evil/data.pkl", pickle)
        z.writestr("evil/version", "3\n")
    write_output(facts)


def load(path):
    value = torch.load(path, weights_only=True)
    out = {"type": type(value).__name__, "attributes": {}, "tensors": {}, "shared": []}
    if isinstance(value, collections.OrderedDict):
        out["attributes"] = {k: v for k, v in vars(value).items() if k != "_metadata"}
    ptrs = {}
    for k, v in value.items():
        out["tensors"][k] = to_json(v)
        ptrs.setdefault(v.storage().data_ptr(), []).append(k)
    out["shared"] = [names for names in ptrs.values() if len(names) > 1]
    write_output(out)


def safetensors(path):
    codes = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {"headerLength": n, "metadata": header.pop("__metadata__", None), "tensors": {}}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin : 8 + n + end])
        t = torch.frombuffer(raw, dtype=codes[info["dtype"]]) if raw else torch.empty(0, dtype=codes[info["dtype"]])
        out["tensors"][name] = to_json(t.reshape(info["shape"]))
    write_output(out)


if __name__ == "__main__":
    args = read_input()
    {"write": lambda: write(args["dir"]), "load": lambda: load(args["path"]), "safetensors": lambda: safetensors(args["path"])}[sys.argv[1]]()
