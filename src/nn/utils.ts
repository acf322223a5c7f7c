/**
 * `torch.nn.utils` helpers: gradient clipping, parameters <-> flat vector, and
 * `consume_prefix_in_state_dict_if_present` (from `torch.nn.modules.utils`).
 */
import { noGrad } from "../autograd/grad-mode.ts";
import { tensor } from "../ops/creation.ts";
import { cat, stack } from "../ops/shape-ops.ts";
import { Tensor } from "../tensor/tensor.ts";
import { NNError } from "./errors.ts";
import { setTensorData } from "./parameter.ts";
import { type StateDictLike, getStateDictMetadata, setStateDictMetadata } from "./state-dict.ts";

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; `Infinity` for the max norm). */
  normType?: number;
  /** Throw when the total norm is nan or infinite (default false). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `parameters` in place so that their joint p-norm is at most `maxNorm`;
 * returns the norm before clipping (`clip_grad_norm_`).
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const normType = options.normType ?? 2;
  const params = parameters instanceof Tensor ? [parameters] : [...parameters];
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0.0);
  return noGrad(() => {
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max());
      total = norms.length === 1 ? norms[0] : stack(norms).max();
    } else {
      const norms = grads.map((g) => g.detach().abs().pow(normType).sum().pow(1 / normType));
      total = stack(norms).pow(normType).sum().pow(1 / normType);
    }
    const totalValue = Number(total.item());
    if (options.errorIfNonfinite && !Number.isFinite(totalValue)) {
      throw new NNError("ERR_NN_ARGUMENT", "RuntimeError",
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
        "To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
    }
    const coef = Math.min(maxNorm / (totalValue + 1e-6), 1.0);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient of `parameters` into [-clipValue, clipValue] in place (`clip_grad_value_`). */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const params = parameters instanceof Tensor ? [parameters] : [...parameters];
  noGrad(() => {
    for (const p of params) p.grad?.clamp_(-clipValue, clipValue);
  });
}

/** All parameters flattened and concatenated into one 1-D tensor (`parameters_to_vector`). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return cat([...parameters].map((p) => p.reshape(-1)));
}

/**
 * Makes each parameter a view of the matching slice of `vec` (`vector_to_parameters`: PyTorch sets
 * `param.data`, so the parameters then share `vec`'s memory).
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (vec.dim() !== 1) throw new NNError("ERR_NN_ARGUMENT", "TypeError", `expected torch.Tensor, but got: ${vec.dtype.storageClass.replace("Storage", "Tensor")}`);
  let pointer = 0;
  for (const param of parameters) {
    const n = param.numel();
    setTensorData(param, vec.detach().narrow(0, pointer, n).view(param.dims));
    pointer += n;
  }
}

/**
 * Strips `prefix` from the keys that start with it, in place (`consume_prefix_in_state_dict_if_present`),
 * e.g. `"module."` from a DataParallel checkpoint. Stripped keys move to the end in sorted order, as in
 * PyTorch. `_metadata` is stripped too (`"module"` becomes `""`), as PyTorch 2.x does (1.13 leaves it).
 */
export function consumePrefixInStateDictIfPresent(stateDict: StateDictLike, prefix: string): void {
  const keys = (stateDict instanceof Map ? [...stateDict.keys()] : Object.keys(stateDict)).sort();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const newKey = key.slice(prefix.length);
    if (stateDict instanceof Map) {
      const value = stateDict.get(key);
      stateDict.delete(key);
      stateDict.set(newKey, value);
    } else {
      const value = stateDict[key];
      delete stateDict[key];
      stateDict[newKey] = value;
    }
  }
  const metadata = getStateDictMetadata(stateDict);
  if (!metadata) return;
  const bare = prefix.replaceAll(".", "");
  for (const key of [...metadata.keys()]) {
    if (key.length === 0) continue;
    if (key === bare || key.startsWith(prefix)) {
      const value = metadata.get(key);
      metadata.delete(key);
      if (value !== undefined) metadata.set(key.slice(prefix.length), value);
    }
  }
  setStateDictMetadata(stateDict, metadata);
}
