"""Checks and known mistakes for skipgram.

    J(c, outside words) = sum over outside words w of word2vecLossAndGradient(v_c, w, U)
so the loss and gradients are sums, and only row c of gradCenterVecs is non-zero.
It is graded with toy loss functions (not word2vec's), so it must call the one it is given.
"""

import functools

import numpy as np

from grader import reference
from grader.checks import efficiency, reference_free
from grader.checks.framework import Check, Mistake, check_output, run_property
from grader.checks.properties import SKIPGRAM_LABELS as LABELS
from grader.checks.properties import check_loss_calls
from grader.checks.properties import skipgram_student as student
from grader.checks.inputs import SkipgramProblem, skipgram_problems
from grader.worker.harness import TOY_LOSSES

FN = "skipgram"


@functools.lru_cache(maxsize=4096)
def expected(problem, words=None):
    """The reference's outputs (the same for every check and every submission: kept)."""
    C, U = problem.arrays
    args = problem.args(C, U, words)[:6]
    return reference.module().skipgram(*args, None, TOY_LOSSES[problem.loss])


def _aspect_body(ctx, aspects):
    def body(problem):
        answer, outputs = student(ctx, problem)
        want = expected(problem)
        for aspect in aspects:
            check_output(ctx, problem, outputs[aspect], want[aspect], aspect, LABELS[aspect],
                         events=answer)
    return body


def _uses_loss_body(ctx):
    outputs_match = _aspect_body(ctx, range(3))

    def body(problem):
        answer, _ = student(ctx, problem)
        check_loss_calls(problem, answer)
        outputs_match(problem)
    return body


def _variant(p, place):
    """The reference computation with the center gradient or the sum done wrong."""
    C, U = p.arrays
    toy, w2i = TOY_LOSSES[p.loss], p.word2Ind
    loss, gin, gout = 0.0, np.zeros_like(C), np.zeros_like(U)
    for w in p.outside:
        l, gc, go = toy(C[p.center], w, U, None)
        if place == "overwrite":
            loss, gin, gout = l, np.zeros_like(C), go
            gin[p.center] = gc
            continue
        loss, gout = loss + l, gout + go
        if place == "every_row":
            gin += gc
        elif place == "outside_row":
            gin[w] += gc
    return loss, gin, gout


def _ignores_loss(problem, failure):
    events = failure.events or {}
    return events.get("loss_calls") == []


MISTAKES = [
    Mistake("word2vecLossAndGradient ignored (a fixed loss function is called instead)",
            "call the function passed in as word2vecLossAndGradient, not "
            "naiveSoftmaxLossAndGradient directly.", detect=_ignores_loss),
    Mistake("overwriting (=) instead of accumulating (+=) over the outside words",
            "the loss and both gradients are sums over the outside words: add each word's "
            "result (loss += ..., grad += ...).", lambda p: _variant(p, "overwrite")),
    Mistake("center gradient written to every row of gradCenterVecs",
            "only the center word's row takes part: gradCenterVecs[word2Ind[currentCenterWord]] += ...",
            lambda p: _variant(p, "every_row"),
            derive="only v_c takes part in J, so only the center word's row of gradCenterVecs "
                   "can be non-zero."),
    Mistake("center gradient written to the outside word's row",
            "the gradient with respect to v_c belongs in row word2Ind[currentCenterWord], "
            "whatever the outside word is.", lambda p: _variant(p, "outside_row")),
]

_problems = skipgram_problems("quadratic")
_square = skipgram_problems("square")


def _timed(seed):
    # the words differ from seed to seed too: they travel late (with the timed call), and an
    # answer must not be workable-out from an earlier timed call's words
    first = seed % 1900
    problem = SkipgramProblem(V=2000, D=50, center=3 + first, window=5,
                              outside=tuple(range(10 + first, 20 + first)), seed=seed)
    C, U = problem.arrays
    args = problem.args(C, U)[:6]
    return efficiency.Timed(problem.request(), lambda: tuple(
        reference.module().skipgram(*args, None, TOY_LOSSES[problem.loss])),
        late=(0, 2))   # currentCenterWord and outsideWords: the answer depends on both


def _efficiency(ctx):
    return efficiency.compare_speed(ctx, "V = 2000, D = 50, 10 outside words",
                                    [functools.partial(_timed, seed) for seed in efficiency.SEEDS],
                                    hint="Add each word's gradients to the running totals with +=.",
                                    small=("V = 30, D = 5, 10 outside words", SkipgramProblem(
                                        V=30, D=5, center=3, window=5,
                                        outside=tuple(range(10, 20)), seed=1).request()),
                                    arity=3)


def _check(aspects):
    return lambda ctx: run_property(ctx, _problems, _aspect_body(ctx, aspects), ctx.rubric.max_examples)


CHECKS = [
    Check("loss", "loss matches the reference", _check((0,))),
    Check("gradCenterVecs", "gradCenterVecs matches the reference", _check((1,))),
    Check("gradOutsideVectors", "gradOutsideVectors matches the reference", _check((2,))),
    Check("uses_given_loss", "calls word2vecLossAndGradient once per outside word",
          lambda ctx: run_property(ctx, _square, _uses_loss_body(ctx), 30)),
    *reference_free.CHECKS[FN],
    Check("efficiency", "efficient on a realistic size", _efficiency, efficiency=True),
]
