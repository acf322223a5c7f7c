import { test } from "node:test";
import assert from "node:assert/strict";
import { gemm, gemmAT, gemmBT, gemmStrided } from "../../src/kernels/gemm.ts";
import { wasmFloat32, wasmKernels } from "../../src/kernels/wasm/runtime.ts";

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
}

/** Checks gemmStrided against a float64 triple loop for every layout, with and without accumulation. */
function check(M: number, N: number, K: number, resident: boolean): void {
  const layouts: [string, number, number, number, number][] = [
    ["nn", K, 1, N, 1], ["tn", 1, M, N, 1], ["nt", K, 1, 1, K], ["tt", 1, M, 1, K],
  ];
  for (const [name, aRow, aCol, bRow, bCol] of layouts) {
    for (const accumulate of [false, true]) {
      const A = rand(M * K + 3, M + 7 * N);
      const B = rand(K * N + 5, K + 3 * M);
      const ldc = N + 2;
      const C0 = rand(M * ldc + 1, 5);
      const C = resident ? (wasmFloat32(7, C0.length) ?? new Float32Array(C0.length)) : new Float32Array(C0.length);
      C.set(C0);
      gemmStrided(M, N, K, A, 3, aRow, aCol, B, 5, bRow, bCol, C, 1, ldc, accumulate);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          let mag = 0;
          for (let k = 0; k < K; k++) {
            const p = A[3 + i * aRow + k * aCol] * B[5 + k * bRow + j * bCol];
            s += p;
            mag += Math.abs(p);
          }
          const at = 1 + i * ldc + j;
          const want = (accumulate ? C0[at] : 0) + s;
          assert.ok(Math.abs(C[at] - want) <= 1e-5 * (mag + 1), `${name} ${M}x${N}x${K} acc=${accumulate} at (${i}, ${j}): ${C[at]} vs ${want}`);
        }
        for (let j = N; j < ldc && i * ldc + 1 + j < C.length; j++) assert.equal(C[1 + i * ldc + j], C0[1 + i * ldc + j], `${name}: padding column written`);
      }
      assert.equal(C[0], C0[0], "element before C written");
    }
  }
}

test("gemmStrided matches a float64 reference for every layout and tile remainder", () => {
  for (const [M, N, K] of [[1, 1, 1], [3, 5, 7], [4, 8, 16], [6, 13, 9], [7, 9, 130], [17, 33, 21], [2, 3, 1000], [64, 31, 45]]) {
    check(M, N, K, false);
    check(M, N, K, true);
  }
});

test("gemm, gemmBT and gemmAT keep their row-major contracts", () => {
  const A = rand(6 * 5, 1);
  const B = rand(5 * 4, 2);
  const ref = new Float64Array(24);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) ref[i * 4 + j] += A[i * 5 + k] * B[k * 4 + j];
  const C = new Float32Array(24);
  gemm(6, 4, 5, A, 0, B, 0, C, 0);
  C.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-5));
  const BT = new Float32Array(20);
  for (let k = 0; k < 5; k++) for (let j = 0; j < 4; j++) BT[j * 5 + k] = B[k * 4 + j];
  gemmBT(6, 4, 5, A, 0, BT, 0, C, 0);
  C.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-5));
  const AT = new Float32Array(30);
  for (let i = 0; i < 6; i++) for (let k = 0; k < 5; k++) AT[k * 6 + i] = A[i * 5 + k];
  gemmAT(6, 4, 5, AT, 0, B, 0, C, 0, false);
  C.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-5));
});

test("the WebAssembly kernels load under Node", () => {
  if (process.env.TSORCH_NO_WASM) return;
  assert.ok(wasmKernels(), "WebAssembly SIMD with shared memory should be available in Node 20");
});
