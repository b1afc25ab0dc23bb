"""Judge one student output against an expected one, and say what differs in plain words.

Shapes that differ only by singleton dimensions ((1,) for a scalar, (1, D) or (D, 1) for a
(D,) vector) are accepted with a note; any other shape is wrong and named.
"""

import numpy as np

from grader.worker.codec import Opaque

RTOL, ATOL = 1e-5, 1e-7


class Verdict:
    """ok, plus the message for the student, an optional note about an accepted shape, and
    the kind of a failure (type, shape, nonfinite, value: the shape kind steers shrinking).
    `message` may be given as a function that writes it: most failures met while a failure
    is searched for and shrunk are never shown, and writing out arrays costs more than
    comparing them."""

    def __init__(self, ok, message="", note="", kind=""):
        self.ok, self._message, self.note, self.kind = ok, message, note, kind

    @property
    def message(self):
        if callable(self._message):
            self._message = self._message()
        return self._message


def fmt(value, width=60):
    """A compact, readable rendering of a value for feedback."""
    if isinstance(value, np.ndarray):
        if value.size > 40:
            return f"array of shape {value.shape}: " + np.array2string(
                value.ravel()[:8], precision=4, separator=", ")[:-1] + ", ...]"
        return np.array2string(value, precision=4, suppress_small=True, separator=", ",
                               max_line_width=width).replace("\n", "\n    ")
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)


REAL_KINDS = "biuf"   # bool, integers, floats: numbers the contract's real values can be


def as_array(value, size=None):
    """The value as a float array, or None when it is not real numeric data (complex, object
    and string arrays are not: casting would silently drop what makes them wrong).

    size: how many numbers the caller needs. A real array of another size comes back as it
    is: it is wrong whatever its numbers, and converting it could cost the grader 8 bytes a
    value (a 60 MB bool array is 480 MB of floats)."""
    if size is not None and isinstance(value, np.ndarray) and value.size != size \
            and value.dtype.kind in REAL_KINDS:
        return value
    if type(value) is np.ndarray and value.dtype == np.float64:
        return value   # what the general path returns for it, at a tenth of the cost
    if value is None or isinstance(value, (Opaque, str, bytes, dict)):
        return None
    try:
        with np.errstate(all="ignore"):
            raw = np.asarray(value)
            if raw.dtype.kind not in REAL_KINDS:
                return None
            return raw if raw.dtype == np.float64 else raw.astype(float)
    except (TypeError, ValueError, OverflowError):
        return None


def describe_type(value):
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return value.text
    if isinstance(value, np.ndarray):
        kind = _KIND_WORDS.get(value.dtype.kind)
        return (f"an array of shape {value.shape} and dtype {value.dtype}"
                + (f" ({kind})" if kind else ""))
    if isinstance(value, (complex, np.complexfloating)):
        return "a complex number"
    return f"a {type(value).__name__}"


_KIND_WORDS = {"c": "complex numbers", "O": "Python objects", "U": "text", "S": "bytes",
               "M": "dates", "m": "time spans", "V": "raw records"}


def compare(actual, expected, label, rtol=RTOL, atol=ATOL):
    """Compare `actual` with the reference's `expected` (an array or a float)."""
    expected = np.asarray(expected, dtype=float)
    arr = as_array(actual, expected.size)
    if arr is None:
        real = "a real number" if expected.shape == () else \
            f"an array of shape {expected.shape} of real numbers"
        return Verdict(False, f"{label} should be {real}, but your code returned "
                              f"{describe_type(actual)}.", kind="type")
    note = ""
    if arr.shape != expected.shape:
        if arr.size == expected.size and np.squeeze(arr).shape == np.squeeze(expected).shape:
            note = (f"{label} has shape {arr.shape} where {expected.shape} is expected; "
                    "accepted, since only singleton dimensions differ.")
            arr = arr.reshape(expected.shape)
        else:
            return Verdict(False, f"{label} has the wrong shape: expected {expected.shape}, "
                                  f"got {arr.shape}.", kind="shape")
    finite, expected_finite = bool(np.isfinite(arr).all()), bool(np.isfinite(expected).all())
    if not finite and expected_finite:
        bad = np.argwhere(~np.isfinite(arr))
        where = f" at index {tuple(int(i) for i in bad[0])}" if arr.ndim else ""
        return Verdict(False, f"{label} contains {fmt(arr[tuple(bad[0])] if arr.ndim else arr)}"
                              f"{where} (expected {fmt(expected)}): an overflow or a division by zero?",
                       kind="nonfinite")
    if _close(arr, expected, rtol, atol, finite=finite and expected_finite):
        return Verdict(True, note=note)

    def message():
        lines = [f"{label} does not match the expected value.",
                 f"  expected: {fmt(expected)}", f"  yours:    {fmt(arr)}"]
        if arr.ndim:
            worst = np.unravel_index(np.argmax(np.abs(arr - expected)), arr.shape)
            index = tuple(int(i) for i in worst)
            lines.append(f"  largest difference at index {index}: expected "
                         f"{fmt(expected[worst])}, got {fmt(arr[worst])}")
        return "\n".join(lines)
    return Verdict(False, message, note=note, kind="value")


def _close(arr, expected, rtol, atol, finite=None):
    """np.allclose(arr, expected, rtol, atol, equal_nan=True), with its formula written out
    for finite data (|a - e| <= atol + rtol |e|): the same answer at a fraction of the cost.
    finite: whether both are all finite, when the caller knows already."""
    if finite is None:
        finite = bool(np.isfinite(expected).all() and np.isfinite(arr).all())
    if finite:
        return bool((np.abs(arr - expected) <= atol + rtol * np.abs(expected)).all())
    return bool(np.allclose(arr, expected, rtol=rtol, atol=atol, equal_nan=True))


def matches(actual, expected):
    """True when compare() would accept actual (used to recognise known mistakes)."""
    with np.errstate(all="ignore"):
        exp = np.asarray(expected, dtype=float)
        arr = as_array(actual, exp.size)
        if arr is None:
            return False
        if arr.shape != exp.shape:
            if np.squeeze(arr).shape != np.squeeze(exp).shape:
                return False
            arr = arr.reshape(exp.shape)
        return _close(arr, exp, RTOL, ATOL)

