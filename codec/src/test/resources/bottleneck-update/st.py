"""Minimal safetensors writer shared by the generators here (numpy arrays: float32, int32, uint8)."""
import json
import struct

import numpy as np

DTYPES = {np.float32: "F32", np.int32: "I32", np.uint8: "U8"}


def write(path, arrays, metadata=None):
    header, blobs, offset = ({"__metadata__": metadata} if metadata else {}), [], 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        b = a.tobytes()
        header[name] = {"dtype": DTYPES[a.dtype.type], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
