"""Malicious pickles for the unpickler's security tests (CPython stdlib only; nothing here runs them).

usage: malicious_pickles.py CANARY_PATH
prints [{"name", "hex", "expect", "code"}]: loading `hex` must fail with an UnpicklingError whose
code is `code` and whose message contains `expect`; every payload would create CANARY_PATH if it ran.
"""
import builtins
import json
import os
import pickle
import subprocess
import sys

canary = sys.argv[1]
command = f"touch {canary}"
cases = []


def add(name, data, expect, code):
    cases.append({"name": name, "hex": data.hex(), "expect": expect, "code": code})


class Reduce:
    """An object whose pickle is `func(*args)`; pickle.dumps only writes it, never calls it."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def s(text):  # protocol-2 BINUNICODE
    raw = text.encode()
    return b"X" + len(raw).to_bytes(4, "little") + raw


# REDUCE on dangerous callables, written by CPython's own pickler.
add("os.system via REDUCE (pickle.dumps)", pickle.dumps(Reduce(os.system, (command,)), 2), f"{os.system.__module__}.system", "BLOCKED_GLOBAL")
add("builtins.eval via REDUCE", pickle.dumps(Reduce(builtins.eval, (f"__import__('os').system({command!r})",)), 2), "builtins.eval", "UNSUPPORTED_GLOBAL")
add("builtins.exec via REDUCE", pickle.dumps(Reduce(builtins.exec, (f"__import__('os').system({command!r})",)), 2), "builtins.exec", "UNSUPPORTED_GLOBAL")
add("subprocess.Popen via REDUCE, protocol 3", pickle.dumps(Reduce(subprocess.Popen, (["touch", canary],)), 3), "subprocess.Popen", "UNSUPPORTED_GLOBAL")
add("subprocess.call, protocol 4", pickle.dumps(Reduce(subprocess.call, (["touch", canary],)), 4), "subprocess.call", "UNSUPPORTED_GLOBAL")
add("builtins.__import__", pickle.dumps(Reduce(builtins.__import__, ("os",)), 2), "builtins.__import__", "UNSUPPORTED_GLOBAL")

# Hand-written GLOBALs naming blocked modules.
for module, name in [("os", "system"), ("posix", "system"), ("nt", "system"), ("sys", "modules"), ("os.path", "join")]:
    add(f"GLOBAL {module}.{name}", b"\x80\x02c" + f"{module}\n{name}\n".encode() + s(command) + b"\x85R.", f"GLOBAL {module}.{name}", "BLOCKED_GLOBAL")

# Python 2 spelling, protocol 0: __builtin__ maps to builtins.
add("__builtin__.eval, protocol 0", b"c__builtin__\neval\n(V" + command.encode() + b"\ntR.", "builtins.eval", "UNSUPPORTED_GLOBAL")

# Nested REDUCE: the callable is itself the result of a REDUCE.
nested = (
    b"\x80\x02cbuiltins\ngetattr\ncbuiltins\n__import__\n" + s("os") + b"\x85R" + s("system") + b"\x86R" + s(command) + b"\x85R."
)
add("getattr(__import__('os'), 'system')(cmd)", nested, "builtins.getattr", "UNSUPPORTED_GLOBAL")
# An allowed global's result used as a callable: _codecs.encode(...) returns bytes; REDUCE on bytes.
add(
    "REDUCE on the bytes that an allowed REDUCE returned",
    b"\x80\x02c_codecs\nencode\n" + s("os.system") + s("latin1") + b"\x86R" + s(command) + b"\x85R.",
    "unrecognized function",
    "NOT_ALLOWED",
)

# STACK_GLOBAL (protocol 4) with module and name as strings on the stack.
def short(text):
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


add("STACK_GLOBAL builtins.getattr", b"\x80\x04" + short("builtins") + short("getattr") + b"\x93" + short("os") + short("system") + b"\x86R.", "builtins.getattr", "UNSUPPORTED_GLOBAL")
add("STACK_GLOBAL os.system", b"\x80\x04" + short("os") + short("system") + b"\x93" + short(command) + b"\x85R.", "os.system", "BLOCKED_GLOBAL")
add("getattr tricks in the name", b"\x80\x02ccollections\nOrderedDict.__init__.__globals__\n.", "collections.OrderedDict.__init__.__globals__", "UNSUPPORTED_GLOBAL")

# BUILD tricks: BUILD on a class object; BUILD to install __setstate__; NEWOBJ of builtins.object.
add("BUILD on the OrderedDict class itself", b"\x80\x02ccollections\nOrderedDict\n}" + s("__setstate__") + s(command) + b"sb.", "Can only build", "NOT_ALLOWED")
add(
    "BUILD installing os.system as __setstate__",
    b"\x80\x02ccollections\nOrderedDict\n)R}" + s("__setstate__") + b"cos\nsystem\nsb" + s(command) + b"b.",
    "os.system",
    "BLOCKED_GLOBAL",
)
add("NEWOBJ of builtins.object", b"\x80\x02cbuiltins\nobject\n)\x81}b.", "builtins.object", "UNSUPPORTED_GLOBAL")
add("copyreg._reconstructor", b"\x80\x02ccopy_reg\n_reconstructor\ncos\n_wrap_close\ncbuiltins\nobject\nN\x87R.", "copyreg._reconstructor", "UNSUPPORTED_GLOBAL")

# INST and OBJ (protocols 0 and 1).
add("INST os.system", b"(V" + command.encode() + b"\nios\nsystem\n.", "INST os.system", "BLOCKED_GLOBAL")
add("INST subprocess.check_output", b"((V" + b"touch\nV" + canary.encode() + b"\nlisubprocess\ncheck_output\n.", "INST subprocess.check_output", "UNSUPPORTED_GLOBAL")
add("OBJ os.system", b"(cos\nsystem\nV" + command.encode() + b"\no.", "GLOBAL os.system", "BLOCKED_GLOBAL")

# Other routes to code: the extension registry, persistent ids without persistent_load, torch/pickle loaders.
add("EXT1 extension code", b"\x80\x02\x82\x01" + s(command) + b"\x85R.", "EXT1", "UNSUPPORTED_OPCODE")
add("PERSID without persistent_load", b"Pos.system\n.", "persistent_load", "PERSISTENT_ID")
add("pickle.loads of an inner pickle, protocol 3", pickle.dumps(Reduce(pickle.loads, (pickle.dumps(Reduce(os.system, (command,))),)), 3), "_pickle.loads", "UNSUPPORTED_GLOBAL")
add("torch.load", b"\x80\x02ctorch\nload\n" + s(canary) + b"\x85R.", "torch.load", "UNSUPPORTED_GLOBAL")

json.dump(cases, sys.stdout)
