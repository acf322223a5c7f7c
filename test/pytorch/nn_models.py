"""Models mirrored by test/nn/*.test.ts (same structure, same names), built in real PyTorch."""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
from tutorial_model import TheModelClass


class BasicBlock(nn.Module):
    """A ResNet basic block: two 3x3 convs without bias, BatchNorm, a (projected) residual connection."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class TinyResNet(nn.Module):
    """A small ResNet-style classifier."""

    def __init__(self, dropout=0.0):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = nn.Sequential(BasicBlock(8, 8, 1), BasicBlock(8, 16, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(self.dropout(x))


class Containers(nn.Module):
    """ModuleList, ModuleDict, buffers (persistent or not) and a None parameter."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 3)])
        self.heads = nn.ModuleDict({"b": nn.Linear(3, 1), "a": nn.BatchNorm1d(3), "10": nn.Identity(), "2": nn.ReLU()})
        self.scale = nn.Parameter(torch.ones(3))
        self.register_parameter("unused", None)
        self.register_buffer("steps", torch.zeros(1, dtype=torch.int32))
        self.register_buffer("cache", torch.zeros(2), persistent=False)
        self.register_buffer("empty", None)


class Tied(nn.Module):
    """The same Parameter under two names, and the same module under two names."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(4, 4)
        self.dec = nn.Linear(4, 4)
        self.dec.weight = self.enc.weight
        self.again = self.enc


def sequential():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(inplace=True),
        nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        nn.Linear(8, 4),
    )


def named_sequential():
    return nn.Sequential(OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("act", nn.GELU()), ("0", nn.Linear(2, 2))]))


class Layers(nn.Module):
    """One of every layer, for reprs and state-dict layouts."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 6, 3, 2, 1)
        self.c2 = nn.Conv2d(4, 8, (3, 5), padding="same", dilation=2, groups=2, bias=False)
        self.c3 = nn.Conv2d(4, 4, 3, padding="valid")
        self.c4 = nn.Conv2d(4, 4, 1, stride=(2, 1), padding=(0, 1))
        self.p1 = nn.MaxPool2d(3, stride=2, padding=1)
        self.p2 = nn.MaxPool2d((2, 2), ceil_mode=True)
        self.p3 = nn.AvgPool2d(2)
        self.p4 = nn.AvgPool2d((3, 3), stride=1, padding=1)
        self.p5 = nn.AdaptiveAvgPool2d((1, 1))
        self.p6 = nn.AdaptiveAvgPool2d(7)
        self.p7 = nn.AdaptiveAvgPool2d((None, 2))
        self.b1 = nn.BatchNorm1d(3, momentum=None, affine=False)
        self.b2 = nn.BatchNorm2d(4, eps=1e-3, track_running_stats=False)
        self.d1 = nn.Dropout()
        self.d2 = nn.Dropout(p=0.25, inplace=True)
        self.f1 = nn.Flatten()
        self.f2 = nn.Flatten(0, 2)
        self.i = nn.Identity()
        self.e1 = nn.Embedding(10, 3)
        self.e2 = nn.Embedding(10, 3, padding_idx=-1, max_norm=1.0)
        self.n1 = nn.LayerNorm(5)
        self.n2 = nn.LayerNorm([4, 5], eps=1e-6, elementwise_affine=False)
        self.l1 = nn.Linear(3, 2, bias=False)
        self.a1 = nn.ReLU()
        self.a2 = nn.ReLU(True)
        self.a3 = nn.Sigmoid()
        self.a4 = nn.Tanh()
        self.a5 = nn.GELU()
        self.a6 = nn.GELU(approximate="tanh")
        self.a7 = nn.Softmax(dim=1)
        self.a8 = nn.LogSoftmax(-1)
        self.a9 = nn.Softmax()
        self.loss1 = nn.CrossEntropyLoss()
        self.loss2 = nn.MSELoss(reduction="sum")
        self.loss3 = nn.NLLLoss(weight=torch.ones(3))
        self.loss4 = nn.CrossEntropyLoss(torch.tensor([1.0, 2.0, 3.0]), ignore_index=1, label_smoothing=0.1)
        self.none = None
        self.register_module("nothing", None)


MODELS = {
    "TheModelClass": TheModelClass,
    "TinyResNet": TinyResNet,
    "Containers": Containers,
    "Tied": Tied,
    "Sequential": sequential,
    "NamedSequential": named_sequential,
    "Layers": Layers,
}
