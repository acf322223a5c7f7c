"""Zip oracle for the tsorch tests (CPython stdlib only).

usage: zip_oracle.py PATH...   prints {path: {"entries": [...], "testzip": name-or-null, "error": str-or-null}}
Each entry: name, header_offset, data_offset (30 + the local header's name and extra lengths),
compress_type, file_size, compress_size, CRC, flag_bits, sha256 of the (decompressed) data.
"""
import hashlib
import json
import struct
import sys
import zipfile


def describe(path):
    try:
        with zipfile.ZipFile(path) as z, open(path, "rb") as f:
            entries = []
            for info in z.infolist():
                f.seek(info.header_offset)
                header = f.read(30)
                name_len, extra_len = struct.unpack("<HH", header[26:30])
                entries.append({
                    "name": info.filename,
                    "header_offset": info.header_offset,
                    "data_offset": info.header_offset + 30 + name_len + extra_len,
                    "compress_type": info.compress_type,
                    "file_size": info.file_size,
                    "compress_size": info.compress_size,
                    "CRC": info.CRC,
                    "flag_bits": info.flag_bits,
                    "sha256": hashlib.sha256(z.read(info.filename)).hexdigest(),
                })
            return {"entries": entries, "testzip": z.testzip(), "error": None}
    except Exception as e:
        return {"entries": [], "testzip": None, "error": f"{type(e).__name__}: {e}"}


json.dump({path: describe(path) for path in sys.argv[1:]}, sys.stdout)
