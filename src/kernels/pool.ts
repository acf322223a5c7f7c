/**
 * 2-D pooling loops over [planes, H, W] row-major images (a plane is one channel of one sample).
 * Max pooling records, per output, the flat index (ih * W + iw) of the winner inside its plane, which the
 * backward pass scatters into; the window and NaN rules follow ATen's CPU kernels.
 */
import type { Conv2dGeometry } from "./conv.ts";
import type { NumArray } from "./strided.ts";

/** Max over each window (dilation supported); a NaN wins (the last one), ties keep the first. Writes `out` and `indices`. */
export function maxPool2d(src: NumArray, planes: number, g: Conv2dGeometry, out: NumArray, indices: Int32Array): void {
  const { height: H, width: W, kH, kW, sH, sW, padTop, padLeft, dH, dW, outH, outW } = g;
  if (kH === 2 && kW === 2 && sH === 2 && sW === 2 && padTop === 0 && padLeft === 0 && 2 * outH <= H && 2 * outW <= W) {
    maxPool2x2(src, planes, H, W, outH, outW, out, indices);
    return;
  }
  const HW = H * W;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * HW;
    for (let oh = 0; oh < outH; oh++) {
      let h0 = oh * sH - padTop;
      const h1 = Math.min(h0 + (kH - 1) * dH + 1, H);
      while (h0 < 0) h0 += dH;
      for (let ow = 0; ow < outW; ow++, o++) {
        let w0 = ow * sW - padLeft;
        const w1 = Math.min(w0 + (kW - 1) * dW + 1, W);
        while (w0 < 0) w0 += dW;
        let best = -Infinity;
        let arg = h0 * W + w0;
        for (let ih = h0; ih < h1; ih += dH) {
          const row = base + ih * W;
          for (let iw = w0; iw < w1; iw += dW) {
            const v = src[row + iw];
            if (v > best || v !== v) {
              best = v;
              arg = ih * W + iw;
            }
          }
        }
        out[o] = best;
        indices[o] = arg;
      }
    }
  }
}

/** The common 2x2 / stride 2 window without padding (dilation is irrelevant), unrolled; same rules as maxPool2d. */
function maxPool2x2(src: NumArray, planes: number, H: number, W: number, outH: number, outW: number, out: NumArray, indices: Int32Array): void {
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < outH; oh++) {
      const row = 2 * oh * W;
      for (let ow = 0; ow < outW; ow++, o++) {
        const i0 = row + 2 * ow;
        let best = src[base + i0];
        let arg = i0;
        let v = src[base + i0 + 1];
        if (v > best || v !== v) {
          best = v;
          arg = i0 + 1;
        }
        v = src[base + i0 + W];
        if (v > best || v !== v) {
          best = v;
          arg = i0 + W;
        }
        v = src[base + i0 + W + 1];
        if (v > best || v !== v) {
          best = v;
          arg = i0 + W + 1;
        }
        out[o] = best;
        indices[o] = arg;
      }
    }
  }
}

/** Adds each output gradient onto the input position its max came from. `gradIn` must start zeroed. */
export function maxPool2dBackward(gradOut: NumArray, indices: Int32Array, planes: number, inPlane: number, outPlane: number, gradIn: NumArray): void {
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    for (let i = 0; i < outPlane; i++, o++) gradIn[base + indices[o]] += gradOut[o];
  }
}

/** Options of average pooling that change the divisor. */
export interface AvgDivisor {
  countIncludePad: boolean;
  divisorOverride?: number;
}

