#!/usr/bin/python3
"""Writes golden/tiny.safetensors with the standard library only (struct, json), as an independent
implementation of the format to check Temper's reader against. Run with /usr/bin/python3:

    /usr/bin/python3 tests/core/tensor_io/make_golden.py [--out PATH]

The values are exactly representable in their dtypes; tensor_io_test.cpp checks them one by one.
The header lists tensors alphabetically while the data is laid out largest element first, so a
reader that assumes header order == data order fails.
"""
import argparse
import json
import os
import struct


def bf16_bytes(values):
    # bfloat16 is the upper half of an IEEE float32; the values chosen need no rounding.
    out = b""
    for v in values:
        bits = struct.unpack("<I", struct.pack("<f", v))[0]
        assert bits & 0xFFFF == 0, f"{v} is not exact in bfloat16"
        out += struct.pack("<H", bits >> 16)
    return out


# (name, dtype, shape, data bytes), in data order.
TENSORS = [
    ("d_i64", "I64", [3], struct.pack("<3q", 0, -1, 2**40 + 7)),
    ("a_f32", "F32", [2, 3], struct.pack("<6f", 0.0, 1.5, -2.25, 3.0, 100.125, -0.5)),
    ("e_scalar", "F32", [], struct.pack("<f", 42.5)),
    ("g_i32", "I32", [2], struct.pack("<2i", -7, 2147483647)),
    ("b_f16", "F16", [4], struct.pack("<4e", 1.0, -2.5, 0.5, 65504.0)),
    ("c_bf16", "BF16", [2, 2], bf16_bytes([1.0, -2.0, 3.140625, 262144.0])),
    ("h_u8", "U8", [3], bytes([0, 128, 255])),
    ("i_bool", "BOOL", [3], bytes([1, 0, 1])),
    ("f_empty", "F32", [0, 3], b""),
]


def build():
    header = {"__metadata__": {"format": "pt", "source": "make_golden.py"}}
    data = b""
    for name, dtype, shape, raw in TENSORS:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def main():
    parser = argparse.ArgumentParser()
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "tiny.safetensors")
    parser.add_argument("--out", default=default)
    args = parser.parse_args()
    with open(args.out, "wb") as f:
        f.write(build())
    print(args.out)


if __name__ == "__main__":
    main()
