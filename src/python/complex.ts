/** Python `complex` (PyTorch allowlists `builtins.complex`; it appears in complex-valued scalars). */
export class PyComplex {
  /**
   * @param real the real part
   * @param imag the imaginary part
   */
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {}
}
