"""Checks and known mistakes for sigmoid:  sigma(x) = 1 / (1 + exp(-x)), elementwise."""

import functools

import numpy as np

from grader import reference
from grader.checks import efficiency, reference_free
from grader.checks.framework import Check, Mistake, check_output, run_once, run_property
from grader.checks.properties import sigmoid_student as _student
from grader.checks.inputs import SigmoidProblem, sigmoid_problems

FN = "sigmoid"


class LargeInputs(SigmoidProblem):
    """Scores far from zero, where exp() overflows unless the formula avoids it."""

    @property
    def x(self):
        return np.array([-1000.0, -710.0, -50.0, 0.0, 50.0, 710.0, 1000.0])


@functools.lru_cache(maxsize=4096)
def _expected(problem):
    """The reference's sigmoid (the same for every check and every submission: kept)."""
    return reference.module().sigmoid(problem.x)


def _matches_body(ctx):
    def body(problem):
        answer, value = _student(ctx, problem)
        check_output(ctx, problem, value, _expected(problem), 0,
                     "sigmoid(x)", events=answer)
    return body


def _exp_ratio(p):
    with np.errstate(all="ignore"):
        return (np.exp(p.x) / (1 + np.exp(p.x)),)


def _flipped(p):
    with np.errstate(all="ignore"):
        return (1 / (1 + np.exp(p.x)),)


MISTAKES = [
    Mistake("exp(x) / (1 + exp(x)) overflows for large x",
            "inf / inf is nan: use 1 / (1 + np.exp(-x)) (numpy then gives 0 or 1 in the limits), "
            "or a form that only ever takes exp of a negative number.", _exp_ratio),
    Mistake("the sign inside exp (1 / (1 + exp(x)) is sigma(-x))",
            "sigma(x) = 1 / (1 + exp(-x)): note the minus sign.", _flipped),
]

_problems = sigmoid_problems()


def _timed(seed):
    problem = SigmoidProblem(shape=(50_000,), seed=seed, scale=3.0)
    return efficiency.Timed(problem.request(), lambda: (reference.module().sigmoid(problem.x),))


def _efficiency(ctx):
    return efficiency.compare_speed(ctx, "an array of 50,000 numbers",
                                    [functools.partial(_timed, seed) for seed in efficiency.SEEDS],
                                    hint="Apply np.exp to the whole array at once.",
                                    small=("an array of 50 numbers", SigmoidProblem(
                                        shape=(50,), seed=1, scale=3.0).request()))


CHECKS = [
    Check("matches_reference", "matches the reference on scalars and arrays of any shape",
          lambda ctx: run_property(ctx, _problems, _matches_body(ctx), ctx.rubric.max_examples)),
    Check("large_inputs", "large inputs give 0 or 1, not nan",
          lambda ctx: run_once(ctx, LargeInputs(shape=(7,), seed=0, scale=1.0), _matches_body(ctx))),
    *reference_free.CHECKS[FN],
    Check("efficiency", "efficient on a large array", _efficiency, efficiency=True),
]
