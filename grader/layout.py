"""Recognise code written for vectors stored as columns, and explain the contract's layout.

A file written for a (D, V) layout (one word per column) fails every check with the same numpy
shape error; the student needs one explanation of the layout, not the error nine times.
"""

import re

from grader import registry

SHAPE_ERRORS = re.compile(r"mismatch in its core dimension|shapes \(.*\) and \(.*\) not aligned"
                          r"|could not be broadcast|cannot reshape|size \d+ is different from")

# The (V, D) layout in each function's terms is declared with the function (grader.registry).
LAYOUT = {f.name: f.layout for f in registry.FUNCTIONS if f.layout}


def layout_hint(function: str, error: str) -> str:
    """A paragraph explaining the contract's layout when `error` (the feedback of a check that
    raised) is a numpy shape error in one of the functions taking (V, D) arrays; else ""."""
    if function not in LAYOUT:
        return ""
    quoted = [line.split(": ", 1)[1] for line in error.splitlines()[1:]
              if line.startswith("    ") and ": " in line]
    columns = any(re.search(r"(outsideVectors|centerWordVectors|Vectors)\.T\b|\[\s*:\s*,", q)
                  for q in quoted)
    # a named mistake (K ignored, say) already explains a shape error better than the layout
    shape_error = ("raised ValueError" in error and SHAPE_ERRORS.search(error)
                   and "Likely mistake:" not in error)
    column_index = "raised IndexError" in error and "axis 1" in error and columns
    if not (shape_error or column_index):
        return ""
    where = f" Your line `{quoted[-1].strip()[:120]}`" if quoted else " Your code"
    assumed = (" treats the vectors as columns, a (D, V) layout." if columns else
               " combines arrays whose shapes do not fit this layout.")
    return (f"Layout: in this exercise every word vector is a row: {LAYOUT[function]}."
            f"{where}{assumed}")


# `outsideVectors @ delta`, `np.dot(outsideVectors, delta)`: U where U-transpose is meant
_UNTRANSPOSED = re.compile(r"(?<![\w.])outsideVectors\s*@|np\.dot\(\s*outsideVectors\s*,|"
                           r"np\.matmul\(\s*outsideVectors\s*,")


def transpose_hint(function: str, error: str) -> str:
    """A paragraph naming the U vs U-transpose mix-up when `error` is a numpy shape error on a
    line multiplying outsideVectors (V, D) from the left with a vector of length V; else ""."""
    if function not in ("naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient"):
        return ""
    if not ("raised ValueError" in error and SHAPE_ERRORS.search(error)):
        return ""
    quoted = [line.split(": ", 1)[1] for line in error.splitlines()[1:]
              if line.startswith("    ") and ": " in line]
    line = next((q.strip() for q in reversed(quoted) if _UNTRANSPOSED.search(q)), "")
    if not line or re.search(r"outsideVectors\s*@\s*centerWordVec", line):
        return ""
    return (f"U vs U-transpose: your line `{line[:120]}` multiplies outsideVectors, shape "
            "(V, D), by a vector; outsideVectors is the handout's U transposed. The handout's "
            "U (y_hat - y) sums over the V words: check whether your product needs U or "
            "U-transpose, that is outsideVectors.T or outsideVectors.")
