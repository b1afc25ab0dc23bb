"""One module of checks per exercise function (grader.registry names them), in grading order.

`exercises(mode, functions)` gives each function's checks for a rubric mode: "hidden" (the
full grader, which compares with the reference) or "public" (the shippable checks, which
have none). A module may also have `prepare()`: work that needs no answer, started before
the submission loads (grading.grade). Imports are deferred so the public grader never loads
the hidden modules, and an optional exercise that is switched off is never imported.
"""

import importlib
from types import SimpleNamespace

from grader import registry


def exercises(mode: str = "hidden", functions=None) -> dict:
    """{function name: its checks (a namespace with CHECKS and MISTAKES)} for `functions`
    (default: those graded with the optional ones off); KeyError for an unknown name."""
    names = registry.enabled() if functions is None else functions
    out = {}
    for name in names:
        entry = registry.get(name)
        module = importlib.import_module(entry.hidden if mode != "public" else entry.public)
        if mode == "public":
            table = getattr(module, "EXERCISES", None)
            out[name] = table[name] if table is not None else SimpleNamespace(
                CHECKS=module.CHECKS, MISTAKES=[])
        else:
            out[name] = module
    return out
