"""Message framing between the grader and its worker: JSON headers plus raw array blobs.

A message is   [4-byte header length][header JSON][per blob: 8-byte length][blob bytes] ...
Arrays inside the header are replaced by {"$nd": i, "dtype": "<f8", "shape": [...]}, the
index of their blob holding the raw C-order bytes (numbers and booleans only: reading them back
is one copy). Other dtypes (strings, dates, records, objects) travel as a short description
({"$repr": text}). Nothing is pickled and no .npy header is parsed: the raw form accepts only
numeric dtype names whose size matches the blob, so a hostile worker cannot make the grader
run code by what it sends back. Answers are bounded too (MAX_ANSWER_BYTES, MAX_HEADER_BYTES,
MAX_DEPTH, MAX_NODES, MAX_ARRAY_VALUES): the grader expects small dicts and arrays of
generated sizes.
"""

import json
import os
import struct

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024   # a request (from the trusted grader)
# An answer from the worker, read by the grader: bounded by what the grader asks for (batches
# of ~256 calls on small generated inputs, whose arrays travel as blobs): the JSON part holds
# only small dicts, so it gets a tighter bound, and its nesting and number of values too.
MAX_ANSWER_BYTES = 64 * 1024 * 1024   # ~8 MB seen (efficiency inputs)
MAX_HEADER_BYTES = 1024 * 1024   # ~27 KB seen grading a correct file
MAX_DEPTH = 24
MAX_NODES = 100_000
# Values per array: the exercise's largest is V x D = 1,000,000 (an efficiency size). Every
# check's work on an array grows with it (a 60 MB bool array is 480 MB as floats).
MAX_ARRAY_VALUES = 4_000_000


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
        if hlen > MAX_HEADER_BYTES:
            raise ProtocolError(f"message header of {hlen} bytes is over the limit")
        header = json.loads(data[4:4 + hlen])
        pos, blobs = 4 + hlen, []
        while pos < len(data):
            (blen,) = struct.unpack_from("<Q", data, pos)
            if pos + 8 + blen > len(data):
                raise ValueError("blob runs past the end of the message")
            blobs.append(data[pos + 8:pos + 8 + blen])
            pos += 8 + blen
        # One walk both checks the bounds (depth, number of values) and rebuilds the
        # message; it stops at the first value over a bound, so a hostile header costs at
        # most MAX_NODES steps and MAX_DEPTH levels of recursion.
        return _unpack(header, blobs, 0, [MAX_NODES])
    except (ValueError, struct.error, KeyError, IndexError, TypeError, RecursionError,
            MemoryError) as exc:
        raise ProtocolError(f"malformed message: {type(exc).__name__}: {str(exc)[:200]}") from None


def _check_shape(header):  # kept for callers that check a header without decoding it
    """ProtocolError unless the header nests at most MAX_DEPTH deep with MAX_NODES values."""
    stack, count = [(header, 0)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            raise ProtocolError("message nests too deep or holds too many values")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def frame(payload):
    """Prefix a message with its total length, for writing to a pipe."""
    return struct.pack("<Q", len(payload)) + payload


def write_message(fd, obj):
    data = frame(encode(obj))
    if len(data) > PIPE_BYTES // 4:
        _widen_pipe(fd)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


PIPE_BYTES = 1 << 20  # Linux lets anyone widen a pipe to 1 MiB (fs.pipe-max-size)


def _widen_pipe(fd):
    """Let a big message cross in a few hops, not one per 64 KiB (each a context switch)."""
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass  # not Linux, not a pipe, or over the limit: the default size still works


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


RAW_KINDS = "biufc"   # bool, signed, unsigned, float, complex
_DTYPES = {}          # dtype names already checked (only allowed ones are kept)


def _raw_array(spec, blob):
    """The writable array a raw blob describes; ValueError if the description does not fit."""
    dtype_name, shape = spec.get("dtype"), spec.get("shape")
    if not isinstance(dtype_name, str) or not isinstance(shape, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise ValueError("bad array description")
    dtype = _DTYPES.get(dtype_name)
    if dtype is None:
        dtype = np.dtype(dtype_name)
        if dtype.kind not in RAW_KINDS or dtype.fields or dtype.hasobject:
            raise ValueError(f"array dtype {dtype_name!r} not allowed")
        if len(_DTYPES) < 64:
            _DTYPES[dtype_name] = dtype
    count = 1
    for n in shape:
        count *= n
    if count > MAX_ARRAY_VALUES:
        raise ProtocolError(f"an array of {count:,} values came back, and the grader reads at "
                            f"most {MAX_ARRAY_VALUES:,} (the exercise's largest has 1,000,000)")
    if count * dtype.itemsize != len(blob):
        raise ValueError("array size does not match its data")
    return np.frombuffer(blob, dtype=dtype).reshape(shape).copy()


def _pack(obj, blobs):
    kind = type(obj)   # exact builtin types first: most values of a message are these
    if kind is float or kind is str or kind is bool or obj is None:
        return obj
    if kind is int:
        return obj if -2 ** 63 < obj < 2 ** 63 else {"$repr": describe(obj)}
    if kind is list:
        return [_pack(v, blobs) for v in obj]
    if kind is dict:
        return {(k if type(k) is str else str(k)): _pack(v, blobs) for k, v in obj.items()}
    if isinstance(obj, np.ndarray) or isinstance(obj, np.generic):
        arr = np.asarray(obj)
        if arr.dtype.hasobject:
            return {"$repr": describe(obj)}
        if arr.dtype.kind in RAW_KINDS and not arr.dtype.fields:
            blobs.append(np.ascontiguousarray(arr).tobytes())
            return {"$nd": len(blobs) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape)}
        # Strings, dates, records: no check expects them; a description is all that crosses
        # (the reader parses typed raw bytes only, never a .npy header).
        return {"$repr": describe(obj)}
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


def _unpack(obj, blobs, depth, budget):
    """`obj` rebuilt (arrays from their blobs, tuples, descriptions); ProtocolError past
    MAX_DEPTH levels or once `budget[0]` values are used up (counted as _check_shape does)."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise ProtocolError("message nests too deep or holds too many values")
    kind = type(obj)
    if kind is list:
        return [_unpack(v, blobs, depth + 1, budget) for v in obj]
    if kind is not dict:
        return obj
    if "$nd" in obj:
        shape = obj.get("shape")
        budget[0] -= len(obj) + (len(shape) if type(shape) is list else 0)
        return _raw_array(obj, blobs[obj["$nd"]])
    if "$tuple" in obj:
        budget[0] -= 1
        items = obj["$tuple"]
        if type(items) is not list:
            return tuple(_unpack(v, blobs, depth + 2, budget) for v in items)
        return tuple([_unpack(v, blobs, depth + 2, budget) for v in items])
    if "$repr" in obj:
        budget[0] -= 1
        if type(obj["$repr"]) is not str:
            raise ValueError("a description that is not text")
        return Opaque(obj["$repr"])
    return {k: _unpack(v, blobs, depth + 1, budget) for k, v in obj.items()}


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
