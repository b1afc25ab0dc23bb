"""Checks and known mistakes for negSamplingLossAndGradient.

    J = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c)
    dJ/dv_c = (sigma(u_o . v_c) - 1) u_o + sum_k sigma(u_k . v_c) u_k
    dJ/du_o = (sigma(u_o . v_c) - 1) v_c,   dJ/du_k = sigma(u_k . v_c) v_c once per draw of k

The worker's getNegativeSamples returns samples the grader chose on its first call (later
calls draw afresh, as in training) and its sigmoid is a known-good one, so this function is
graded on its own.
"""

import numpy as np

from grader.checks import loss_reference, lossfns, reference_free
from grader.checks.framework import FATAL, Check, Failure, Mistake, hints, unpack
from grader.checks.inputs import LossProblem, negsamp_problems
from grader.checks.compare import compare, matches
from grader.worker.harness import fresh_draw, good_sigmoid as sig

FN = "negSamplingLossAndGradient"


def _parts(p):
    v, U = p.arrays
    samples = list(p.samples)
    s_o = sig(U[p.o] @ v)
    s_k = sig(U[samples] @ v)
    return v, U, samples, s_o, s_k


def _outputs(p, samples):
    """The right loss and gradients, had getNegativeSamples returned `samples`."""
    v, U = p.arrays
    s_o, s_k = sig(U[p.o] @ v), sig(U[samples] @ v)
    grad = np.zeros_like(U)
    grad[p.o] += (s_o - 1) * v
    np.add.at(grad, samples, np.outer(s_k, v))
    return -np.log(s_o) - np.sum(np.log(1 - s_k)), (s_o - 1) * U[p.o] + s_k @ U[samples], grad


def _different_draws(problem, failure):
    """The failing output is right for a later call's samples (computed here, not reported):
    the loss and the gradients came from different calls of getNegativeSamples."""
    if failure.aspect is None or failure.actual is None or problem.samples is None:
        return False
    K = len(problem.samples)
    return any(matches(failure.actual, _outputs(problem, fresh_draw(
        problem.seed, n, problem.o, problem.V, K))[failure.aspect]) for n in (1, 2, 3))


def _not_accumulated(p):
    v, U, samples, s_o, s_k = _parts(p)
    loss = -np.log(s_o) - np.sum(np.log(1 - s_k))
    grad = np.zeros_like(U)
    grad[p.o] += (s_o - 1) * v
    grad[samples] += np.outer(s_k, v)  # the mistake: repeated indices are written once
    return loss, (s_o - 1) * U[p.o] + s_k @ U[samples], grad


def _duplicates_dropped(problem, failure):
    """All three outputs are right for the samples without their repeats (set(), np.unique):
    seen in the whole answer, since the gradient alone looks like `not accumulated`."""
    samples = list(problem.samples or [])
    value = (failure.events or {}).get("value")
    if len(set(samples)) == len(samples) or not isinstance(value, (list, tuple)) or len(value) != 3:
        return False
    want = _outputs(problem, list(dict.fromkeys(samples)))
    return all(matches(value[i], want[i]) for i in range(3))


def _rows_per_sample(problem, failure):
    """gradOutsideVecs holds one row per sample (K + 1, D), not one per word (V, D)."""
    shape = getattr(failure.actual, "shape", None)
    v, U = problem.arrays
    return (failure.aspect == 2 and problem.samples is not None and U.shape[0] != len(problem.samples) + 1
            and shape == (len(problem.samples) + 1, U.shape[1]))


def _negative_sign(p):
    v, U, samples, s_o, s_k = _parts(p)
    wrong = sig(-(U[samples] @ v))
    loss = -np.log(s_o) - np.sum(np.log(1 - wrong))
    grad = np.zeros_like(U)
    grad[p.o] += (s_o - 1) * v
    np.add.at(grad, samples, -np.outer(wrong, v))
    return loss, (s_o - 1) * U[p.o] - wrong @ U[samples], grad


def _k_ignored(problem, failure):
    calls = (failure.events or {}).get("sampler_calls") or []
    wanted = problem.K if problem.K is not None else 10
    return any(c.get("K") != wanted for c in calls)


def _own_sampling(problem, failure):
    events = failure.events or {}
    if "sampler_calls" not in events:  # the call never returned: nothing to go on
        return False
    return bool(events.get("dataset_draws")) or len(events.get("sampler_calls") or []) != 1


