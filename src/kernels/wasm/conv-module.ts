/**
 * WebAssembly versions of im2col / col2im (see kernels/conv.ts for the layout), generated with the assembler.
 * Pointers and `ldCols` are in bytes, sizes in elements. Runs inside the image are copied (or added) four
 * floats at a time; windows reaching into the padding fall back to a bounds-checked scalar loop.
 *
 * Both take `(C, H, W, kH, kW, sH, sW, padT, padL, dH, dW, outH, outW, image, cols, ldCols)`: im2col reads the
 * image and writes the columns; col2im adds the columns back onto the image.
 */
import { Code, F32, type FunctionDef, I32, V128 } from "./assembler.ts";

const P = { C: 0, H: 1, W: 2, kH: 3, kW: 4, sH: 5, sW: 6, padT: 7, padL: 8, dH: 9, dW: 10, outH: 11, outW: 12, img: 13, cols: 14, ldCols: 15 };
const L = { c: 16, ki: 17, kj: 18, oh: 19, row: 20, p: 21, ih: 22, iw0: 23, s: 24, q: 25, plane: 26, iw: 27, v: 28, f: 29 };
const LOCALS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, F32];

/** The shared loop nest: for each (c, ki, kj) row and output row oh, calls `inside` or `outside` (ih out of range). */
function loops(c: Code, perRow: (c: Code) => void): void {
  c.get(P.cols).set(L.row);
  c.i32(0).set(L.c);
  c.while((w) => w.get(L.c).get(P.C).ltS(), (w) => {
    w.get(P.img).get(L.c).get(P.H).mul().get(P.W).mul().i32(2).shl().add().set(L.plane);
    w.i32(0).set(L.ki);
    w.while((x) => x.get(L.ki).get(P.kH).ltS(), (x) => {
      x.i32(0).set(L.kj);
      x.while((y) => y.get(L.kj).get(P.kW).ltS(), (y) => {
        y.get(L.row).set(L.p);
        y.i32(0).get(P.padL).sub().get(L.kj).get(P.dW).mul().add().set(L.iw0);
        y.i32(0).set(L.oh);
        y.while((z) => z.get(L.oh).get(P.outH).ltS(), (z) => {
          z.get(L.oh).get(P.sH).mul().get(P.padT).sub().get(L.ki).get(P.dH).mul().add().set(L.ih);
          perRow(z);
          z.addTo(L.p, (u) => u.get(P.outW).i32(2).shl());
          z.addTo(L.oh, (u) => u.i32(1));
        });
        y.addTo(L.row, (u) => u.get(P.ldCols));
        y.addTo(L.kj, (u) => u.i32(1));
      });
      x.addTo(L.ki, (u) => u.i32(1));
    });
    w.addTo(L.c, (u) => u.i32(1));
  });
}

/** True (on the stack) when the whole output row reads inside the image with stride 1. */
function contiguousRun(c: Code): void {
  c.get(P.sW).i32(1).sub().eqz();
  c.i32(-1).get(L.iw0).ltS().and();
  c.get(L.iw0).get(P.outW).add().get(P.W).leS().and();
}

/** s = address of image element (ih, iw0). */
function runStart(c: Code): void {
  c.get(L.plane).get(L.ih).get(P.W).mul().get(L.iw0).add().i32(2).shl().add().set(L.s);
}

/** Copies (or adds, for col2im) outW floats between p (columns) and s (image). */
function vectorRun(c: Code, add: boolean): void {
  c.i32(0).set(L.q);
  c.while((w) => w.get(L.q).i32(4).add().get(P.outW).leS(), (w) => {
    const at = (u: Code, base: number) => u.get(base).get(L.q).i32(2).shl().add();
    if (add) {
      at(w, L.s);
      at(w, L.s).v128Load();
      at(w, L.p).v128Load();
      w.vAdd().v128Store();
    } else {
      at(w, L.p);
      at(w, L.s).v128Load();
      w.v128Store();
    }
    w.addTo(L.q, (u) => u.i32(4));
  });
  c.while((w) => w.get(L.q).get(P.outW).ltS(), (w) => {
    const at = (u: Code, base: number) => u.get(base).get(L.q).i32(2).shl().add();
    if (add) {
      at(w, L.s);
      at(w, L.s).f32Load();
      at(w, L.p).f32Load();
      w.f32Add().f32Store();
    } else {
      at(w, L.p);
      at(w, L.s).f32Load();
      w.f32Store();
    }
    w.addTo(L.q, (u) => u.i32(1));
  });
}

function im2colFunction(): FunctionDef {
  const c = new Code();
  loops(c, (z) => {
    z.get(L.ih).get(P.H).geU();
    z.ifElse((t) => {
      // The whole output row lies in the padding: zeros.
      t.i32(0).set(L.q);
      t.while((w) => w.get(L.q).get(P.outW).ltS(), (w) => {
        w.get(L.p).get(L.q).i32(2).shl().add().f32Zero().f32Store();
        w.addTo(L.q, (u) => u.i32(1));
      });
    }, (e) => {
      contiguousRun(e);
      e.ifElse((t) => {
        runStart(t);
        vectorRun(t, false);
      }, (o) => {
        o.i32(0).set(L.q);
        o.while((w) => w.get(L.q).get(P.outW).ltS(), (w) => {
          w.get(L.iw0).get(L.q).get(P.sW).mul().add().set(L.iw);
          w.get(L.p).get(L.q).i32(2).shl().add();
          w.get(L.iw).get(P.W).ltU();
          w.ifElse((t) => t.get(L.plane).get(L.ih).get(P.W).mul().get(L.iw).add().i32(2).shl().add().f32Load().set(L.f), (f) => f.f32Zero().set(L.f));
          w.get(L.f).f32Store();
          w.addTo(L.q, (u) => u.i32(1));
        });
      });
    });
  });
  return { name: "im2col", params: new Array<number>(16).fill(I32), locals: LOCALS, body: c };
}

function col2imFunction(): FunctionDef {
  const c = new Code();
  loops(c, (z) => {
    z.get(L.ih).get(P.H).ltU();
    z.ifThen((inside) => {
      contiguousRun(inside);
      inside.ifElse((t) => {
        runStart(t);
        vectorRun(t, true);
      }, (o) => {
        o.i32(0).set(L.q);
        o.while((w) => w.get(L.q).get(P.outW).ltS(), (w) => {
          w.get(L.iw0).get(L.q).get(P.sW).mul().add().set(L.iw);
          w.get(L.iw).get(P.W).ltU();
          w.ifThen((t) => {
            t.get(L.plane).get(L.ih).get(P.W).mul().get(L.iw).add().i32(2).shl().add().set(L.s);
            t.get(L.s).get(L.s).f32Load().get(L.p).get(L.q).i32(2).shl().add().f32Load().f32Add().f32Store();
          });
          w.addTo(L.q, (u) => u.i32(1));
        });
      });
    });
  });
  return { name: "col2im", params: new Array<number>(16).fill(I32), locals: LOCALS, body: c };
}

/** The im2col and col2im functions. */
export function convFunctions(): FunctionDef[] {
  return [im2colFunction(), col2imFunction()];
}
