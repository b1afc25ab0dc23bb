"""Code that is no evidence of copying, as k-gram hashes: the kit's stubs and provided helpers
(the .py and the notebook), the course's original stubs and the canonical forms of the
exercise's solutions (grader/batch/canonical_code.py).

Every k-gram of these texts is boilerplate, not just their fingerprints, so a student's code
that runs into or out of starter code loses exactly the starter part, whatever its first
statement (`raise NotImplementedError`, `### YOUR CODE HERE`, `s = None`).
"""

import ast
import json
import re
import textwrap
from functools import lru_cache
from pathlib import Path

import numpy as np

from grader import notebook
from grader.batch import fingerprint

CANONICAL = Path(__file__).resolve().parent / "canonical_code.py"


def sources():
    """[(what, source)] of every boilerplate text that exists in this checkout."""
    canonical = CANONICAL.read_text(encoding="utf-8")
    out = [("canonical forms", canonical)]
    # Built from the reference, never read from exercises/: the instructor may have done the
    # exercise in place there, and their solution must not count as starter code.
    # Both hint levels: a class may have started from either handout.
    from grader.build.stubs import stub_text
    from grader.rubric import HINT_LEVELS
    for level in HINT_LEVELS:
        kit_stub = stub_text(level)
        out.append((f"kit stub ({level})", kit_stub))
        out += [(f"canonical {name} in the kit stub", text)
                for name, text in _in_stub(kit_stub, canonical)]
    try:
        from grader.build.notebook import build_text
        cells = [cell for level in HINT_LEVELS
                 for cell in notebook.code_cells(json.loads(build_text(hints=level)))]
    except ImportError:  # nbformat is a tool of the kit, not of grading: its cells are the stub's
        cells = []
    out += [(f"kit notebook cell {n}", src) for n, src in cells]
    return out


def _in_stub(stub, canonical):
    """The stub with each canonical body in place of its function's `raise` line, so the
    passages where a student's body meets the stub's text (docstring, provided first lines,
    `return`) are boilerplate too."""
    stub_fns = {n.name: n for n in ast.parse(stub).body if isinstance(n, ast.FunctionDef)}
    for node in ast.parse(canonical).body:
        target = stub_fns.get(getattr(node, "name", None))
        if target is None:
            continue
        provided = {ast.unparse(s) for s in target.body}
        body = list(node.body)
        while body and ast.unparse(body[0]) in provided:
            body.pop(0)
        if body and isinstance(body[-1], ast.Return):
            body.pop()
        raise_line = re.compile(rf'^( *)raise NotImplementedError\("{node.name}:.*$', re.M)
        match = raise_line.search(stub)
        if not body or not match:
            continue
        code = textwrap.indent("\n".join(ast.unparse(s) for s in body), match.group(1))
        yield node.name, stub[:match.start()] + code + stub[match.end():]


@lru_cache(maxsize=1)
def hashes():
    """Sorted unique uint64 k-gram hashes of all boilerplate."""
    parts = [fingerprint.kgram_hashes(fingerprint.document([(None, src)]).tokens)
             for _, src in sources()]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)
