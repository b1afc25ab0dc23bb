"""Checks shared by the two loss functions (naive softmax and negative sampling).

Both take (centerWordVec, outsideWordIdx, outsideVectors, dataset[, K]) and return
(loss, gradCenterVec (D,), gradOutsideVecs (V, D)); these checks judge each part separately. This module ships with the student release: what
compares with the reference lives in grader.checks.loss_reference.
"""

import numpy as np

from grader.checks import gradients
from grader.checks.framework import Failure, run_property, unpack

LABELS = ("loss", "gradCenterVec", "gradOutsideVecs")


def student(ctx, problem, fn):
    """The student's (answer, (loss, gradCenterVec, gradOutsideVecs)) on a problem (cached)."""
    answer = ctx.cached_call((fn, problem), problem.request(fn))
    return answer, unpack(answer, fn, 3)


def gradient_check_body(ctx, fn):
    def body(problem):
        _, (loss, grad_center, grad_outside) = student(ctx, problem, fn)
        gradients.check(ctx, (fn, problem), problem.request(fn), (0, 2),
                        [grad_center, grad_outside], LABELS[1:])
    return body


def loss_valid_body(ctx, fn):
    def body(problem):
        _, (loss, _, _) = student(ctx, problem, fn)
        value = gradients.scalar(loss)
        if not np.isfinite(value) or value < 0:
            raise Failure(f"The loss is {value!r}, but a cross-entropy loss is always a finite "
                          "number >= 0 (it is minus the log of a probability).")
    return body


def unchanged_body(ctx, fn):
    names = ("centerWordVec", "outsideWordIdx", "outsideVectors", "dataset")

    def body(problem):
        answer, _ = student(ctx, problem, fn)
        if answer.get("mutated"):
            changed = ", ".join(names[i] for i in answer["mutated"] if i < len(names))
            raise Failure(f"Your function changed its input {changed} in place. The caller still "
                          "needs those vectors: compute new arrays (x = x - y) instead of "
                          "modifying them (x -= y, x[...] = ...).", kind="mutation")
    return body


def property_check(ctx, strategy, body, examples=None):
    return run_property(ctx, strategy, body, examples or ctx.rubric.max_examples)
