/** The Python value model: how Python values look in JS so that they round-trip losslessly (README.md). */
export { PyByteArray, isPyBytes } from "./bytes.ts";
export { PyComplex } from "./complex.ts";
export {
  type PyDict,
  dictEntries,
  dictFromEntries,
  dictFromMap,
  dictSize,
  isCanonicalArrayIndex,
  isDict,
  isOrderedDict,
  isPlainObject,
  keysFitPlainObject,
  markOrderedDict,
  orderedDict,
  pyAttributes,
  setPyAttribute,
} from "./dict.ts";
export { PyFloat, isPyFloat, isPyInt, pyFloat, toNumber } from "./float.ts";
export { PyGlobal } from "./global.ts";
export { PyObject } from "./object.ts";
export { type PyReprable, bytesRepr, complexRepr, floatRepr, intRepr, pyRepr, pyReprSymbol, strRepr } from "./repr.ts";
export { FrozenSet } from "./set.ts";
export { Tuple, isTuple, tuple, tupleFrom } from "./tuple.ts";
export { pyTypeName } from "./types.ts";
