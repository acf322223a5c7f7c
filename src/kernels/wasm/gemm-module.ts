/**
 * The WebAssembly SIMD (f32x4) matrix-multiply kernels, generated with the assembler in this folder.
 * All sizes and strides are in bytes except M, N, K; `acc` = 1 adds into C instead of overwriting it.
 *
 * - `nn(M, N, K, A, aRow, aCol, B, ldb, C, ldc, acc)`: C[i, j] (+)= sum_k A(i, k) * B[k, j] where A(i, k) is at
 *   A + i*aRow + k*aCol (any layout, read as scalars and broadcast) and B's rows are contiguous in j.
 *   Tiles of 4x8, 4x4, 2x8, ... accumulate in registers; a scalar loop finishes the last N % 4 columns.
 * - `nt(M, N, K, A, lda, B, ldb, C, ldc, acc)`: C[i, j] (+)= sum_k A[i, k] * B[j, k], both contiguous in k
 *   (dot products four lanes at a time in 2x4 tiles, then a horizontal sum and a scalar tail).
 */
import { Code, F32, type FunctionDef, I32, V128 } from "./assembler.ts";

// ---- nn ----------------------------------------------------------------------------------------------------
const NN = { M: 0, N: 1, K: 2, A: 3, aRow: 4, aCol: 5, B: 6, ldb: 7, C: 8, ldc: 9, acc: 10, i: 11, j: 12, k: 13, pa: 14, pb: 18, t: 19, c: 20, b: 28, av: 30, s: 31 };
const NN_LOCALS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, ...new Array<number>(8).fill(V128), V128, V128, V128, F32];

/** Address of C(i + r, j + col) into local t. */
function nnCAddress(c: Code, r: number, colBytes: number): Code {
  c.get(NN.C).get(NN.i).i32(r).add().get(NN.ldc).mul().add().get(NN.j).i32(2).shl().add();
  if (colBytes) c.i32(colBytes).add();
  return c.set(NN.t);
}

/** Row pointers pa[r] = A + (i + r) * aRow. */
function nnRowPointers(c: Code, R: number): void {
  for (let r = 0; r < R; r++) c.get(NN.A).get(NN.i).i32(r).add().get(NN.aRow).mul().add().set(NN.pa + r);
}

/** An R x (4V) tile at (i, j). */
function nnTile(c: Code, R: number, V: number): void {
  for (let a = 0; a < R * V; a++) c.v128Zero().set(NN.c + a);
  nnRowPointers(c, R);
  c.get(NN.B).get(NN.j).i32(2).shl().add().set(NN.pb);
  c.i32(0).set(NN.k);
  c.while((w) => w.get(NN.k).get(NN.K).ltS(), (w) => {
    for (let v = 0; v < V; v++) w.get(NN.pb).v128Load(16 * v).set(NN.b + v);
    for (let r = 0; r < R; r++) {
      w.get(NN.pa + r).f32Load().splat().set(NN.av);
      for (let v = 0; v < V; v++) {
        const acc = NN.c + r * V + v;
        w.get(acc).get(NN.av).get(NN.b + v).vMul().vAdd().set(acc);
      }
      w.addTo(NN.pa + r, (x) => x.get(NN.aCol));
    }
    w.addTo(NN.pb, (x) => x.get(NN.ldb));
    w.addTo(NN.k, (x) => x.i32(1));
  });
  for (let r = 0; r < R; r++) {
    nnCAddress(c, r, 0);
    c.get(NN.acc).ifThen((t) => {
      for (let v = 0; v < V; v++) t.get(NN.c + r * V + v).get(NN.t).v128Load(16 * v).vAdd().set(NN.c + r * V + v);
    });
    for (let v = 0; v < V; v++) c.get(NN.t).get(NN.c + r * V + v).v128Store(16 * v);
  }
}

/** Column j of rows i..i+R-1, scalar. */
function nnScalarColumn(c: Code, R: number): void {
  nnRowPointers(c, R);
  for (let r = 0; r < R; r++) {
    c.f32Zero().set(NN.s);
    c.get(NN.B).get(NN.j).i32(2).shl().add().set(NN.pb);
    c.i32(0).set(NN.k);
    c.while((w) => w.get(NN.k).get(NN.K).ltS(), (w) => {
      w.get(NN.s).get(NN.pa + r).f32Load().get(NN.pb).f32Load().f32Mul().f32Add().set(NN.s);
      w.addTo(NN.pa + r, (x) => x.get(NN.aCol));
      w.addTo(NN.pb, (x) => x.get(NN.ldb));
      w.addTo(NN.k, (x) => x.i32(1));
    });
    nnCAddress(c, r, 0);
    c.get(NN.acc).ifThen((t) => t.get(NN.s).get(NN.t).f32Load().f32Add().set(NN.s));
    c.get(NN.t).get(NN.s).f32Store();
  }
}

function nnColumns(c: Code, R: number): void {
  c.i32(0).set(NN.j);
  c.while((w) => w.get(NN.j).i32(8).add().get(NN.N).leS(), (w) => {
    nnTile(w, R, 2);
    w.addTo(NN.j, (x) => x.i32(8));
  });
  c.while((w) => w.get(NN.j).i32(4).add().get(NN.N).leS(), (w) => {
    nnTile(w, R, 1);
    w.addTo(NN.j, (x) => x.i32(4));
  });
  c.while((w) => w.get(NN.j).get(NN.N).ltS(), (w) => {
    nnScalarColumn(w, R);
    w.addTo(NN.j, (x) => x.i32(1));
  });
}

