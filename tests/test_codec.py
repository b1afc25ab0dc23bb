"""The process boundary carries data only: numeric arrays as typed raw bytes, never pickles."""

import numpy as np
import pytest

from grader.worker import codec


def test_round_trip_keeps_arrays_tuples_and_scalars():
    message = {"value": (np.arange(6.0).reshape(2, 3), 1.5, np.float64(2.0), [1, "a", None]),
               "flag": True}
    back = codec.decode(codec.encode(message))
    assert isinstance(back["value"], tuple)
    np.testing.assert_array_equal(back["value"][0], np.arange(6.0).reshape(2, 3))
    assert back["value"][1] == 1.5 and float(back["value"][2]) == 2.0
    assert back["value"][3] == [1, "a", None] and back["flag"] is True


def test_objects_that_are_not_data_travel_as_descriptions():
    class Sneaky:
        def __reduce__(self):
            raise AssertionError("must never be pickled")

    back = codec.decode(codec.encode({"v": Sneaky(), "o": np.array([Sneaky()], dtype=object)}))
    assert isinstance(back["v"], codec.Opaque) and "Sneaky" in back["v"].text
    assert isinstance(back["o"], codec.Opaque)


def test_malformed_messages_raise_protocol_error():
    with pytest.raises(codec.ProtocolError):
        codec.decode(b"\x05\x00\x00\x00{bad}")
    with pytest.raises(codec.ProtocolError):
        codec.decode(codec.encode({"a": {"$nd": 3}}))


def test_a_pickled_array_in_a_blob_is_refused():
    import io
    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    data = codec.encode({"a": np.zeros(1)})
    header_len = int.from_bytes(data[:4], "little")
    forged = data[:4 + header_len] + len(buf.getvalue()).to_bytes(8, "little") + buf.getvalue()
    with pytest.raises(codec.ProtocolError):
        codec.decode(forged)


def test_non_numeric_arrays_cross_only_as_descriptions_and_npy_is_refused():
    back = codec.decode(codec.encode({"s": np.array(["a", "b"]), "d": np.array(["2020"], "M8[D]")}))
    assert isinstance(back["s"], codec.Opaque) and "'a'" in back["s"].text
    assert isinstance(back["d"], codec.Opaque)
    # a .npy blob (a header numpy would parse) is never read: the marker is plain data
    forged = codec.decode(codec.encode({"a": {"$npy": 0}}) + (4).to_bytes(8, "little") + b"\x93NUM")
    assert forged == {"a": {"$npy": 0}}


@pytest.mark.parametrize("header", [b"[" * 2000 + b"]" * 2000, b"[" + b"[]," * 200_000 + b"[]]",
                                    b"[" + b" " * (codec.MAX_HEADER_BYTES + 1) + b"]"])
def test_deep_wide_or_large_headers_are_refused(header):
    with pytest.raises(codec.ProtocolError):
        codec.decode(len(header).to_bytes(4, "little") + header)


def test_an_array_larger_than_any_the_exercise_makes_is_refused_before_it_is_copied():
    """Every check's work on an array grows with it: a 60 MB bool array made the grader hold
    gigabytes once converted and summed. The largest the exercise makes has V x D = 1M."""
    fits = np.zeros(codec.MAX_ARRAY_VALUES, dtype=bool)
    assert codec.decode(codec.encode({"v": fits}))["v"].shape == fits.shape
    with pytest.raises(codec.ProtocolError, match="an array of 4,000,001 values came back"):
        codec.decode(codec.encode({"v": np.zeros(codec.MAX_ARRAY_VALUES + 1, dtype=bool)}))
