"""Message framing between the grader and its worker: JSON headers plus raw .npy blobs.

A message is   [4-byte header length][header JSON][per blob: 8-byte length][.npy bytes] ...
Arrays inside the header are replaced by {"$nd": i}, the index of their blob. Nothing is
pickled: np.load(allow_pickle=False) refuses object arrays, so a hostile worker cannot make
the grader run code by what it sends back.
"""

import io
import json
import os
import struct

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed message."""


def encode(obj):
    """Turn a JSON-like object holding numpy arrays into the bytes of one message."""
    blobs = []
    header = json.dumps(_pack(obj, blobs), allow_nan=True).encode()
    parts = [struct.pack("<I", len(header)), header]
    for blob in blobs:
        parts.append(struct.pack("<Q", len(blob)))
        parts.append(blob)
    return b"".join(parts)


def decode(data):
    """Inverse of encode() for one whole message."""
    try:
        (hlen,) = struct.unpack_from("<I", data, 0)
        header = json.loads(data[4:4 + hlen])
        pos, blobs = 4 + hlen, []
        while pos < len(data):
            (blen,) = struct.unpack_from("<Q", data, pos)
            blobs.append(data[pos + 8:pos + 8 + blen])
            pos += 8 + blen
        return _unpack(header, blobs)
    except (ValueError, struct.error, KeyError, IndexError, TypeError) as exc:
        raise ProtocolError(f"malformed message: {exc}") from None


def frame(payload):
    """Prefix a message with its total length, for writing to a pipe."""
    return struct.pack("<Q", len(payload)) + payload


def write_message(fd, obj):
    data = frame(encode(obj))
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exactly(fd, n):
    chunks, remaining = [], n
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd):
    (length,) = struct.unpack("<Q", read_exactly(fd, 8))
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes is over the limit")
    return decode(read_exactly(fd, length))


def _array_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _pack(obj, blobs):
    if isinstance(obj, np.ndarray) or isinstance(obj, np.generic):
        arr = np.asarray(obj)
        if arr.dtype.hasobject:
            return {"$repr": describe(obj)}
        blobs.append(_array_bytes(arr))
        return {"$nd": len(blobs) - 1}
    if isinstance(obj, dict):
        return {str(k): _pack(v, blobs) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return {"$tuple": [_pack(v, blobs) for v in obj]}
    if isinstance(obj, list):
        return [_pack(v, blobs) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        if isinstance(obj, int) and not isinstance(obj, bool) and abs(obj) >= 2 ** 63:
            return {"$repr": describe(obj)}
        return obj
    return {"$repr": describe(obj)}


def _unpack(obj, blobs):
    if isinstance(obj, dict):
        if "$nd" in obj:
            return np.load(io.BytesIO(blobs[obj["$nd"]]), allow_pickle=False)
        if "$tuple" in obj:
            return tuple(_unpack(v, blobs) for v in obj["$tuple"])
        if "$repr" in obj:
            return Opaque(str(obj["$repr"]))
        return {k: _unpack(v, blobs) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unpack(v, blobs) for v in obj]
    return obj


class Opaque:
    """A value the worker could not send as data (a string describing it instead)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.text == self.text


def describe(obj, limit=200):
    """A short, safe description of an arbitrary object."""
    try:
        text = f"<{type(obj).__name__}: {repr(obj)}>"
    except Exception:  # a student's __repr__ may raise
        text = f"<{type(obj).__name__}>"
    return text if len(text) <= limit else text[:limit - 4] + "...>"
