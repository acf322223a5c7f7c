/** tsorch mirrors of test/pytorch/nn_models.py: same structure, same names, same layer arguments. */
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import * as F from "../../src/nn/functional.ts";

type Tensor = torch.Tensor;

/** The model of PyTorch's "Saving and loading models" tutorial, with plain class fields. */
export class TheModelClass extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  override forward(x: Tensor): Tensor {
    x = this.pool.call(F.relu(this.conv1.call(x)));
    x = this.pool.call(F.relu(this.conv2.call(x)));
    x = x.flatten(1);
    x = F.relu(this.fc1.call(x));
    x = F.relu(this.fc2.call(x));
    return this.fc3.call(x);
  }
}

/** A ResNet basic block: two 3x3 convs without bias, BatchNorm, a (projected) residual connection. */
export class BasicBlock extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  relu: nn.ReLU;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null = null;

  constructor(cin: number, cout: number, stride: number) {
    super();
    this.conv1 = new nn.Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(cout);
    this.relu = new nn.ReLU(true);
    this.conv2 = new nn.Conv2d(cout, cout, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(cout);
    if (stride !== 1 || cin !== cout) {
      this.downsample = new nn.Sequential(new nn.Conv2d(cin, cout, 1, { stride, bias: false }), new nn.BatchNorm2d(cout));
    }
  }

  override forward(x: Tensor): Tensor {
    const identity = this.downsample === null ? x : this.downsample.call(x);
    let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
    out = this.bn2.call(this.conv2.call(out));
    return this.relu.call(out.add(identity));
  }
}

/** A small ResNet-style classifier. */
export class TinyResNet extends nn.Module {
  conv1 = new nn.Conv2d(3, 8, 3, { stride: 1, padding: 1, bias: false });
  bn1 = new nn.BatchNorm2d(8);
  relu = new nn.ReLU(true);
  maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1 = new nn.Sequential(new BasicBlock(8, 8, 1), new BasicBlock(8, 16, 2));
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  dropout = new nn.Dropout(0);
  fc = new nn.Linear(16, 10);

  constructor(dropout = 0.0) {
    super();
    this.dropout = new nn.Dropout(dropout); // re-assignment keeps the registration order
  }

  override forward(x: Tensor): Tensor {
    x = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x))));
    x = this.layer1.call(x);
    x = this.avgpool.call(x).flatten(1);
    return this.fc.call(this.dropout.call(x));
  }
}

/** ModuleList, ModuleDict, buffers (persistent or not) and a None parameter. */
export class Containers extends nn.Module {
  layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 3)]);
  heads = new nn.ModuleDict(new Map<string, nn.Module>([["b", new nn.Linear(3, 1)], ["a", new nn.BatchNorm1d(3)], ["10", new nn.Identity()], ["2", new nn.ReLU()]]));
  scale = new nn.Parameter(torch.ones(3));

  constructor() {
    super();
    this.registerParameter("unused", null);
    this.registerBuffer("steps", torch.zeros(1, { dtype: "int32" }));
    this.registerBuffer("cache", torch.zeros(2), { persistent: false });
    this.registerBuffer("empty", null);
  }
}

/** The same Parameter under two names, and the same module under two names. */
export class Tied extends nn.Module {
  enc = new nn.Linear(4, 4);
  dec = new nn.Linear(4, 4);
  again: nn.Linear;

  constructor() {
    super();
    this.dec.weight = this.enc.weight;
    this.again = this.enc;
  }
}

/** Nested Sequential with BatchNorm and a strided conv. */
export function sequential(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { stride: 2, padding: 1, bias: false }),
    new nn.BatchNorm2d(8),
    new nn.ReLU(true),
    new nn.Sequential(new nn.AdaptiveAvgPool2d(1), new nn.Flatten()),
    new nn.Linear(8, 4),
  );
}

/** Sequential built from named modules (a Map, Python's OrderedDict). */
export function namedSequential(): nn.Sequential {
  return new nn.Sequential(new Map<string, nn.Module>([["conv", new nn.Conv2d(1, 2, 3)], ["act", new nn.GELU()], ["0", new nn.Linear(2, 2)]]));
}

/** One of every layer, for reprs and state-dict layouts. */
export class Layers extends nn.Module {
  c1 = new nn.Conv2d(3, 6, 3, 2, 1);
  c2 = new nn.Conv2d(4, 8, [3, 5], { padding: "same", dilation: 2, groups: 2, bias: false });
  c3 = new nn.Conv2d(4, 4, 3, { padding: "valid" });
  c4 = new nn.Conv2d(4, 4, 1, { stride: [2, 1], padding: [0, 1] });
  p1 = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  p2 = new nn.MaxPool2d([2, 2], { ceilMode: true });
  p3 = new nn.AvgPool2d(2);
  p4 = new nn.AvgPool2d([3, 3], { stride: 1, padding: 1 });
  p5 = new nn.AdaptiveAvgPool2d([1, 1]);
  p6 = new nn.AdaptiveAvgPool2d(7);
  p7 = new nn.AdaptiveAvgPool2d([null, 2]);
  b1 = new nn.BatchNorm1d(3, { momentum: null, affine: false });
  b2 = new nn.BatchNorm2d(4, { eps: 1e-3, trackRunningStats: false });
  d1 = new nn.Dropout();
  d2 = new nn.Dropout({ p: 0.25, inplace: true });
  f1 = new nn.Flatten();
  f2 = new nn.Flatten(0, 2);
  i = new nn.Identity();
  e1 = new nn.Embedding(10, 3);
  e2 = new nn.Embedding(10, 3, { paddingIdx: -1, maxNorm: 1.0 });
  n1 = new nn.LayerNorm(5);
  n2 = new nn.LayerNorm([4, 5], { eps: 1e-6, elementwiseAffine: false });
  l1 = new nn.Linear(3, 2, { bias: false });
  a1 = new nn.ReLU();
  a2 = new nn.ReLU(true);
  a3 = new nn.Sigmoid();
  a4 = new nn.Tanh();
  a5 = new nn.GELU();
  a6 = new nn.GELU({ approximate: "tanh" });
  a7 = new nn.Softmax({ dim: 1 });
  a8 = new nn.LogSoftmax(-1);
  a9 = new nn.Softmax();
  loss1 = new nn.CrossEntropyLoss();
  loss2 = new nn.MSELoss({ reduction: "sum" });
  loss3 = new nn.NLLLoss({ weight: torch.ones(3) });
  loss4 = new nn.CrossEntropyLoss(torch.tensor([1, 2, 3], { dtype: "float32" }), { ignoreIndex: 1, labelSmoothing: 0.1 });
  none = null;

  constructor() {
    super();
    this.registerModule("nothing", null);
  }
}

/** Builders by the names nn_models.py uses. */
export const MODELS: Record<string, () => nn.Module> = {
  TheModelClass: () => new TheModelClass(),
  TinyResNet: () => new TinyResNet(),
  Containers: () => new Containers(),
  Tied: () => new Tied(),
  Sequential: sequential,
  NamedSequential: namedSequential,
  Layers: () => new Layers(),
};