MISTAKES = [
    Mistake("your loss and gradients come from different calls of getNegativeSamples",
            "the samples shown are what the first call returns; every later call draws new "
            "ones, as in training. Call getNegativeSamples once, at the top (the provided first "
            "line), and use that one list for the loss and for both gradients.",
            detect=_different_draws),
    Mistake("K ignored (a hard-coded 10, or the length of something else)",
            "use the K your function receives, e.g. range(K) or the length of "
            "negSampleWordIndices, never the number 10.", detect=_k_ignored),
    Mistake("samples drawn some other way than getNegativeSamples",
            "keep the provided first line, negSampleWordIndices = getNegativeSamples("
            "outsideWordIdx, dataset, K), call it once, and draw nothing else from dataset.",
            detect=_own_sampling),
    Mistake("gradOutsideVecs has one row per sample, shape (K + 1, D), instead of one per word",
            "gradOutsideVecs has outsideVectors' shape (V, D): row w holds dJ/du_w. Start from "
            "zeros of that shape and add each sample's term into the row of its word.",
            detect=_rows_per_sample),
    Mistake("repeated negative samples dropped (the samples made unique, as set() does)",
            "a word drawn twice counts twice, in the loss and in both gradients: use "
            "negSampleWordIndices as it is, repeats included (no set() or np.unique).",
            detect=_duplicates_dropped),
    Mistake("repeated negative samples not accumulated",
            "grad[indices] += ... adds only once for an index that appears several times, and "
            "so does assigning with = in a loop (grad[k] = ...). Use np.add.at(grad, indices, "
            "values), or += in a loop over the samples.", _not_accumulated,
            derive="a word drawn twice appears twice in J, so its row of the gradient must get "
                   "both draws' terms; with a repeated index, an indexed `+=` on an array keeps "
                   "only one of them, and so does assigning with `=` in a loop. Try your update "
                   "on the indices [1, 1]."),
    Mistake("the sign of the negative-sample term",
            "the loss has -log sigma(-u_k . v_c) for each sample (note the minus inside), and its "
            "gradient for u_k is +sigma(u_k . v_c) v_c.", _negative_sign,
            derive="look again at the sign inside sigma in the negative samples' term of J, "
                   "sigma(-u_k . v_c), and at the sign it gives their gradients."),
]

_distinct = negsamp_problems(distinct=True)
_repeats = reference_free.NEG_REPEATS
_any_k = negsamp_problems(distinct=True, explicit_K=True)


_SPEED_PROBLEM = LossProblem(V=20000, D=50, o=3, seed=1, samples=tuple(range(10, 20)))
_SMALL_PROBLEM = LossProblem(V=30, D=5, o=3, seed=1, samples=tuple(range(10, 20)))


def _efficiency(ctx):
    return loss_reference.speed(ctx, FN, _SPEED_PROBLEM, _SMALL_PROBLEM, "Take the K sampled rows at once "
                         "(outsideVectors[indices]) and avoid touching all V rows in Python.")


def _check(aspect_or_none, strategy, examples=None, extra=None):
    def run(ctx):
        body = (loss_reference.all_outputs_body(ctx, FN, extra) if aspect_or_none is None
                else loss_reference.aspect_body(ctx, FN, aspect_or_none, extra))
        return lossfns.property_check(ctx, strategy, body, examples)
    return run


def _any_k_check(ctx):
    """Any K works; a function right at the default K = 10 but wrong here has K built in."""
    outcome = _check(None, _any_k)(ctx)
    core = {"loss", "gradCenterVec", "gradOutsideVecs"}
    if not outcome.passed and not outcome.mistake and core <= ctx.passed and outcome.kind not in FATAL:
        mistake = next(m for m in MISTAKES if m.detect is _k_ignored)
        outcome.mistake = mistake.name
        outcome.feedback += (f"\nYour function is right for the default K = 10 but not for this K.\n"
                             f"Likely mistake: {mistake.name}.\nHow to fix it: {mistake.fix_for(hints(ctx))}")
    return outcome


def _same_draw(aspect):
    """A body extra for output `aspect`: even when right for the grader's samples, it is
    wrong if another output returned with it is right for a later draw instead; in training
    that loss and update would belong to different samples. Judged on the returned values,
    recomputed here (never on the worker's record of the calls)."""
    def extra(problem, answer):
        try:
            outputs = unpack(answer, FN, 3)
        except Failure:
            return
        for other in range(3):
            stray = Failure("", actual=outputs[other], aspect=other)
            if other != aspect and not compare(outputs[other], loss_reference.expected(problem, FN)[other],
                                               "").ok and _different_draws(problem, stray):
                raise Failure(f"Your {lossfns.LABELS[aspect]} is right for the samples of the "
                              f"first getNegativeSamples call, but your {lossfns.LABELS[other]} "
                              "comes from a later call's samples, so the two do not belong "
                              "together.", actual=outputs[other], aspect=other, events=answer)
    return extra


CHECKS = [
    Check("loss", "loss matches the reference", _check(0, _distinct, extra=_same_draw(0))),
    Check("gradCenterVec", "gradCenterVec matches the reference",
          _check(1, _distinct, extra=_same_draw(1))),
    Check("gradOutsideVecs", "gradOutsideVecs matches the reference",
          _check(2, _distinct, extra=_same_draw(2))),
    Check("repeated_samples", "repeated negative samples count once per draw",
          _check(None, _repeats)),
    Check("any_K", "any number of samples K works", _any_k_check),
    *reference_free.CHECKS[FN],
    Check("efficiency", "efficient on a realistic size", _efficiency, efficiency=True),
]
