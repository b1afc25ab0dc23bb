"""Checks and known mistakes for naiveSoftmaxLossAndGradient.

    y_hat = softmax(U^T v_c),  J = -log y_hat[o],
    dJ/dv_c = U (y_hat - y),   dJ/dU^T = outer(y_hat - y, v_c)
"""

import numpy as np

from grader.checks import loss_reference, lossfns, reference_free
from grader.checks.framework import Check, Mistake
from grader.checks.inputs import LossProblem, loss_problems

FN = "naiveSoftmaxLossAndGradient"


def _parts(p):
    v, U = p.arrays
    scores = U @ v
    e = np.exp(scores - scores.max())
    y_hat = e / e.sum()
    delta = y_hat.copy()
    delta[p.o] -= 1
    return v, U, y_hat, delta


def _outside_from_y_hat(p):
    v, U, y_hat, delta = _parts(p)
    return -np.log(y_hat[p.o]), U.T @ delta, np.outer(y_hat, v)


def _center_from_y_hat(p):
    v, U, y_hat, delta = _parts(p)
    return -np.log(y_hat[p.o]), U.T @ y_hat, np.outer(delta, v)


def _no_max_shift(p):
    v, U, _, _ = _parts(p)
    with np.errstate(all="ignore"):
        e = np.exp(U @ v)
        y_hat = e / e.sum()
        delta = y_hat.copy()
        delta[p.o] -= 1
        return -np.log(y_hat[p.o]), U.T @ delta, np.outer(delta, v)


def _transposed(p):
    v, U, y_hat, delta = _parts(p)
    return -np.log(y_hat[p.o]), U.T @ delta, np.outer(v, delta)


def _loss_sign(p):
    v, U, y_hat, delta = _parts(p)
    return np.log(y_hat[p.o]), -(U.T @ delta), -np.outer(delta, v)


MISTAKES = [
    Mistake("gradOutsideVecs computed from y_hat instead of y_hat - y",
            "the gradient needs y_hat - y: subtract 1 from y_hat[outsideWordIdx] "
            "(y is one-hot at o) before taking the outer product with v_c.", _outside_from_y_hat,
            derive="the one-hot y is missing from gradOutsideVecs: derive dJ/ds_w again, once "
                   "for w = o and once for another word; they differ by y."),
    Mistake("gradCenterVec computed from y_hat alone",
            "use U (y_hat - y), i.e. outsideVectors.T @ (y_hat - y), not outsideVectors.T @ y_hat.",
            _center_from_y_hat,
            derive="the one-hot y is missing from gradCenterVec: s_o appears twice in J "
                   "(in -s_o and inside the log-sum); derive dJ/ds_o again."),
    Mistake("softmax without the max shift (overflow on large scores)",
            "exp() of a score near 1000 is inf. Use the provided softmax, or subtract "
            "max(scores) before exp(): it cancels out in the ratio.", _no_max_shift),
    Mistake("U vs U-transpose: gradOutsideVecs has shape (D, V)",
            "outsideVectors stores one word per row, shape (V, D); its gradient has the same "
            "shape: np.outer(y_hat - y, v_c), not np.outer(v_c, y_hat - y).", _transposed,
            derive="outsideVectors stores one word per row, shape (V, D); its gradient has the "
                   "same shape: row w holds dJ/du_w, so the word index goes first."),
    Mistake("the sign of the loss (log y_hat[o] instead of -log y_hat[o])",
            "the loss is MINUS the log-probability of the outside word, so it is never negative.",
            _loss_sign),
]

_small = reference_free.NAIVE_INPUTS
_large = loss_problems(min_V=2, max_V=6, max_D=4, shift=1000.0)


_SPEED_PROBLEM = LossProblem(V=20000, D=50, o=7, seed=1)
_SMALL_PROBLEM = LossProblem(V=20, D=5, o=7, seed=1)


def prepare():
    """Before the submission's answers arrive: its efficiency check's large inputs."""
    loss_reference.draw_soon(_SPEED_PROBLEM)


def _efficiency(ctx):
    return loss_reference.speed(ctx, FN, _SPEED_PROBLEM, _SMALL_PROBLEM, "Compute all V scores with one matrix-vector product "
                         "(outsideVectors @ centerWordVec) and the gradient with np.outer.")


CHECKS = [
    Check("loss", "loss matches the reference",
          lambda ctx: lossfns.property_check(ctx, _small, loss_reference.aspect_body(ctx, FN, 0))),
    Check("gradCenterVec", "gradCenterVec matches the reference",
          lambda ctx: lossfns.property_check(ctx, _small, loss_reference.aspect_body(ctx, FN, 1))),
    Check("gradOutsideVecs", "gradOutsideVecs matches the reference",
          lambda ctx: lossfns.property_check(ctx, _small, loss_reference.aspect_body(ctx, FN, 2))),
    Check("large_scores", "large scores do not overflow",
          lambda ctx: lossfns.property_check(ctx, _large, loss_reference.all_outputs_body(ctx, FN), 20)),
    *reference_free.CHECKS[FN],
    Check("efficiency", "efficient on a realistic size", _efficiency, efficiency=True),
]
