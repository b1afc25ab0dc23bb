"""Read a Jupyter notebook submission into code cells, without running any of it.

Only the standard library is used: `import nbformat` costs about a second, and grading needs
none of its schema machinery, just each code cell's text. The checks below are the ones that
matter for reading the code (JSON, format 4, a list of cells with text sources); everything
else a front end saves (outputs, attachments, widget state, Colab's metadata) is ignored, so
notebooks from Jupyter, JupyterLab and Colab (nbformat 4.0 to 4.5) all load.

Each code cell becomes one cell for the worker, run in order. IPython syntax that is not
Python is blanked out line by line (kept as `pass` so line numbers stay the cell's own):
line magics (`%matplotlib inline`), shell escapes (`!pip install ...`, `files = !ls`), help
(`np.sum?`) and the `get_ipython()` calls nbconvert writes for them. A cell magic whose body is
Python (`%%time`) runs its body; any other cell magic (`%%bash`, `%%writefile`) skips the cell.
A cell Python cannot read is skipped with a note; the others still run. The worker runs each
cell statement by statement (grader/worker/loading.py), so a failing import skips only itself.
"""

import ast
import json
import re
from pathlib import Path

from grader.submitted import Submission

MAX_BYTES = 50 * 1024 * 1024   # images in outputs make notebooks far larger than .py files
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
_MAGIC_LINE = re.compile(r"""\s*(?:[\w.,\[\]()\s]+=\s*)?[%!]     # %magic, !shell, x = !shell
                             |\s*\?{1,2}[\w.]                     # ?name
                             |.*[\w.)\]]\?{1,2}\s*$               # name?  name??
                          """, re.VERBOSE)


class NotebookError(Exception):
    """The file is not a notebook we can read; the message says why, for the student."""


