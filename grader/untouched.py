"""Find functions still holding the course's starter code, by reading it (nothing runs).

The course's stubs return zeros and call nothing:

    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    ### YOUR CODE HERE
    ### END YOUR CODE
    return loss, gradCenterVecs, gradOutsideVectors

Such a function is "not implemented yet", like the kit's own stubs that raise
NotImplementedError, rather than a wrong implementation to diagnose. Only a body made of
constants, zero-filled arrays and `return`s of them counts: any arithmetic, loop or other call
means the student started, and the function is graded as usual.
"""

import ast

ZERO_MAKERS = {"zeros", "zeros_like", "empty", "empty_like"}


def untouched_functions(sources: list) -> set:
    """Names of the functions whose last top-level definition in `sources` (code cells, in
    order) is a starter stub; sources that do not parse are skipped."""
    last = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                last[node.name] = node
    return {name for name, node in last.items() if is_stub(node)}


def is_stub(fn: ast.FunctionDef) -> bool:
    """True when the body only binds constants or zero arrays and returns them."""
    trivial_names, returns = set(), 0
    for node in fn.body:
        if isinstance(node, ast.Pass) or (isinstance(node, ast.Expr)
                                          and isinstance(node.value, ast.Constant)):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [n for t in targets for n in _target_names(t)]
            if None in names or not _trivial(node.value, trivial_names):
                return False
            trivial_names.update(names)
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            if not _trivial(node.value, trivial_names):
                return False
            returns += 1
            continue
        return False
    return returns > 0


def _target_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    return [None]   # a subscript or attribute: not a plain stub


def _trivial(value, names):
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.Name):
        return value.id in names
    if isinstance(value, (ast.Tuple, ast.List)):
        return all(_trivial(v, names) for v in value.elts)
    if isinstance(value, ast.Call):
        func = value.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return called in ZERO_MAKERS and all(_shape_like(a) for a in value.args) and all(
            _shape_like(k.value) for k in value.keywords)
    return False


def _shape_like(node):
    """An argument of np.zeros: a shape, an array to copy the shape of, a dtype."""
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.Attribute):
        return _shape_like(node.value)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_shape_like(e) for e in node.elts)
    return False
