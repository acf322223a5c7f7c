/**
 * Pickle opcodes as data: name, byte, the protocol that introduced it, and what follows the byte.
 * Reference: CPython `Lib/pickletools.py` (the authoritative opcode documentation) and PEP 307,
 * PEP 3154 (protocol 4), PEP 574 (protocol 5).
 */

/** What follows an opcode's byte in the stream. */
export type OpcodeArgument =
  | "none"
  | "u1" // unsigned byte
  | "u2" // little-endian u16
  | "i4" // little-endian i32
  | "u4" // little-endian u32
  | "u8" // little-endian u64
  | "f8" // big-endian float64
  | "line" // text up to "\n"
  | "two-lines" // module "\n" name "\n"
  | "u1-bytes" // u8 length, then that many bytes
  | "u4-bytes" // u32 length, then bytes
  | "i4-bytes" // i32 length, then bytes
  | "u8-bytes"; // u64 length, then bytes

/** One opcode. */
export interface OpcodeInfo {
  readonly name: string;
  readonly code: number;
  readonly protocol: number;
  readonly argument: OpcodeArgument;
}

function op(name: string, char: string, protocol: number, argument: OpcodeArgument): OpcodeInfo {
  return { name, code: char.charCodeAt(0), protocol, argument };
}

/** Every opcode of protocols 0-5, in pickletools order. */
export const OPCODES: readonly OpcodeInfo[] = [
  op("INT", "I", 0, "line"),
  op("BININT", "J", 1, "i4"),
  op("BININT1", "K", 1, "u1"),
  op("BININT2", "M", 1, "u2"),
  op("LONG", "L", 0, "line"),
  op("LONG1", "\x8a", 2, "u1-bytes"),
  op("LONG4", "\x8b", 2, "i4-bytes"),
  op("STRING", "S", 0, "line"),
  op("BINSTRING", "T", 1, "i4-bytes"),
  op("SHORT_BINSTRING", "U", 1, "u1-bytes"),
  op("BINBYTES", "B", 3, "u4-bytes"),
  op("SHORT_BINBYTES", "C", 3, "u1-bytes"),
  op("BINBYTES8", "\x8e", 4, "u8-bytes"),
  op("BYTEARRAY8", "\x96", 5, "u8-bytes"),
  op("NEXT_BUFFER", "\x97", 5, "none"),
  op("READONLY_BUFFER", "\x98", 5, "none"),
  op("NONE", "N", 0, "none"),
  op("NEWTRUE", "\x88", 2, "none"),
  op("NEWFALSE", "\x89", 2, "none"),
  op("UNICODE", "V", 0, "line"),
  op("SHORT_BINUNICODE", "\x8c", 4, "u1-bytes"),
  op("BINUNICODE", "X", 1, "u4-bytes"),
  op("BINUNICODE8", "\x8d", 4, "u8-bytes"),
  op("FLOAT", "F", 0, "line"),
  op("BINFLOAT", "G", 1, "f8"),
  op("EMPTY_LIST", "]", 1, "none"),
  op("APPEND", "a", 0, "none"),
  op("APPENDS", "e", 1, "none"),
  op("LIST", "l", 0, "none"),
  op("EMPTY_TUPLE", ")", 1, "none"),
  op("TUPLE", "t", 0, "none"),
  op("TUPLE1", "\x85", 2, "none"),
  op("TUPLE2", "\x86", 2, "none"),
  op("TUPLE3", "\x87", 2, "none"),
  op("EMPTY_DICT", "}", 1, "none"),
  op("DICT", "d", 0, "none"),
  op("SETITEM", "s", 0, "none"),
  op("SETITEMS", "u", 1, "none"),
  op("EMPTY_SET", "\x8f", 4, "none"),
  op("ADDITEMS", "\x90", 4, "none"),
  op("FROZENSET", "\x91", 4, "none"),
  op("POP", "0", 0, "none"),
  op("DUP", "2", 0, "none"),
  op("MARK", "(", 0, "none"),
  op("POP_MARK", "1", 1, "none"),
  op("GET", "g", 0, "line"),
  op("BINGET", "h", 1, "u1"),
  op("LONG_BINGET", "j", 1, "u4"),
  op("PUT", "p", 0, "line"),
  op("BINPUT", "q", 1, "u1"),
  op("LONG_BINPUT", "r", 1, "u4"),
  op("MEMOIZE", "\x94", 4, "none"),
  op("EXT1", "\x82", 2, "u1"),
  op("EXT2", "\x83", 2, "u2"),
  op("EXT4", "\x84", 2, "i4"),
  op("GLOBAL", "c", 0, "two-lines"),
  op("STACK_GLOBAL", "\x93", 4, "none"),
  op("REDUCE", "R", 0, "none"),
  op("BUILD", "b", 0, "none"),
  op("INST", "i", 0, "two-lines"),
  op("OBJ", "o", 1, "none"),
  op("NEWOBJ", "\x81", 2, "none"),
  op("NEWOBJ_EX", "\x92", 4, "none"),
  op("PROTO", "\x80", 2, "u1"),
  op("STOP", ".", 0, "none"),
  op("FRAME", "\x95", 4, "u8"),
  op("PERSID", "P", 0, "line"),
  op("BINPERSID", "Q", 1, "none"),
];

/** Opcode bytes by name: `Op.BINUNICODE === 0x58`. */
export const Op = {
  INT: 0x49,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG: 0x4c,
  LONG1: 0x8a,
  LONG4: 0x8b,
  STRING: 0x53,
  BINSTRING: 0x54,
  SHORT_BINSTRING: 0x55,
  BINBYTES: 0x42,
  SHORT_BINBYTES: 0x43,
  BINBYTES8: 0x8e,
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
  NONE: 0x4e,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  UNICODE: 0x56,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58,
  BINUNICODE8: 0x8d,
  FLOAT: 0x46,
  BINFLOAT: 0x47,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  APPENDS: 0x65,
  LIST: 0x6c,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  EMPTY_DICT: 0x7d,
  DICT: 0x64,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  POP: 0x30,
  DUP: 0x32,
  MARK: 0x28,
  POP_MARK: 0x31,
  GET: 0x67,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  PUT: 0x70,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  MEMOIZE: 0x94,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  GLOBAL: 0x63,
  STACK_GLOBAL: 0x93,
  REDUCE: 0x52,
  BUILD: 0x62,
  INST: 0x69,
  OBJ: 0x6f,
  NEWOBJ: 0x81,
  NEWOBJ_EX: 0x92,
  PROTO: 0x80,
  STOP: 0x2e,
  FRAME: 0x95,
  PERSID: 0x50,
  BINPERSID: 0x51,
} as const;

/** The highest protocol this package reads. */
export const HIGHEST_PROTOCOL = 5;

const BY_CODE: ReadonlyArray<OpcodeInfo | undefined> = (() => {
  const table: Array<OpcodeInfo | undefined> = new Array(256).fill(undefined);
  for (const info of OPCODES) table[info.code] = info;
  return table;
})();

/** The opcode for a byte, or undefined when no protocol defines it. */
export function opcodeInfo(code: number): OpcodeInfo | undefined {
  return BY_CODE[code];
}

/** `0x58 -> "BINUNICODE"`, or `0x??` for bytes that are not opcodes. */
export function opcodeName(code: number): string {
  return BY_CODE[code]?.name ?? `0x${code.toString(16).padStart(2, "0")}`;
}
