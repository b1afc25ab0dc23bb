"""The efficiency feedback explains a slow function by a deterministic count: the lines of the
submission's own code that one call runs, at a small and at a realistic size (the verdict
itself is CPU time measured by the grader: tests/test_trusted_verdicts.py)."""

from conftest import CORPUS, ROOT
from grader import rubric as rubric_mod
from grader.sandbox.client import LoadRequest, WorkerClient


def _lines(path, request):
    rubric = rubric_mod.load()
    load = LoadRequest(filename=str(path), cells=[{"source": path.read_text(), "label": None,
                                                   "filename": str(path)}],
                       sys_path=[str(path.parent), str(ROOT / "exercises")])
    with WorkerClient(load, rubric.limits) as worker:
        worker.start()
        return worker.call(dict(request, count_lines=True))["lines"]


def _naive(V):
    import numpy as np
    rng = np.random.default_rng(0)
    return {"op": "call", "fn": "naiveSoftmaxLossAndGradient",
            "args": [rng.standard_normal(4), 1, rng.standard_normal((V, 4)), None]}


def test_vectorised_code_runs_the_same_lines_at_any_size():
    path = CORPUS / "correct" / "vectorised.py"
    assert _lines(path, _naive(5)) == _lines(path, _naive(500)) > 0


def test_a_loop_over_the_vocabulary_runs_lines_per_word():
    path = CORPUS / "buggy" / "naive_loop_over_vocabulary.py"
    small, large = _lines(path, _naive(5)), _lines(path, _naive(500))
    assert large - small >= 2 * (500 - 5)