function nnFunction(): FunctionDef {
  const c = new Code();
  c.i32(0).set(NN.i);
  for (const R of [4, 2, 1]) {
    c.while((w) => w.get(NN.i).i32(R).add().get(NN.M).leS(), (w) => {
      nnColumns(w, R);
      w.addTo(NN.i, (x) => x.i32(R));
    });
  }
  return { name: "nn", params: new Array<number>(11).fill(I32), locals: NN_LOCALS, body: c };
}

// ---- nt ----------------------------------------------------------------------------------------------------
const NT = { M: 0, N: 1, K: 2, A: 3, lda: 4, B: 5, ldb: 6, C: 7, ldc: 8, acc: 9, i: 10, j: 11, k: 12, K4: 13, pa: 14, pb: 16, t: 20, c: 21, a: 29, b: 31, s: 35 };
const NT_LOCALS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, ...new Array<number>(8).fill(V128), V128, V128, V128, V128, V128, V128, F32];

/** An R x Cc block of dot products at (i, j). */
function ntTile(c: Code, R: number, Cc: number): void {
  for (let a = 0; a < R * Cc; a++) c.v128Zero().set(NT.c + a);
  for (let r = 0; r < R; r++) c.get(NT.A).get(NT.i).i32(r).add().get(NT.lda).mul().add().set(NT.pa + r);
  for (let q = 0; q < Cc; q++) c.get(NT.B).get(NT.j).i32(q).add().get(NT.ldb).mul().add().set(NT.pb + q);
  c.i32(0).set(NT.k);
  c.while((w) => w.get(NT.k).get(NT.K4).ltS(), (w) => {
    for (let r = 0; r < R; r++) w.get(NT.pa + r).v128Load().set(NT.a + r);
    for (let q = 0; q < Cc; q++) w.get(NT.pb + q).v128Load().set(NT.b + q);
    for (let r = 0; r < R; r++) {
      for (let q = 0; q < Cc; q++) {
        const acc = NT.c + r * Cc + q;
        w.get(acc).get(NT.a + r).get(NT.b + q).vMul().vAdd().set(acc);
      }
    }
    for (let r = 0; r < R; r++) w.addTo(NT.pa + r, (x) => x.i32(16));
    for (let q = 0; q < Cc; q++) w.addTo(NT.pb + q, (x) => x.i32(16));
    w.addTo(NT.k, (x) => x.i32(4));
  });
  for (let r = 0; r < R; r++) {
    for (let q = 0; q < Cc; q++) {
      const acc = NT.c + r * Cc + q;
      c.get(acc).lane(0).get(acc).lane(1).f32Add().get(acc).lane(2).f32Add().get(acc).lane(3).f32Add().set(NT.s);
      // Scalar tail over k in [K4, K): pa[r] and pb[q] already point at element K4 of their rows, but pa[r] is
      // shared by every q, so walk with offsets instead of advancing the pointers.
      c.get(NT.K4).set(NT.k);
      c.while((w) => w.get(NT.k).get(NT.K).ltS(), (w) => {
        w.get(NT.s);
        w.get(NT.pa + r).get(NT.k).get(NT.K4).sub().i32(2).shl().add().f32Load();
        w.get(NT.pb + q).get(NT.k).get(NT.K4).sub().i32(2).shl().add().f32Load();
        w.f32Mul().f32Add().set(NT.s);
        w.addTo(NT.k, (x) => x.i32(1));
      });
      c.get(NT.C).get(NT.i).i32(r).add().get(NT.ldc).mul().add().get(NT.j).i32(q).add().i32(2).shl().add().set(NT.t);
      c.get(NT.acc).ifThen((t) => t.get(NT.s).get(NT.t).f32Load().f32Add().set(NT.s));
      c.get(NT.t).get(NT.s).f32Store();
    }
  }
}

function ntColumns(c: Code, R: number): void {
  c.i32(0).set(NT.j);
  c.while((w) => w.get(NT.j).i32(4).add().get(NT.N).leS(), (w) => {
    ntTile(w, R, 4);
    w.addTo(NT.j, (x) => x.i32(4));
  });
  c.while((w) => w.get(NT.j).get(NT.N).ltS(), (w) => {
    ntTile(w, R, 1);
    w.addTo(NT.j, (x) => x.i32(1));
  });
}

function ntFunction(): FunctionDef {
  const c = new Code();
  c.get(NT.K).i32(-4).and().set(NT.K4);
  c.i32(0).set(NT.i);
  for (const R of [2, 1]) {
    c.while((w) => w.get(NT.i).i32(R).add().get(NT.M).leS(), (w) => {
      ntColumns(w, R);
      w.addTo(NT.i, (x) => x.i32(R));
    });
  }
  return { name: "nt", params: new Array<number>(10).fill(I32), locals: NT_LOCALS, body: c };
}

/** The nn and nt functions. */
export function gemmFunctions(): FunctionDef[] {
  return [nnFunction(), ntFunction()];
}
