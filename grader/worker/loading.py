"""How the worker loads a student's file as it was written for other course editions.

- Stand-in modules: course files import helpers of other editions' starters (`utils.treebank`,
  `utils.sanity_checks`) or the 2017 layout (`q1_softmax`, `q2_sigmoid`, `q2_gradcheck`). A
  finder placed last on `sys.meta_path` answers only for those names when nothing real (the
  student's own folder, the course's `utils/`) has them: the import succeeds, and whatever the
  file takes from a missing helper fails when it is used, with a sentence naming the helper.
- Statement by statement: a notebook cell runs one top-level statement at a time, so an
  unavailable import does not take the rest of its cell with it; the names a failed statement
  would have bound are remembered, to explain a NameError they cause later.
- Near-miss names: a graded function found under another edition's name
  (`softmaxCostAndGradient`) or in another style (`naive_softmax_loss_and_gradient`).
"""

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types

# 2017 edition names with the same contract as this exercise's (arguments in the same order).
OTHER_EDITIONS = {
    "naiveSoftmaxLossAndGradient": ("softmaxCostAndGradient",),
    "negSamplingLossAndGradient": ("negSamplingCostAndGradient",),
}
# Looked up under near-miss names besides the graded functions (the load request names those):
# the sampler the worker replaces while negative sampling is graded.
ALIASED = ("getNegativeSamples",)
_STANDIN = "__course_standin__"   # marks objects the kit provided, so they are never graded


def _normal(name):
    """The name without case, underscores or the Cost/Loss difference between editions."""
    return name.lower().replace("_", "").replace("cost", "loss")


def near_miss(namespace, wanted, mine):
    """The name under which `wanted` is defined in `namespace`, or None.

    Only functions for which `mine(fn)` is true (defined in the student's own code) count.
    """
    candidates = sorted(n for n, v in namespace.items()
                        if n != wanted and callable(v) and mine(v))
    for name in candidates:
        if name in OTHER_EDITIONS.get(wanted, ()):
            return name
    for name in candidates:
        if _normal(name) == _normal(wanted):
            return name
    return None


def is_standin(value):
    return bool(getattr(value, _STANDIN, False))


# -- stand-in modules ---------------------------------------------------------------------

def _missing(module, attribute):
    return ModuleNotFoundError(
        f"`{module}` is not available when grading (the kit does not ship that course "
        f"helper), so `{attribute}` taken from it cannot be used", name=module)


class _StandInType(type):
    """Anything taken from a missing helper: it imports, and fails only once it is used."""

    def __call__(cls, *args, **kwargs):
        raise _missing(cls.__standin_module__, cls.__standin_name__)

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _stand_in(cls.__standin_module__, f"{cls.__standin_name__}.{name}")

    def __repr__(cls):
        return f"<{cls.__standin_name__} from {cls.__standin_module__} (not available when grading)>"


def _stand_in(module, name):
    return _StandInType(name.rsplit(".", 1)[-1], (), {
        "__standin_module__": module, "__standin_name__": name, _STANDIN: True})


class _StandInModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _stand_in(self.__name__, name)


def _sigmoid_grad(s):
    """The 2017 edition's sigmoid_grad(s) = s (1 - s), for s = sigmoid(x)."""
    return s * (1 - s)


def _course(module, attribute):
    return lambda: getattr(importlib.import_module(module), attribute)


# What the kit provides for the 2017 layout's modules (loaded lazily, on first use).
EDITION_MODULES = {
    "q1_softmax": {"softmax": _course("utils.utils", "softmax")},
    # not its sigmoid: that is the student's own work, graded (a stand-in for it would earn
    # sigmoid's points); calling it says the module is not available
    "q2_sigmoid": {"sigmoid_grad": lambda: _sigmoid_grad},
    "q2_gradcheck": {"gradcheck_naive": _course("utils.gradcheck", "gradcheck_naive")},
}


class _Loader(importlib.abc.Loader):
    def __init__(self, finder):
        self.finder = finder

    def create_module(self, spec):
        return _StandInModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []          # a package, so `utils.treebank.x` imports too
        setattr(module, _STANDIN, True)
        for name, make in EDITION_MODULES.get(module.__name__, {}).items():
            setattr(module, name, _marked(make()))  # a wrapper: shared objects stay unmarked
        self.finder.made.append({"module": module.__name__, "where": self.finder.locate()})


def _marked(fn):
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    wrapper.__name__ = getattr(fn, "__name__", "function")
    setattr(wrapper, _STANDIN, True)
    return wrapper


class HelperFinder(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: answers for missing course helpers only (see the module doc)."""

    def __init__(self):
        self.made = []
        self.locate = lambda: ""   # the worker sets it: where in the student's code we are

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if not (fullname.startswith("utils.") or top in EDITION_MODULES):
            return None
        kit = _kit_helper(fullname)
        if kit is not None:   # the student's own `utils` package hides the kit's helper
            return importlib.util.spec_from_file_location(fullname, kit)
        return importlib.machinery.ModuleSpec(fullname, _Loader(self), is_package=True)


def _kit_helper(fullname):
    """The file of a course helper the kit does ship (`utils.utils`, `utils.gradcheck`) when a
    student's `utils` package without it came first on the path, else None."""
    parts = fullname.split(".")
    if len(parts) != 2 or parts[0] != "utils":
        return None
    for entry in sys.path:
        candidate = os.path.join(entry, "utils", parts[1] + ".py")
        if os.path.isfile(candidate):
            return candidate
    return None


def install():
    """Put a HelperFinder at the end of sys.meta_path and return it."""
    finder = HelperFinder()
    sys.meta_path.append(finder)
    return finder


# -- statement by statement -----------------------------------------------------------------

def statements(source, filename):
    """[(first line, code object, names it binds, its first source line)], one per top-level
    statement; raises SyntaxError like compile()."""
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    out = []
    for node in tree.body:
        code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec")
        text = lines[node.lineno - 1].strip() if node.lineno <= len(lines) else ""
        out.append((node.lineno, code, bound_names(node), text[:80]))
    return out


def bound_names(node):
    """Names a top-level statement binds in the module (imports, assignments, definitions)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    names = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.append(child.id)
    return names
