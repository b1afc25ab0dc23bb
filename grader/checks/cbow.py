"""Checks and known mistakes for cbow (optional: graded when the rubric's [exercises] switch
turns it on). CBOW predicts the center word from the sum of its window's vectors:

    v_hat = sum over outside words w of V[w];  J = word2vecLossAndGradient(v_hat, c, U)
It is graded with toy loss functions, like skipgram, so it must call the one it is given.
The properties that need no reference live in grader.checks.cbow_public (shippable).
"""

import functools

import numpy as np

from grader import reference
from grader.checks import cbow_public as public
from grader.checks.framework import Check, Mistake, check_output, run_property
from grader.worker.harness import TOY_LOSSES

FN = public.FN


@functools.lru_cache(maxsize=4096)
def expected(problem):
    """The reference's outputs (the same for every check and every submission: kept)."""
    C, U = problem.arrays
    return reference.module().cbow(*problem.args(C, U)[:6], None, TOY_LOSSES[problem.loss])


def _aspect_body(ctx, aspects):
    def body(problem):
        answer, outputs = public.student(ctx, problem)
        want = expected(problem)
        for aspect in aspects:
            check_output(ctx, problem, outputs[aspect], want[aspect], aspect,
                         public.LABELS[aspect], events=answer)
    return body


def _uses_loss_body(ctx):
    outputs_match = _aspect_body(ctx, range(3))

    def body(problem):
        answer, _ = public.student(ctx, problem)
        public.check_loss_call(problem, answer)
        outputs_match(problem)
    return body


def _variant(p, place):
    """The reference computation with the context vector or its gradient done wrong."""
    C, U = p.arrays
    toy, idx = TOY_LOSSES[p.loss], list(p.outside)
    context = C[idx].mean(axis=0) if place == "average" else C[idx].sum(axis=0)
    loss, grad, gout = toy(context, p.center, U, None)
    gin = np.zeros_like(C)
    if place == "average":
        np.add.at(gin, idx, grad / len(idx))
    elif place == "wrong_matrix":
        gout = gout.copy()
        np.add.at(gout, idx, grad)
    elif place == "overwritten":
        gin[idx] = grad
    elif place == "center_row":
        gin[p.center] = grad
    return loss, gin, gout


def _ignores_loss(problem, failure):
    return (failure.events or {}).get("loss_calls") == []


MISTAKES = [
    Mistake("word2vecLossAndGradient ignored (a fixed loss function is called instead)",
            "call the function passed in as word2vecLossAndGradient, once, with the context "
            "vector and the center word's index.", detect=_ignores_loss),
    Mistake("the average of the context vectors instead of their sum",
            "v_hat is the sum of the outside words' vectors (no division by their number), and "
            "each of their rows of gradCenterVecs gets the whole dJ/dv_hat.",
            lambda p: _variant(p, "average")),
    Mistake("the context gradient added to gradOutsideVectors instead of gradCenterVecs",
            "dJ/dv_hat belongs to the outside words' rows of gradCenterVecs (their vectors come "
            "from centerWordVectors); gradOutsideVectors is what the loss function returned.",
            lambda p: _variant(p, "wrong_matrix")),
    Mistake("context rows overwritten: a repeated outside word counted once",
            "gradCenterVecs[indices] = g (or += g with a list of indices) counts a repeated "
            "index once: use np.add.at(gradCenterVecs, indices, g) or a loop with +=.",
            lambda p: _variant(p, "overwritten")),
    Mistake("the context gradient written to the center word's row (as in skip-gram)",
            "in CBOW the center word is what is predicted: dJ/dv_hat goes to the rows of the "
            "outside words, word2Ind[w] for each w in outsideWords.",
            lambda p: _variant(p, "center_row")),
]


def _check(aspects, recipe=public.PROBLEMS):
    return lambda ctx: run_property(ctx, recipe, _aspect_body(ctx, aspects),
                                    ctx.rubric.max_examples)


CHECKS = [
    Check("loss", "loss matches the reference", _check((0,))),
    Check("gradCenterVecs", "gradCenterVecs matches the reference", _check((1,))),
    Check("gradOutsideVectors", "gradOutsideVectors matches the reference", _check((2,))),
    Check("uses_given_loss", "calls word2vecLossAndGradient once, for the center word",
          lambda ctx: run_property(ctx, public.SQUARE, _uses_loss_body(ctx), 30)),
    *public.PROPERTY_CHECKS,
]
