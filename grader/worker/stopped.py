"""Where a call stopped at its time limit was, said the same way on every run.

The soft deadline interrupts the student's code wherever it happens to be: an endless
`while` loop of two lines was reported at its first line in one grading and its second in
the next, so the same file got different feedback. A stopped frame's line is therefore moved
to the header of the innermost loop around it in its own function: the loop that did not
end in time, whichever of its lines was running (an endless loop inside another keeps the
outer one's lines from ever running). Lines in no loop stay as they are.
"""

import ast
import linecache

_parsed = {}   # filename -> (loops, functions) of its source, or None
# Parsed after the soft deadline, before the hard one (~0.3 s later): a larger source (data
# pasted into the file) keeps its line rather than risk the worker's being killed meanwhile.
MAX_SOURCE_CHARS = 512 * 1024


def loop_header(filename: str, lineno: int) -> "tuple[int, int] | None":
    """(first, last line) of the header of the innermost loop (for, while) around `lineno`
    within the innermost function holding it, in the source linecache has for `filename`
    (a cell's or a file's); None when the line is in no loop or the source does not parse."""
    if filename not in _parsed:
        _parsed[filename] = _parse(filename)
    if _parsed[filename] is None:
        return None
    loops, functions = _parsed[filename]
    holding = [node for node in functions if node.lineno <= lineno <= node.end_lineno]
    owner = max(holding, key=lambda node: node.lineno) if holding else None
    around = [(first, end) for first, last, end, function in loops
              if function is owner and first <= lineno <= last]
    return max(around) if around else None


def _parse(filename):
    """([(first line, last line, header's last line, function or None)] of every loop,
    [every function]) of the source, or None when it does not parse."""
    loops, functions = [], []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                functions.append(child)
                visit(child, child)
                continue
            if isinstance(child, (ast.For, ast.AsyncFor, ast.While)):
                head = child.test if isinstance(child, ast.While) else child.iter
                loops.append((child.lineno, child.end_lineno,
                              max(child.lineno, getattr(head, "end_lineno", child.lineno)),
                              function))
            visit(child, function)
    source = "".join(linecache.getlines(filename))
    if len(source) > MAX_SOURCE_CHARS:
        return None
    try:
        visit(ast.parse(source, filename), None)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return loops, functions
