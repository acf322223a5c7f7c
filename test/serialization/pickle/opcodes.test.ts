import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OPCODES, Op, opcodeInfo, opcodeName } from "../../../src/serialization/pickle/index.ts";
import { runScript } from "../../scripts/python.ts";

describe("opcode table", () => {
  it("matches CPython's pickletools (name, byte, protocol)", () => {
    const python = runScript<Array<[string, number, number]>>("run_inline.py", [
      "import json,pickletools; print(json.dumps([[o.name, ord(o.code.encode('latin1')), o.proto] for o in pickletools.opcodes]))",
    ]);
    const ours = OPCODES.map((o) => [o.name, o.code, o.protocol]);
    assert.deepEqual([...ours].sort(), [...python].sort());
  });
  it("has the same bytes in Op and OPCODES", () => {
    for (const info of OPCODES) assert.equal(Op[info.name as keyof typeof Op], info.code, info.name);
    assert.equal(Object.keys(Op).length, OPCODES.length);
  });
  it("looks opcodes up by byte", () => {
    assert.equal(opcodeInfo(0x58)?.name, "BINUNICODE");
    assert.equal(opcodeName(0x80), "PROTO");
    assert.equal(opcodeName(0xff), "0xff");
    assert.equal(opcodeInfo(0xff), undefined);
  });
});
