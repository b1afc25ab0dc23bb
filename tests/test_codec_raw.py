"""Numeric arrays cross the pipe as raw bytes with a dtype name: exact, writable, and nothing
but plain numbers is accepted in that form."""

import json
import struct

import numpy as np
import pytest

from grader.worker import codec


@pytest.mark.parametrize("value", [
    np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    np.arange(10)[::3], np.zeros((0, 4)), np.array(True), np.float32(1.5),
    np.array([1 + 2j]), np.array([2**40], dtype=np.uint64)])
def test_arrays_come_back_equal_and_writable(value):
    back = codec.decode(codec.encode({"v": value}))["v"]
    expected = np.asarray(value)
    assert back.dtype == expected.dtype and back.shape == expected.shape
    np.testing.assert_array_equal(back, expected)
    assert back.flags.writeable


def _forged(spec, blob):
    header = json.dumps({"v": spec}).encode()
    return struct.pack("<I", len(header)) + header + struct.pack("<Q", len(blob)) + blob


@pytest.mark.parametrize("spec, blob", [
    ({"$nd": 0, "dtype": "|O", "shape": [1]}, b"\0" * 8),          # object pointers
    ({"$nd": 0, "dtype": "<f8", "shape": [3]}, b"\0" * 8),         # too little data
    ({"$nd": 0, "dtype": "<f8", "shape": [-1]}, b"\0" * 8),        # nonsense shape
    ({"$nd": 0, "dtype": [["a", "<f8"]], "shape": [1]}, b"\0" * 8),  # records
])
def test_forged_raw_arrays_are_refused(spec, blob):
    with pytest.raises(codec.ProtocolError):
        codec.decode(_forged(spec, blob))
