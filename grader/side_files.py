"""Exercise functions handed in as their own file next to word2vec.py (the registry's
`source_file`, e.g. sgd.py): found in the student's private copy and appended to the
submission's cells, so they load in the same worker after word2vec.py's code.

A notebook holds every function in its cells: nothing is added. A side file that cannot be
read (binary, syntax error) costs only its own function, with the sentence saying why.
"""

from grader import registry, submission as submission_mod


def label(fn: str) -> str:
    """The cell label a side file's code carries (its tracebacks say `cell sgd.py`)."""
    return registry.get(fn).source_file


def add(sub, functions) -> dict:
    """Append the side files of `functions` found next to `sub.path` to `sub.cells`; return
    {function: why it cannot be graded} for those missing or unreadable (a .py submission
    only; a link or anything but a regular file counts as missing)."""
    problems = {}
    if sub.kind != "py":
        return problems
    for fn in functions:
        name = registry.get(fn).source_file
        if name == "word2vec.py" or name == sub.path.name:
            continue
        path = sub.path.parent / name
        if path.is_symlink() or not path.is_file():
            problems[fn] = f"no {name} was handed in next to {_shown(sub.path.name)}"
            continue
        side = submission_mod.load(path)
        if side.problems:
            problems[fn] = f"{name} could not be read: {side.problems[0].splitlines()[0]}"
            continue
        sub.cells.extend(dict(cell, label=name) for cell in side.cells)
    return problems


def _shown(name):
    clean = "".join(ch for ch in name if ch.isprintable())[:80]
    return clean or "word2vec.py"
