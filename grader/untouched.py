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
    """Names still bound to a starter stub once `sources` (code cells, in order) have run.

    What counts is the last binding of each name at module level, not its last `def`: a file
    may keep the untouched stub and later rebind the name (`skipgram = my_skipgram`, an
    import, a decorator), and then the function graded is not the stub. Bindings that cannot be
    read from the source (a `global` statement for the name, globals(), setattr, exec) mean
    the name is never called a stub. Sources that do not parse are skipped.
    """
    last = {}   # name -> its last module-level binding: a plain def, or None for anything else
    unsure = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError):
            continue
        for name, node in _bindings(tree.body):
            if name == "*":    # `from m import *` may rebind any name bound so far
                last = dict.fromkeys(last)
            else:
                last[name] = node
        unsure |= _rebound_elsewhere(tree)
    if DYNAMIC in unsure:
        return set()
    return {name for name, node in last.items()
            if name not in unsure and node is not None and is_stub(node)}


DYNAMIC = "*dynamic*"
_DYNAMIC_CALLS = {"globals", "vars", "setattr", "exec", "eval", "__import__", "locals"}


def _bindings(body):
    """(name, plain def or None) for each module-level binding in `body`, in source order:
    defs, assignments, imports, loop and `with`/`except` targets, descending into `if`,
    `for`, `while`, `try`, `with` and `match` blocks (they run at module level too)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, None if node.decorator_list else node
            continue
        if isinstance(node, ast.ClassDef):
            yield node.name, None
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                yield alias.asname or alias.name.split(".")[0], None
            continue
        # every other name this statement binds, wherever it appears in it (targets, walrus,
        # match captures), except inside nested scopes; then the blocks it runs
        for name in _bound_names(node):
            yield name, None
        for field in ("body", "orelse", "finalbody"):
            yield from _bindings(getattr(node, field, None) or [])
        for handler in getattr(node, "handlers", None) or []:
            yield from _bindings(handler.body)
        for case in getattr(node, "cases", None) or []:
            yield from _bindings(case.body)


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _bound_names(statement):
    """Names a compound or simple statement binds itself (not in its nested blocks)."""
    heads = [value for field, value in ast.iter_fields(statement) if field not in _BLOCKS]
    heads += [case.pattern for case in getattr(statement, "cases", None) or []]
    heads += [case.guard for case in getattr(statement, "cases", None) or [] if case.guard]
    names = [h.name for h in getattr(statement, "handlers", None) or [] if h.name]
    for head in heads:
        for value in head if isinstance(head, list) else [head]:
            if isinstance(value, ast.AST):
                names += _stored(value)
    return names


def _stored(tree):
    """Names stored to in `tree`, outside nested function, class and lambda scopes."""
    names, todo = [], [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.append(node.id)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.append(node.rest)
        todo.extend(ast.iter_child_nodes(node))
    return names


def _rebound_elsewhere(tree):
    """Names a function may rebind at module level (`global name`), plus DYNAMIC when the
    source can rebind any name (globals(), setattr, exec, ...)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            names.update(node.names)
        elif isinstance(node, ast.Name) and node.id in _DYNAMIC_CALLS:
            names.add(DYNAMIC)
    return names


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
