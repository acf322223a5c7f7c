/** torch.Size: a tuple of dimensions that prints as `torch.Size([6, 3, 5, 5])`. */
import { pyReprSymbol } from "../python/repr.ts";

/** The shape of a tensor; an array of dimension lengths (read-only by convention). */
export class Size extends Array<number> {
  /** Builds a Size from an array of dimensions. */
  static fromArray(dims: readonly number[]): Size {
    const s = new Size();
    for (const d of dims) s.push(d);
    return s;
  }

  /** Number of elements: the product of the dimensions. */
  numel(): number {
    let n = 1;
    for (const d of this) n *= d;
    return n;
  }

  /** Element-wise equality with another shape. */
  equals(other: readonly number[]): boolean {
    return this.length === other.length && this.every((d, i) => d === other[i]);
  }

  /** `torch.Size([6, 3, 5, 5])`. */
  override toString(): string {
    return `torch.Size([${this.join(", ")}])`;
  }

  /** Python repr (same as toString). */
  [pyReprSymbol](): string {
    return this.toString();
  }

  /** Node's util.inspect prints the PyTorch form. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}
