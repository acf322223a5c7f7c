/**
 * torchvision 0.14's ResNet and BasicBlock (`torchvision/models/resnet.py`) in tsorch, with torchvision's attribute
 * names (`inplanes`, `base_width`, `_norm_layer`, `layer1`..`layer4`, `downsample`, ...) and forward, so that whole-model
 * files move both ways: `torch.save(torchvision.models.resnet18(), PATH)` in Python loads here as a working ResNet,
 * and a ResNet saved here loads in Python with `torch.load(PATH)`.
 *
 * ```ts
 * const model = await torch.load("resnet18.pt", { classes: [ResNet, BasicBlock] }); // saved whole by PyTorch
 * await torch.save(resnet18(), "mine.pt"); // loads in Python: torchvision.models.resnet.ResNet
 * ```
 *
 * It lives with the examples, not in the library: tsorch is PyTorch's model-state system (torch, torch.nn), and
 * model zoos are separate packages in PyTorch too. Bottleneck (resnet50 and up) is not ported.
 */
import * as torch from "../../src/index.ts";
import { nn } from "../../src/index.ts";

/** What ResNet takes as `norm_layer`: a layer class called with the number of channels (default nn.BatchNorm2d). */
export type NormLayer = new (numFeatures: number) => nn.Module;

/** 3x3 convolution with padding (torchvision's `conv3x3`). */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): nn.Conv2d {
  return new nn.Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

/** 1x1 convolution (torchvision's `conv1x1`). */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/** Options of BasicBlock after `planes` (torchvision's keyword arguments). */
export interface BasicBlockOptions {
  stride?: number;
  downsample?: nn.Module | null;
  groups?: number;
  base_width?: number;
  dilation?: number;
  norm_layer?: NormLayer | null;
}

/** Two 3x3 convolutions with a residual connection (`torchvision.models.resnet.BasicBlock`). */
export class BasicBlock extends nn.Module {
  static pythonClass = "torchvision.models.resnet.BasicBlock";
  /** Output channels per `planes` (a class attribute in Python, not saved). */
  static expansion = 1;

  declare conv1: nn.Conv2d;
  declare bn1: nn.Module;
  declare relu: nn.ReLU;
  declare conv2: nn.Conv2d;
  declare bn2: nn.Module;
  /** Maps the input to the output's shape when stride or channels change; null otherwise. */
  declare downsample: nn.Module | null;
  declare stride: number;

  constructor(inplanes: number, planes: number, options: BasicBlockOptions = {}) {
    super();
    const { stride = 1, downsample = null, groups = 1, base_width = 64, dilation = 1 } = options;
    const normLayer = options.norm_layer ?? nn.BatchNorm2d;
    if (groups !== 1 || base_width !== 64) throw new Error("BasicBlock only supports groups=1 and base_width=64");
    if (dilation > 1) throw new Error("Dilation > 1 not supported in BasicBlock");
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = new normLayer(planes);
    this.relu = new nn.ReLU(true);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new normLayer(planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  override forward(x: torch.Tensor): torch.Tensor {
    const identity = this.downsample !== null ? (this.downsample.call(x) as torch.Tensor) : x;
    let out = this.relu.call(this.bn1.call(this.conv1.call(x)) as torch.Tensor);
    out = this.bn2.call(this.conv2.call(out)) as torch.Tensor;
    return this.relu.call(out.add(identity));
  }
}

/** Options of ResNet after `layers` (torchvision's keyword arguments). */
export interface ResNetOptions {
  num_classes?: number;
  zero_init_residual?: boolean;
  groups?: number;
  width_per_group?: number;
  replace_stride_with_dilation?: [boolean, boolean, boolean] | null;
  norm_layer?: NormLayer | null;
}

/** `torchvision.models.resnet.ResNet` with BasicBlock blocks. */
export class ResNet extends nn.Module {
  static pythonClass = "torchvision.models.resnet.ResNet";

  declare _norm_layer: NormLayer;
  declare inplanes: number;
  declare dilation: number;
  declare groups: number;
  declare base_width: number;
  declare conv1: nn.Conv2d;
  declare bn1: nn.Module;
  declare relu: nn.ReLU;
  declare maxpool: nn.MaxPool2d;
  declare layer1: nn.Sequential;
  declare layer2: nn.Sequential;
  declare layer3: nn.Sequential;
  declare layer4: nn.Sequential;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare fc: nn.Linear;

  constructor(block: typeof BasicBlock, layers: readonly [number, number, number, number], options: ResNetOptions = {}) {
    super();
    const { num_classes = 1000, zero_init_residual = false, groups = 1, width_per_group = 64 } = options;
    const replace = options.replace_stride_with_dilation ?? [false, false, false];
    this._norm_layer = options.norm_layer ?? nn.BatchNorm2d;
    this.inplanes = 64;
    this.dilation = 1;
    if (replace.length !== 3) throw new Error(`replace_stride_with_dilation should be None or a 3-element tuple, got ${String(replace)}`);
    this.groups = groups;
    this.base_width = width_per_group;
    this.conv1 = new nn.Conv2d(3, this.inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new this._norm_layer(this.inplanes);
    this.relu = new nn.ReLU(true);
    this.maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this._makeLayer(block, 64, layers[0]);
    this.layer2 = this._makeLayer(block, 128, layers[1], 2, replace[0]);
    this.layer3 = this._makeLayer(block, 256, layers[2], 2, replace[1]);
    this.layer4 = this._makeLayer(block, 512, layers[3], 2, replace[2]);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(512 * block.expansion, num_classes);

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if (m instanceof nn.BatchNorm2d) {
        nn.init.constant_(m.weight!, 1);
        nn.init.constant_(m.bias!, 0);
      }
    }
    if (zero_init_residual) {
      for (const m of this.modules()) {
        if (m instanceof BasicBlock && m.bn2 instanceof nn.BatchNorm2d && m.bn2.weight) nn.init.constant_(m.bn2.weight, 0);
      }
    }
  }

  /** One stage: `blocks` blocks, the first one changing stride and channels (torchvision's `_make_layer`). */
  _makeLayer(block: typeof BasicBlock, planes: number, blocks: number, stride = 1, dilate = false): nn.Sequential {
    const normLayer = this._norm_layer;
    let downsample: nn.Module | null = null;
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = new nn.Sequential(conv1x1(this.inplanes, planes * block.expansion, stride), new normLayer(planes * block.expansion));
    }
    const layers: nn.Module[] = [
      new block(this.inplanes, planes, {
        stride, downsample, groups: this.groups, base_width: this.base_width, dilation: previousDilation, norm_layer: normLayer,
      }),
    ];
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) {
      layers.push(new block(this.inplanes, planes, { groups: this.groups, base_width: this.base_width, dilation: this.dilation, norm_layer: normLayer }));
    }
    return new nn.Sequential(...layers);
  }

  /** Logits `[N, num_classes]` for images `[N, 3, H, W]`. */
  override forward(x: torch.Tensor): torch.Tensor {
    x = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x)) as torch.Tensor));
    x = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(x))));
    x = this.avgpool.call(x).flatten(1);
    return this.fc.call(x);
  }
}

/** torchvision's `resnet18(weights=None)`: ResNet with BasicBlocks [2, 2, 2, 2]. */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [2, 2, 2, 2], options);
}