/** Visits each output window of an average pool: [h0, h1) x [w0, w1) clipped to the image, and its divisor. */
function forEachAvgWindow(g: Conv2dGeometry, d: AvgDivisor, visit: (o: number, h0: number, h1: number, w0: number, w1: number, divide: number) => void): void {
  const { height: H, width: W, kH, kW, sH, sW, padTop, padLeft, outH, outW } = g;
  let o = 0;
  for (let oh = 0; oh < outH; oh++) {
    for (let ow = 0; ow < outW; ow++, o++) {
      let h0 = oh * sH - padTop;
      let w0 = ow * sW - padLeft;
      let h1 = Math.min(h0 + kH, H + padTop);
      let w1 = Math.min(w0 + kW, W + padLeft);
      const poolSize = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0);
      w0 = Math.max(w0, 0);
      h1 = Math.min(h1, H);
      w1 = Math.min(w1, W);
      const divide = d.divisorOverride ?? (d.countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
      visit(o, h0, h1, w0, w1, divide);
    }
  }
}

/** Average over each window (PyTorch's divisor rules: countIncludePad, divisorOverride; empty windows give 0). */
export function avgPool2d(src: NumArray, planes: number, g: Conv2dGeometry, d: AvgDivisor, out: NumArray): void {
  const HW = g.height * g.width;
  const W = g.width;
  const outPlane = g.outH * g.outW;
  for (let p = 0; p < planes; p++) {
    const base = p * HW;
    const ob = p * outPlane;
    forEachAvgWindow(g, d, (o, h0, h1, w0, w1, divide) => {
      if (h0 >= h1 || w0 >= w1) {
        out[ob + o] = 0;
        return;
      }
      let s = 0;
      for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += src[base + ih * W + iw];
      out[ob + o] = s / divide;
    });
  }
}

/** Gradient of avgPool2d: each output gradient / divisor is added over its window. `gradIn` must start zeroed. */
export function avgPool2dBackward(gradOut: NumArray, planes: number, g: Conv2dGeometry, d: AvgDivisor, gradIn: NumArray): void {
  const HW = g.height * g.width;
  const W = g.width;
  const outPlane = g.outH * g.outW;
  for (let p = 0; p < planes; p++) {
    const base = p * HW;
    const ob = p * outPlane;
    forEachAvgWindow(g, d, (o, h0, h1, w0, w1, divide) => {
      const v = gradOut[ob + o] / divide;
      for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) gradIn[base + ih * W + iw] += v;
    });
  }
}

/** PyTorch's adaptive window along one dim: [floor(o * in / out), ceil((o + 1) * in / out)). */
export function adaptiveWindow(o: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((o * inSize) / outSize), Math.ceil(((o + 1) * inSize) / outSize)];
}

/** Adaptive average pooling of each plane from H x W to outH x outW. */
export function adaptiveAvgPool2d(src: NumArray, planes: number, H: number, W: number, outH: number, outW: number, out: NumArray): void {
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = adaptiveWindow(oh, H, outH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const [w0, w1] = adaptiveWindow(ow, W, outW);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += src[base + ih * W + iw];
        out[o] = s / ((h1 - h0) * (w1 - w0));
      }
    }
  }
}

/** Gradient of adaptiveAvgPool2d. `gradIn` must start zeroed. */
export function adaptiveAvgPool2dBackward(gradOut: NumArray, planes: number, H: number, W: number, outH: number, outW: number, gradIn: NumArray): void {
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = adaptiveWindow(oh, H, outH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const [w0, w1] = adaptiveWindow(ow, W, outW);
        const v = gradOut[o] / ((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) gradIn[base + ih * W + iw] += v;
      }
    }
  }
}

/** Adaptive max pooling (NaN wins, ties keep the first); writes values and in-plane indices. */
export function adaptiveMaxPool2d(src: NumArray, planes: number, H: number, W: number, outH: number, outW: number, out: NumArray, indices: Int32Array): void {
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = adaptiveWindow(oh, H, outH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const [w0, w1] = adaptiveWindow(ow, W, outW);
        let best = -Infinity;
        let arg = h0 * W + w0;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const v = src[base + ih * W + iw];
            if (v > best || v !== v) {
              best = v;
              arg = ih * W + iw;
            }
          }
        }
        out[o] = best;
        indices[o] = arg;
      }
    }
  }
}
