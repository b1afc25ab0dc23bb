"""Similarity flags: pairs of submissions whose function bodies are near-identical once
comments, docstrings, layout and identifier names no longer count.

For each exercise function, a body is reduced to tokens:
    source -> AST (comments and layout gone) -> docstrings dropped -> every name and argument
    renamed by order of first appearance (v0, v1, ...) -> unparse -> lines also in the starter
    code dropped -> tokens
Two bodies are near-identical when difflib's ratio 2M/T (M tokens matched, T in both) is at
least THRESHOLD. Not evidence, so not counted: bodies shorter than MIN_TOKENS (a one-line
sigmoid is written the same way by everyone) and bodies near-identical to those of more than
`common_limit` submissions (the class's usual solution). A flag is a place to look, not a verdict.
"""

import ast
import difflib
import json
import re
from itertools import combinations, product
from dataclasses import dataclass, field
from pathlib import Path

from grader.rubric import FUNCTIONS

THRESHOLD = 0.9
MIN_TOKENS = 20
TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass
class Pair:
    a: str
    b: str
    functions: list = field(default_factory=list)   # [(function, ratio)]


def source_of(path):
    """The code of a .py file or a notebook's code cells (unreadable -> "")."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() != ".ipynb":
            return text
        cells = json.loads(text).get("cells", [])
        sources = ["".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")
                   for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
        return "\n\n".join(s for s in sources if _parses(s))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return ""


def _parses(source):
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError):
        return False


def functions_in(source):
    """{name: (original source text, normalised lines)} for the exercise functions defined."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS:
            out[node.name] = (_shown(source, node), normalise(node))
    return out


def _shown(source, node):
    """The function as written, without its docstring (the handout's text, the same for all)."""
    lines = source.splitlines()[node.lineno - 1:node.end_lineno]
    first = node.body[0] if node.body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        start, end = first.lineno - node.lineno, first.end_lineno - node.lineno
        lines = lines[:start] + lines[end + 1:]
    return "\n".join(lines)


class _Rename(ast.NodeTransformer):
    def __init__(self):
        self.names = {}

    def _canon(self, name):
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._canon(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self._canon(node.arg)
        node.annotation = None
        return node


def _drop_docstrings(node):
    for child in ast.walk(node):
        body = getattr(child, "body", None)
        if isinstance(body, list):
            kept = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                            and isinstance(s.value.value, str))]
            child.body = kept or [ast.Pass()]


def normalise(function_node):
    """The body's lines with names canonical, docstrings and comments gone."""
    node = ast.parse(ast.unparse(function_node)).body[0]  # a copy we may change
    _drop_docstrings(node)
    node.returns = None
    node = _Rename().visit(node)
    body = ast.Module(body=node.body, type_ignores=[])
    return [line.strip() for line in ast.unparse(body).splitlines() if line.strip()]


def starter_lines(stub=None):
    """{function: lines of its starter code}, which nobody is flagged for sharing. The
    starter code is the generated exercise (`stub`: a file to read it from instead), not
    exercises/word2vec.py, where the instructor may have done the exercise in place."""
    if stub is None:
        from grader.build.stubs import stub_text
        text = stub_text()
    else:
        text = source_of(stub)
    return {name: lines for name, (_, lines) in functions_in(text).items()}


def tokens(lines, starter):
    remaining = list(starter)
    kept = []
    for line in lines:
        if line in remaining:
            remaining.remove(line)
        else:
            kept.append(line)
    return tuple(TOKEN.findall("\n".join(kept)))


def similar(a, b):
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < THRESHOLD or matcher.quick_ratio() < THRESHOLD:
        return 0.0
    return matcher.ratio()


def find_pairs(sources, starter=None, common_limit=None):
    """Flagged pairs among `sources` ({student: source code}), most shared first."""
    starter = starter_lines() if starter is None else starter
    if common_limit is None:
        common_limit = max(3, len(sources) // 10)
    bodies = {student: functions_in(source) for student, source in sources.items()}
    pairs = {}
    for fn in FUNCTIONS:
        groups = {}   # identical token sequences -> the students who wrote them
        for student, found in bodies.items():
            if fn in found:
                toks = tokens(found[fn][1], starter.get(fn, []))
                if len(toks) >= MIN_TOKENS:
                    groups.setdefault(toks, []).append(student)
        for a, b, ratio in _near_pairs(list(groups.values()), list(groups), common_limit):
            key = tuple(sorted((a, b)))
            pairs.setdefault(key, Pair(*key)).functions.append((fn, round(ratio, 3)))
    return sorted(pairs.values(), key=lambda p: (-len(p.functions),
                                                 -sum(r for _, r in p.functions), p.a, p.b))


def _near_pairs(members, reps, common_limit):
    """(student, student, ratio) for near-identical bodies that are not the class's usual one."""
    near = {i: [(i, 1.0)] for i in range(len(reps))}
    for i, j in combinations(range(len(reps)), 2):
        ratio = similar(reps[i], reps[j])
        if ratio >= THRESHOLD:
            near[i].append((j, ratio))
            near[j].append((i, ratio))
    evidence = [sum(len(members[j]) for j, _ in near[i]) <= common_limit for i in range(len(reps))]
    for i in range(len(reps)):
        for j, ratio in near[i]:
            if j < i or not (evidence[i] and evidence[j]):
                continue
            both = combinations(members[i], 2) if i == j else product(members[i], members[j])
            for a, b in both:
                yield a, b, ratio
