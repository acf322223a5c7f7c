/** Temporary: the symbol objects implement to print their own Python repr (replaced by the full repr module). */
export const pyReprSymbol: unique symbol = Symbol.for("tsorch.pyRepr") as never;
