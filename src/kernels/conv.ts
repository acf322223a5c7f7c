/**
 * im2col / col2im for 2-D convolution: unfold every receptive field of one image into a column so that the
 * convolution becomes one matrix product (weights [OC, C*kH*kW] x columns [C*kH*kW, outH*outW]).
 */
import type { NumArray } from "./strided.ts";
import { type ConvArgs, isWasmResident, wasmKernels } from "./wasm/runtime.ts";

/** Sizes of one 2-D convolution (or pooling window) over a single image. */
export interface Conv2dGeometry {
  /** Input channels, height and width. */
  channels: number;
  height: number;
  width: number;
  /** Kernel size. */
  kH: number;
  kW: number;
  /** Stride. */
  sH: number;
  sW: number;
  /** Padding added before the first row / column (the padding after follows from the output size). */
  padTop: number;
  padLeft: number;
  /** Dilation. */
  dH: number;
  dW: number;
  /** Output height and width. */
  outH: number;
  outW: number;
}

/** Output length of a convolution along one dim: floor((size + padTotal - dil*(k-1) - 1) / stride) + 1. */
export function convOutputSize(size: number, kernel: number, stride: number, padTotal: number, dilation: number): number {
  return Math.floor((size + padTotal - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Arguments of the wasm im2col/col2im when both arrays are float32 views of wasm memory, else null. */
function wasmArgs(image: NumArray, imageOff: number, g: Conv2dGeometry, cols: NumArray, colsOff: number, ldCols: number): ConvArgs | null {
  if (!(image instanceof Float32Array && cols instanceof Float32Array) || !isWasmResident(image) || !isWasmResident(cols)) return null;
  return [
    g.channels, g.height, g.width, g.kH, g.kW, g.sH, g.sW, g.padTop, g.padLeft, g.dH, g.dW, g.outH, g.outW,
    image.byteOffset + imageOff * 4, cols.byteOffset + colsOff * 4, ldCols * 4,
  ];
}

/** The output columns [lo, hi) whose input position ow*s - pad + off falls inside [0, size). */
function validRange(out: number, stride: number, pad: number, off: number, size: number): [number, number] {
  // ow * stride >= pad - off  and  ow * stride < size + pad - off
  const lo = Math.max(0, Math.ceil((pad - off) / stride));
  const hi = Math.min(out, Math.ceil((size + pad - off) / stride));
  return [lo, Math.max(lo, hi)];
}

/**
 * Unfolds image `src[srcOff ..]` ([C, H, W] row-major) into `cols`: row r = (c, ki, kj) of C*kH*kW rows,
 * column oh*outW + ow, at `cols[colsOff + r * ldCols + oh * outW + ow]` (zeros where the window is in padding).
 */
export function im2col(src: NumArray, srcOff: number, g: Conv2dGeometry, cols: NumArray, colsOff: number, ldCols: number): void {
  const args = wasmArgs(src, srcOff, g, cols, colsOff, ldCols);
  if (args) return (wasmKernels() as NonNullable<ReturnType<typeof wasmKernels>>).im2col(...args);
  const { channels, height: H, width: W, kH, kW, sH, sW, padTop, padLeft, dH, dW, outH, outW } = g;
  let row = colsOff;
  for (let c = 0; c < channels; c++) {
    const plane = srcOff + c * H * W;
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dH;
      const [ohLo, ohHi] = validRange(outH, sH, padTop, offH, H);
      for (let kj = 0; kj < kW; kj++, row += ldCols) {
        const offW = kj * dW;
        const [owLo, owHi] = validRange(outW, sW, padLeft, offW, W);
        let p = row;
        for (let oh = 0; oh < outH; oh++, p += outW) {
          if (oh < ohLo || oh >= ohHi) {
            for (let ow = 0; ow < outW; ow++) cols[p + ow] = 0;
            continue;
          }
          for (let ow = 0; ow < owLo; ow++) cols[p + ow] = 0;
          const base = plane + (oh * sH - padTop + offH) * W - padLeft + offW;
          if (sW === 1) for (let ow = owLo; ow < owHi; ow++) cols[p + ow] = src[base + ow];
          else for (let ow = owLo; ow < owHi; ow++) cols[p + ow] = src[base + ow * sW];
          for (let ow = owHi; ow < outW; ow++) cols[p + ow] = 0;
        }
      }
    }
  }
}

/** The adjoint of im2col: adds every column entry back onto its input position in `dst[dstOff ..]` ([C, H, W]). */
export function col2im(cols: NumArray, colsOff: number, ldCols: number, g: Conv2dGeometry, dst: NumArray, dstOff: number): void {
  const args = wasmArgs(dst, dstOff, g, cols, colsOff, ldCols);
  if (args) return (wasmKernels() as NonNullable<ReturnType<typeof wasmKernels>>).col2im(...args);
  const { channels, height: H, width: W, kH, kW, sH, sW, padTop, padLeft, dH, dW, outH, outW } = g;
  let row = colsOff;
  for (let c = 0; c < channels; c++) {
    const plane = dstOff + c * H * W;
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dH;
      const [ohLo, ohHi] = validRange(outH, sH, padTop, offH, H);
      for (let kj = 0; kj < kW; kj++, row += ldCols) {
        const offW = kj * dW;
        const [owLo, owHi] = validRange(outW, sW, padLeft, offW, W);
        for (let oh = ohLo; oh < ohHi; oh++) {
          const p = row + oh * outW;
          const base = plane + (oh * sH - padTop + offH) * W - padLeft + offW;
          if (sW === 1) for (let ow = owLo; ow < owHi; ow++) dst[base + ow] += cols[p + ow];
          else for (let ow = owLo; ow < owHi; ow++) dst[base + ow * sW] += cols[p + ow];
        }
      }
    }
  }
}
