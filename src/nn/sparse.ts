/** Embedding lookup tables (`nn.Embedding`). */
import { noGrad } from "../autograd/grad-mode.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { type FactoryOptions, NO_FACTORY, type PositionalOrOptions, parseArgs } from "./args.ts";
import { NNError } from "./errors.ts";
import * as F from "./functional.ts";
import * as init from "./init.ts";
import { factoryEmpty, pyFloatStr } from "./layer-utils.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

/** Options of `nn.Embedding` (each may also be given positionally, in this order). */
export interface EmbeddingOptions extends FactoryOptions {
  /** This row is zero-initialised and gets no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Renormalise looked-up rows whose norm exceeds this. */
  maxNorm?: number | null;
  /** The p of the max-norm (default 2). */
  normType?: number;
  /** Scale gradients by the inverse frequency of the words in the batch. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients (accepted, computed densely by tsorch). */
  sparse?: boolean;
  /** An initial weight `[numEmbeddings, embeddingDim]` to wrap instead of N(0, 1) init. */
  _weight?: Tensor | null;
}

type EmbeddingArgs = PositionalOrOptions<
  [paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean, _weight: Tensor | null],
  EmbeddingOptions
>;

/** Scales each row of `weight` indexed by `indices` whose p-norm exceeds `maxNorm` down to `maxNorm`. */
function renorm(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): void {
  noGrad(() => {
    for (const i of new Set(Array.from(indices.toArray()))) {
      const row = weight.select(0, i);
      const norm = Number(row.abs().pow(normType).sum().pow(1 / normType).item());
      if (norm > maxNorm) row.mul_(maxNorm / (norm + 1e-7));
    }
  });
}

/** A table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1) with the padding row zeroed. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  declare weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, ...args: EmbeddingArgs) {
    super();
    const o = parseArgs("Embedding", ["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse", "_weight"], args, {
      paddingIdx: null as number | null, maxNorm: null as number | null, normType: 2, scaleGradByFreq: false, sparse: false,
      _weight: null as Tensor | null, ...NO_FACTORY,
    });
    let paddingIdx = o.paddingIdx;
    if (paddingIdx !== null) {
      if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
        throw new NNError("ERR_NN_ARGUMENT", "ValueError", "Padding_idx must be within num_embeddings");
      }
      if (paddingIdx < 0) paddingIdx += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    this.maxNorm = o.maxNorm;
    this.normType = o.normType;
    this.scaleGradByFreq = o.scaleGradByFreq;
    if (o._weight === null) {
      this.weight = new Parameter(factoryEmpty([numEmbeddings, embeddingDim], o));
      this.resetParameters();
    } else {
      if (o._weight.dim() !== 2 || o._weight.dims[0] !== numEmbeddings || o._weight.dims[1] !== embeddingDim) {
        throw new NNError("ERR_NN_ARGUMENT", "ValueError", "Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(o._weight);
    }
    this.sparse = o.sparse;
  }

  /** An Embedding wrapping `embeddings` (`[num, dim]`); frozen (no grad) unless `freeze: false`. */
  static fromPretrained(
    embeddings: Tensor,
    options: { freeze?: boolean; paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean } = {},
  ): Embedding {
    if (embeddings.dim() !== 2) throw new NNError("ERR_NN_ARGUMENT", "ValueError", "Embeddings parameter is expected to be 2-dimensional");
    const { freeze = true, ...rest } = options;
    const embedding = new Embedding(embeddings.dims[0], embeddings.dims[1], { ...rest, _weight: embeddings });
    embedding.weight.requiresGrad = !freeze;
    return embedding;
  }

  /** N(0, 1) init, then zeroes the padding row. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.select(0, row).fill_(0));
    }
  }

  /**
   * `F.embedding(input, weight, { paddingIdx })`; with `maxNorm`, the looked-up rows of the weight are first
   * renormalised in place (PyTorch's `embedding_renorm_`).
   */
  override forward(input: Tensor): Tensor {
    if (this.scaleGradByFreq) {
      throw new NNError("ERR_NN_ARGUMENT", "NotImplementedError", "tsorch's Embedding does not implement scale_grad_by_freq");
    }
    if (this.maxNorm !== null) renorm(this.weight, input, this.maxNorm, this.normType);
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  /** `10, 3, padding_idx=0`. */
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloatStr(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloatStr(this.normType)}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}
