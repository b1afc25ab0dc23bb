"""Checks and known mistakes for sgd (optional: graded when the rubric's [exercises] switch
turns it on; the student hands in sgd.py next to word2vec.py, or defines it in a notebook).

sgd runs on the grader's quadratics (grader.checks.sgd_public), and its result is compared
with the reference sgd's (solutions/sgd.py) run on the same f, here in the grader's process.
"""

import contextlib
import functools
import importlib.util
import io

import numpy as np

from grader.checks import sgd_public as public
from grader.checks.framework import Check, Mistake, check_output
from grader.paths import SOLUTIONS_DIR
from grader.worker.harness import Objective, Postprocessing

FN = public.FN


@functools.lru_cache(maxsize=1)
def reference_module():
    """The reference sgd module (solutions/sgd.py), loaded once in the trusted process."""
    spec = importlib.util.spec_from_file_location("_sgd_reference", SOLUTIONS_DIR / "sgd.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=64)
def expected(problem):
    """The reference's x on `problem` (the same for every submission: kept)."""
    f = Objective(problem.a, problem.c)
    post = Postprocessing(problem.bound) if problem.bound else None
    with contextlib.redirect_stdout(io.StringIO()):   # it prints its progress
        x = reference_module().sgd(f, np.array(problem.x0, dtype=float), problem.step,
                                   problem.iterations, post, useSaved=False,
                                   PRINT_EVERY=problem.iterations)
    return (np.asarray(x, dtype=float),)


def _variant(p, mistake):
    """The contract's loop with one catalogued mistake (the fix is the line beside it)."""
    if mistake == "no_postprocessing" and not p.bound:
        raise ValueError("without postprocessing this variant is the right answer")
    x, step = np.array(p.x0, dtype=float), p.step
    for t in range(1, p.iterations + 1):
        grad = p.gradient(x)
        if mistake == "ascent":
            x = x + step * grad          # fix: x = x - step * grad
        else:
            x = x - step * grad
        if p.bound and mistake != "no_postprocessing":
            x = np.clip(x, -p.bound, p.bound)   # fix: x = postprocessing(x), every iteration
        if t % public.ANNEAL_EVERY == 0 and mistake != "no_annealing":
            step *= 0.5                  # the fix for no_annealing: keep this line
    return (x,)


def _steps_not_halved(problem, failure):
    steps = (failure.events or {}).get("steps") or {}
    after = steps.get(public.ANNEAL_EVERY + 1)
    return after is not None and np.isclose(after, problem.step, rtol=1e-4)


def _post_not_called(problem, failure):
    _, n = public.calls(failure.events or {})
    return bool(problem.bound) and not n


def _f_twice(problem, failure):
    n, _ = public.calls(failure.events or {})
    return n == 2 * problem.iterations


MISTAKES = [
    Mistake("a step up the gradient (gradient ascent): x + step * grad",
            "the update goes down the gradient, so that the loss decreases: subtract "
            "step * grad from x.", lambda p: _variant(p, "ascent")),
    Mistake("postprocessing skipped",
            "apply postprocessing to x once every iteration, right after the update "
            "(x = postprocessing(x)); in word2vec it keeps the vectors normalised.",
            lambda p: _variant(p, "no_postprocessing")),
    Mistake("postprocessing skipped", "apply postprocessing to x once every iteration, right "
            "after the update (x = postprocessing(x)).", detect=_post_not_called),
    Mistake("the step never annealed",
            "keep the lines that halve the step every ANNEAL_EVERY iterations (step *= 0.5): "
            "late in training, smaller steps let the vectors settle.", detect=_steps_not_halved),
    Mistake("f called twice per iteration",
            "call f once per iteration and use both of its outputs: loss, grad = f(x). "
            "f is the whole cost of training (in word2vec, a pass over a minibatch).",
            detect=_f_twice),
]


def _matches_body(ctx):
    def body(problem):
        answer, x = public.student(ctx, problem)
        check_output(ctx, problem, x, expected(problem)[0], 0, "x", events=answer)
    return body


CHECKS = [
    Check("minimises", "ends where the reference sgd ends on simple quadratics",
          lambda ctx: public.run_fixed(ctx, public.RUNS, _matches_body(ctx))),
    *public.PROPERTY_CHECKS,
]
