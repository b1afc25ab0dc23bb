"""Where a call stopped at its time limit was, said the same way on every run.

The soft deadline interrupts the student's code wherever it happens to be: an endless
`while` loop of two lines was reported at its first line in one grading and its second in
the next, so the same file got different feedback. A stopped frame's line is therefore moved
to the header of the innermost loop around it in its own function (its `else:` block is
not the loop): the loop that did not end in time, whichever of its lines was running (an
endless loop inside another keeps the outer one's lines from ever running). Lines in no
loop stay as they are.
"""

import ast
import linecache

_parsed = {}   # filename -> {function's first line (None: the top level): [loop]}, or None
# Parsed after the soft deadline, before the hard one (~0.3 s later, less on a busy machine):
# ~0.35 ms per KB. A larger source (data pasted into the file) keeps its line rather than
# risk the worker's being killed meanwhile (a reviewer's 513 KB file was).
MAX_SOURCE_CHARS = 128 * 1024
# Frames that belong to the statement that made them: a time-out inside one is said at that
# statement's frame (which of the two was running varied from run to run).
INLINE = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>", "<lambda>"})


def loop_header(filename: str, lineno: int, first_line: "int | None"
                ) -> "tuple[int, int] | None":
    """(first, last line) of the header of the innermost loop (for, while) around `lineno`
    in the function whose code starts at `first_line` (its first decorator's line, as
    code.co_firstlineno gives it; None: the file's or cell's top level), in the source
    linecache has for `filename`; None when the line is in none of its loops, or the source
    is not parsed (too long, or not Python)."""
    if filename not in _parsed:
        _parsed[filename] = _parse(filename)
    loops = (_parsed[filename] or {}).get(first_line, ())
    around = [(first, end) for first, last, end in loops if first <= lineno <= last]
    return max(around) if around else None


def _parse(filename):
    """{first line of each function and class (None: the top level): [(first line, last
    line of its body, last line of its header) of each loop directly in it]}, or None.
    Only statements are walked (a pasted list of numbers is one node)."""
    source = "".join(linecache.getlines(filename))
    if len(source) > MAX_SOURCE_CHARS:
        return None
    owners = {}

    def visit(statements, owner):
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                visit(node.body, first)
                continue
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                head = node.test if isinstance(node, ast.While) else node.iter
                owners.setdefault(owner, []).append(
                    (node.lineno, node.body[-1].end_lineno,
                     max(node.lineno, getattr(head, "end_lineno", node.lineno))))
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit([n for n in inner if isinstance(n, ast.AST)], owner)
    try:
        visit(ast.parse(source, filename).body, None)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return owners
