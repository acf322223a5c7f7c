/**
 * Parity harness for torch.nn.functional: each case runs the tsorch op and the same PyTorch 1.13 call on identical
 * inputs (one Python process per batch of cases), then compares outputs, gradients, mutated arguments and messages.
 */
import assert from "node:assert/strict";
import * as torch from "../../../src/index.ts";
import { assertClose, fromJson, runPython, toJson, type JsonTensor } from "../../helpers/pytorch.ts";

/** A Python argument: tensors travel as JSON, arrays as lists. */
export type Arg = torch.Tensor | number | string | boolean | null | readonly Arg[];

/** One op call on both sides. */
export interface OpCase {
  /** Label in failure messages. */
  name: string;
  /** torch.nn.functional name (or `torch.xxx`). */
  op: string;
  /** Positional arguments of the Python call. */
  args: Arg[];
  /** Keyword arguments of the Python call (snake_case). */
  kwargs?: Record<string, Arg>;
  /** Indices of tensor args that require grad (their gradients are compared). */
  grad?: number[];
  /** Indices of tensor args whose values after the call are compared (in-place updates). */
  inspect?: number[];
  /** The tsorch call; `t[i]` is args[i] (a fresh copy, requiring grad where asked). */
  run: (t: torch.Tensor[]) => torch.Tensor | [torch.Tensor, torch.Tensor];
  rtol?: number;
  atol?: number;
}

interface PyResult {
  out?: JsonTensor;
  extra?: JsonTensor[];
  grads?: (JsonTensor | null)[];
  inspect?: JsonTensor[];
  error?: string;
  type?: string;
}

function encode(a: Arg | undefined): unknown {
  if (a instanceof torch.Tensor) return { __tensor__: toJson(a) };
  if (Array.isArray(a)) return a.map(encode);
  return a ?? null;
}

/** A fresh leaf copy of a tensor arg (requiring grad when asked). */
function copyArg(a: Arg, grad: boolean): torch.Tensor {
  const t = (a as torch.Tensor).detach().clone();
  return grad ? t.requiresGrad_() : t;
}

/** Runs every case on both sides and asserts outputs, gradients and inspected args match. */
export function checkCases(cases: OpCase[]): void {
  const payload: unknown[] = [];
  const ts: { out: torch.Tensor; extra: torch.Tensor[]; grads: (torch.Tensor | null)[]; inspect: torch.Tensor[] }[] = [];
  for (const c of cases) {
    const encoded = { op: c.op, args: c.args.map(encode), kwargs: Object.fromEntries(Object.entries(c.kwargs ?? {}).map(([k, v]) => [k, encode(v)])), grad: c.grad ?? [], inspect: c.inspect ?? [] };
    const tensors = c.args.map((a, i) => (a instanceof torch.Tensor ? copyArg(a, (c.grad ?? []).includes(i)) : (undefined as unknown as torch.Tensor)));
    let result: torch.Tensor | [torch.Tensor, torch.Tensor];
    try {
      result = c.run(tensors);
    } catch (e) {
      throw new Error(`${c.name}: tsorch threw ${(e as Error).message}`);
    }
    const [out, ...extra] = Array.isArray(result) ? result : [result];
    let grads: (torch.Tensor | null)[] = [];
    if (c.grad?.length) {
      const gradOut = torch.randn([...out.dims]);
      out.backward(gradOut);
      grads = c.grad.map((i) => tensors[i].grad);
      (encoded as Record<string, unknown>).gradOut = encode(gradOut);
    }
    payload.push(encoded);
    ts.push({ out, extra, grads, inspect: (c.inspect ?? []).map((i) => tensors[i]) });
  }
  const py = runPython<PyResult[]>("functional.py", payload);
  cases.forEach((c, k) => {
    const r = py[k];
    if (r.error) throw new Error(`${c.name}: PyTorch raised ${r.type}: ${r.error}`);
    const rtol = c.rtol ?? 1e-5;
    // float32 sums of many products carry PyTorch's own rounding (~1e-7 of the summands), so elements near zero
    // are compared against the tensor's scale: atol = rtol * max|expected| (at least 1e-6).
    const close = (mine: torch.Tensor, theirs: JsonTensor, what: string) => {
      const expected = fromJson(theirs);
      let scale = 0;
      for (const v of expected.toArray()) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
      assertClose(mine, expected, rtol, c.atol ?? Math.max(1e-6, rtol * scale), what);
    };
    close(ts[k].out, r.out as JsonTensor, `${c.name} output`);
    (r.extra ?? []).forEach((e, i) => close(ts[k].extra[i], e, `${c.name} output ${i + 1}`));
    (r.grads ?? []).forEach((g, i) => {
      const mine = ts[k].grads[i];
      if (g === null) {
        assert.equal(mine, null, `${c.name}: PyTorch gives no gradient for arg ${c.grad?.[i]}`);
        return;
      }
      assert.ok(mine, `${c.name}: no gradient for arg ${c.grad?.[i]}`);
      close(mine, g, `${c.name} grad of arg ${c.grad?.[i]}`);
    });
    (r.inspect ?? []).forEach((v, i) => close(ts[k].inspect[i], v, `${c.name} arg ${c.inspect?.[i]} after the call`));
  });
}

/** A call expected to fail on both sides with the same message. */
export interface ErrorCase {
  name: string;
  op: string;
  args: Arg[];
  kwargs?: Record<string, Arg>;
  run: () => unknown;
}

/** Asserts that each tsorch call throws exactly PyTorch's message for the same call. */
export function checkErrors(cases: ErrorCase[]): void {
  const payload = cases.map((c) => ({ op: c.op, args: c.args.map(encode), kwargs: Object.fromEntries(Object.entries(c.kwargs ?? {}).map(([k, v]) => [k, encode(v)])) }));
  const py = runPython<PyResult[]>("functional.py", payload);
  cases.forEach((c, k) => {
    const expected = py[k].error;
    assert.ok(expected !== undefined, `${c.name}: PyTorch did not raise`);
    assert.throws(c.run, (e: Error) => {
      assert.equal(e.message, expected, `${c.name}: message differs`);
      return true;
    }, `${c.name}: tsorch did not throw`);
  });
}