def read(path):
    """The notebook as a dict (JSON as saved), or NotebookError with the reason."""
    data = Path(path).read_bytes()[:MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        raise NotebookError(f"it is larger than {MAX_BYTES // 2**20} MB (clear the outputs: "
                            "Edit > Clear All Outputs, then save)")
    if not data.strip():
        raise NotebookError("the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1   # a line is what an editor shows
        raise NotebookError(f"it is not UTF-8 text (line {line}); notebooks are always saved "
                            "as UTF-8, so it was probably changed by another program") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text[exc.pos:].strip() or exc.msg.startswith("Unterminated string"):
            raise NotebookError("the file ends in the middle of the notebook: it looks cut off "
                                "(was it saved or uploaded completely?)") from None
        raise NotebookError(f"it is not JSON ({exc.msg} on line {exc.lineno}, "
                            f"column {exc.colno})") from None
    if not isinstance(nb, dict) or "cells" not in nb and "worksheets" not in nb:
        raise NotebookError("it is JSON, but not a notebook (there is no list of cells)")
    version = nb.get("nbformat")
    if version != 4:
        if isinstance(version, int) and version < 4:
            raise NotebookError(f"it uses the old notebook format {version}: open it in "
                                "Jupyter and save it again to upgrade it")
        raise NotebookError(f"notebook format {version!r} is not supported (format 4 is)")
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("its `cells` entry is not a list")
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"cell {number} has no cell type")
        if cell["cell_type"] == "code" and source_text(cell) is None:
            raise NotebookError(f"cell {number}'s source is not text")
    return nb


def source_text(cell):
    """A cell's source as one string (saved either as a string or a list of lines)."""
    source = cell.get("source", "")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return None


def code_cells(nb):
    """[(cell number counting every cell from 1, source)] for the notebook's code cells."""
    return [(number, source_text(cell)) for number, cell in enumerate(nb["cells"], 1)
            if cell["cell_type"] == "code"]


def python_source(source):
    """The cell as plain Python with IPython-only lines blanked, or None for a non-Python cell.

    Raises SyntaxError when the cell is not valid Python for another reason. A line is only
    treated as IPython syntax where the parser rejects it, so a docstring line that happens to
    start with `%` or `!` is left alone.
    """
    lines = source.replace("\r\n", "\n").split("\n")
    if lines[0].startswith("%%"):
        magic = lines[0][2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = ""
    while True:
        code = "\n".join(lines)
        try:
            tree = ast.parse(code)
            break
        except SyntaxError as exc:
            n = (exc.lineno or 0) - 1
            if not (0 <= n < len(lines) and _MAGIC_LINE.match(lines[n])):
                raise
            end = n + 1
            while lines[end - 1].endswith("\\") and end < len(lines):   # continued shell line
                end += 1
            _blank(lines, n, end)
    ipython_calls = [node for node in ast.walk(tree)
                     if isinstance(node, ast.Expr) and _calls_get_ipython(node.value)]
    for node in ipython_calls:
        _blank(lines, node.lineno - 1, node.end_lineno)
    return "\n".join(lines) + "\n" if ipython_calls else code


def _blank(lines, start, end):
    """Replace lines[start:end] with `pass` at the first line's indentation (same line count)."""
    indent = lines[start][:len(lines[start]) - len(lines[start].lstrip())]
    lines[start:end] = [indent + "pass"] + [""] * (end - start - 1)


def _calls_get_ipython(node):
    """True for `get_ipython().anything(...)` (how nbconvert writes magics as Python)."""
    while isinstance(node, (ast.Call, ast.Attribute)):
        node = node.func if isinstance(node, ast.Call) else node.value
        if isinstance(node, ast.Name):
            return node.id == "get_ipython"
    return False


def defined_functions(code):
    """Names of the functions a cell defines at its top level (in `if`/`try` blocks too)."""
    names, todo = [], list(ast.parse(code).body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif not isinstance(node, ast.ClassDef):
            todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return names


def first_line(source):
    """The cell's first non-blank line, short enough to quote."""
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def load(path):
    """A Submission with one cell per runnable code cell (problems if it cannot be read).

    Each cell is {"source", "label", "filename", "first_line"}: the label is the cell's number
    counting every cell from 1 (what a student counts scrolling down), and the first line names
    the cell in notes, as Jupyter shows no numbers.
    """
    path = Path(path)
    submission = Submission(path=path, kind="ipynb")
    try:
        nb = read(path)
    except NotebookError as exc:
        submission.problems.append(f"This is not a valid notebook: {exc}.")
        return submission
    cells = code_cells(nb)
    for number, source in cells:
        if not source.strip():
            continue
        try:
            code = python_source(source)
        except SyntaxError as exc:
            submission.notes.append(_syntax_note(number, source, exc))
            continue
        except (ValueError, RecursionError) as exc:   # null bytes, absurd nesting
            submission.notes.append(f"Cell {number} (`{first_line(source)}`) was skipped: "
                                    f"Python cannot read it ({exc}).")
            continue
        if code is not None:
            submission.cells.append({"source": code, "label": str(number),
                                     "filename": f"{path.name}, cell {number}",
                                     "first_line": first_line(source)})
    if not submission.cells:
        submission.problems.append("The notebook has no code cells that Python can run: "
                                   "none of the functions could be graded."
                                   if not submission.notes else
                                   "No code cell of the notebook could be read: none of the "
                                   "functions could be graded.")
    return submission


def _syntax_note(number, source, exc):
    defines = re.findall(r"^def\s+(\w+)", source, re.MULTILINE)
    text = (exc.text or "").strip()
    note = (f"Cell {number} (`{first_line(source)}`) was skipped: Python cannot read it "
            f"({exc.msg} on line {exc.lineno}" + (f": `{text}`" if text else "") + ").")
    if defines:
        note += f" It defines {', '.join(defines)}: fix the cell so that definition counts."
    return note + " The other cells ran."


def _short(text, limit=100):
    """A statement quoted from the worker's answer: printable text of bounded length."""
    if not isinstance(text, str):
        return None
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def cell_problem(error, cells):
    """One sentence for a statement (or cell) that raised while the notebook was run.

    The worker runs a cell one top-level statement at a time: a failing statement is skipped
    and the rest of its cell still runs, so the note names the cell and that statement.
    """
    label = error.get("cell")
    cell = next((c for c in cells if c["label"] == label), {})
    where = f"Cell {label} (`{cell.get('first_line', '')}`)" if cell else "A cell"
    line = f" on line {error['lineno']}" if error.get("lineno") else ""
    kind, message = error.get("type", "Error"), error.get("message", "")
    if kind in ("ModuleNotFoundError", "ImportError") and error.get("name"):
        what = (f"imports `{error['name']}`{line}, which is not available when grading (only "
                "numpy, the standard library and the course's utils are)")
    else:
        what = f"raised {kind}{line}: {message}"
        inner = [w for w in error.get("where") or [] if not w.startswith(f"cell {label}, ")]
        if inner:
            what += " (in " + "; ".join(inner[-2:]) + ")"
        from grader.checks.framework import process_refused
        if process_refused(kind, message, [*(error.get("where") or []),
                                           str(error.get("statement") or "")]):
            what += " (grading does not let your code start other processes)"
    statement = _short(error.get("statement"))
    if statement is None:
        return (f"{where} {what}. The rest of that cell was skipped; the cells after it ran, "
                "and the functions they define were graded.")
    then = [f"`{_short(t)}`" for t in list(error.get("then_skipped") or [])[:3]]
    one = len(then) == 1
    also = (f"; so {'was' if one else 'were'} {', '.join(then)}, which "
            f"need{'s' if one else ''} what it defines" if then else "")
    return (f"{where} {what}. Only that statement (`{statement}`) was skipped{also}: the rest "
            "of the cell and the cells after it ran, and the functions they define were graded.")
