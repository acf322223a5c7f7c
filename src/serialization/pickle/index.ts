/** Pickle: opcodes as data, a safe allowlist unpickler (protocols 0-5), and a protocol-2 pickler. */
export { type PickleOptions, type PyReduce, Pickler, pickle } from "./pickler.ts";
export { type Py2StringEncoding, type UnpickleOptions, MAX_LONG_BYTES, Unpickler, unpickle } from "./unpickler.ts";
export {
  BLOCKED_MODULES,
  type GlobalHandler,
  type GlobalResolver,
  type GlobalTable,
  PY2_MODULES,
  builtinGlobals,
  combineGlobals,
  isBlockedModule,
  opaqueGlobal,
  toResolver,
} from "./globals.ts";
export { PicklingError, type PicklingErrorCode, UnpicklingError, type UnpicklingErrorCode } from "./errors.ts";
export { HIGHEST_PROTOCOL, OPCODES, Op, type OpcodeArgument, type OpcodeInfo, opcodeInfo, opcodeName } from "./opcodes.ts";
