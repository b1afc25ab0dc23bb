"""Read a submission file into code cells, without running any of it.

Problems found here (empty file, binary file, syntax error, not a notebook) make the whole
submission score 0 with one clear sentence; nothing of the student's code runs for them.
"""

import ast
import codecs
import io
import tokenize
from pathlib import Path

from grader.submitted import Submission

MAX_BYTES = 5 * 1024 * 1024


def load(path) -> Submission:
    """The submission at `path` (.py here, .ipynb by grader.notebook) as code cells; what
    makes it ungradable is in `problems` (never raised). Reads at most MAX_BYTES + 1 bytes."""
    path = Path(path)
    if path.suffix == ".ipynb":
        from grader import notebook  # nbformat is slow to import: only when needed
        return notebook.load(path)
    submission = Submission(path=path, kind="py")
    data = path.read_bytes()[:MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        submission.problems.append(f"The file is larger than {MAX_BYTES // 2**20} MB; is it the right file?")
        return submission
    if b"\0" in data:
        submission.problems.append("This is not a Python source file (it contains binary data). "
                                   "Submit your word2vec.py.")
        return submission
    source, problem = decode(data)
    if problem:
        submission.problems.append(problem)
        return submission
    if source.startswith("\ufeff"):
        source = source[1:]
    if not source.strip():
        submission.problems.append("The file is empty: none of the functions could be graded.")
        return submission
    problem = syntax_problem(source, str(path))
    if problem:
        submission.problems.append(problem)
        return submission
    submission.cells.append({"source": source, "label": None, "filename": str(path)})
    return submission


def decode(data: bytes) -> tuple:
    """(text, None) for source bytes decoded as CPython would, or (None, a sentence).

    CPython reads a BOM or a PEP 263 coding line (`# -*- coding: latin-1 -*-`) in the first
    two lines, and UTF-8 otherwise; tokenize.detect_encoding applies exactly those rules.
    A file that still cannot be decoded is named by line, which an editor shows, not by byte.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # unknown codec, or a coding line that contradicts a BOM
        reason = _first_sentence(exc)
        if data.startswith(codecs.BOM_UTF8) and "unknown encoding" not in reason:
            reason = "it starts with a UTF-8 byte-order mark but its coding line names another encoding"
        return None, (f"Python cannot read your file: {reason}. Fix the coding line (or save "
                      "the file as UTF-8 without it) and submit again.")
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        name = codecs.lookup(encoding).name
        declared = "" if name == "utf-8" else ", the encoding its coding line declares"
        return None, (f"Line {line} of your file is not valid {name} text{declared}. Save the "
                      "file as UTF-8 (or fix its coding line) and submit again.")


def _first_sentence(exc):
    return str(getattr(exc, "msg", exc) or exc).rstrip(".").split("\n")[0][:200]


def syntax_problem(source, filename, where=""):
    """A sentence naming the syntax error and its line, or None when the code parses."""
    try:
        ast.parse(source, filename)
    except SyntaxError as exc:
        text = (exc.text or "").rstrip()
        pointer = f"\n    {text.strip()}" if text.strip() else ""
        # the exception's name is the term students search for (IndentationError, TabError too)
        return (f"Python cannot read your file{where}: {type(exc).__name__}: {exc.msg} on line "
                f"{exc.lineno}.{pointer}\n"
                "Fix this first: no function can be graded until the file parses.")
    except ValueError as exc:  # e.g. null bytes
        return f"Python cannot read your file{where}: {exc}."
    return None
