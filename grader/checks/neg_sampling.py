"""Checks and known mistakes for negSamplingLossAndGradient.

    J = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c)
    dJ/dv_c = (sigma(u_o . v_c) - 1) u_o + sum_k sigma(u_k . v_c) u_k
    dJ/du_o = (sigma(u_o . v_c) - 1) v_c,   dJ/du_k = sigma(u_k . v_c) v_c once per draw of k

The worker's getNegativeSamples returns samples the grader chose on its first call (later
calls draw afresh, as in training) and its sigmoid is a known-good one, so this function is
graded on its own. The grader recomputes what the later calls return (fresh_draw): outputs
right for the samples of different calls fail every comparison, outputs that all belong to
one later call are right (see _same_draw) and lose only the one-call sampler check.
"""

import dataclasses

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


LATER_CALLS = (1, 2, 3)   # fresh_draw's n for getNegativeSamples' 2nd, 3rd and 4th calls
_ORDINAL = ("1st", "2nd", "3rd", "4th")


def _draw(problem, n):
    """What call n + 1 of getNegativeSamples returns in the worker (n = 0: the grader's own
    samples), recomputed here from the problem alone."""
    if n == 0:
        return tuple(problem.samples)
    return tuple(fresh_draw(problem.seed, n, problem.o, problem.V, len(problem.samples)))


def _right_for(problem, n):
    """The reference's (loss, gradCenterVec, gradOutsideVecs) for the samples of draw n."""
    return loss_reference.expected(dataclasses.replace(problem, samples=_draw(problem, n)), FN)


_seen = {}   # problem -> (answer, _draws_of's finding): each aspect's check asks again


def _draws_of(problem, answer, outputs):
    """None when every output is right for the grader's own samples (the usual case), else
    _belongs(problem, outputs). Worked out once per answer: the identity test (`is`, with
    the answer kept alive here) never takes another submission's finding for this one."""
    seen = _seen.get(problem)
    if seen is not None and seen[0] is answer:
        return seen[1]
    right = _right_for(problem, 0)
    found = (None if all(matches(out, want) for out, want in zip(outputs, right))
             else _belongs(problem, outputs))
    if len(_seen) >= 4096:
        _seen.clear()
    _seen[problem] = (answer, found)
    return found


def _belongs(problem, outputs):
    """For each output, the set of draws (0 and LATER_CALLS) it is right for."""
    return [{n for n in (0, *LATER_CALLS) if matches(out, _right_for(problem, n)[i])}
            for i, out in enumerate(outputs)]


class MixedDraws(Failure):
    """The outputs are right for the samples of different getNegativeSamples calls (raised
    only by the grader's own comparisons, so a worker cannot claim it)."""


class LaterDraw(Failure):
    """A wrong output of a function whose other outputs all belong to a later call's samples;
    `drawn` is the problem with those samples (to name the mistake on them)."""

    def __init__(self, message, drawn, **kwargs):
        super().__init__(message, **kwargs)
        self.drawn = drawn


def _labels(indices):
    names = [lossfns.LABELS[i] for i in indices]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _verb(indices):
    return "is" if len(indices) == 1 else "are"


def _mixed(problem, belongs, answer):
    """MixedDraws saying which output is right for which call's samples (each output under
    the first call it fits: a true statement, since the outputs share no call)."""
    groups = {}
    for i, fits in enumerate(belongs):
        if fits:
            groups.setdefault(min(fits), []).append(i)
    parts = [f"{_labels(ids)} {_verb(ids)} right for "
             + ("the samples of the " if not k else "those of the ") + f"{_ORDINAL[n]} "
             + ("getNegativeSamples call" if not k else "call") + f" ({list(_draw(problem, n))})"
             for k, (n, ids) in enumerate(sorted(groups.items()))]
    text = "Your " + ", but your ".join(parts) + ", so they do not belong together."
    lost = [i for i, fits in enumerate(belongs) if not fits]
    if lost:
        text += f" Your {_labels(lost)} {_verb(lost)} right for none of these samples."
    return MixedDraws(text, events=answer)


def _different_draws(problem, failure):
    """The outputs were measured to belong to different calls of getNegativeSamples."""
    return isinstance(failure, MixedDraws)


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
    unique = tuple(dict.fromkeys(samples))
    want = loss_reference.expected(dataclasses.replace(problem, samples=unique, K=len(unique)), FN)
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


def _sampled_again(problem, failure):
    """The sampler check's failure (not a comparison: a wrong value has another cause) for
    more than one call and no draws of its own. Feedback only: the worker's record."""
    events = failure.events or {}
    return (failure.aspect is None and not events.get("dataset_draws")
            and len(events.get("sampler_calls") or []) > 1)


def _own_sampling(problem, failure):
    events = failure.events or {}
    if "sampler_calls" not in events:  # the call never returned: nothing to go on
        return False
    return bool(events.get("dataset_draws")) or not events.get("sampler_calls")


def _on_draw(compute):
    """A detector for a mistake computed from the samples: on a comparison with a later
    call's samples (LaterDraw), the mistake is computed with those samples."""
    def detect(problem, failure):
        if failure.aspect is None or failure.actual is None:
            return False
        return matches(failure.actual, compute(getattr(failure, "drawn", problem))[failure.aspect])
    return detect


MISTAKES = [
    Mistake("your outputs come from different calls of getNegativeSamples",
            "every call of getNegativeSamples draws new samples, as in training. Call it once, "
            "at the top (the provided first line), and use that one list for the loss and for "
            "both gradients.", detect=_different_draws),
    Mistake("K ignored (a hard-coded 10, or the length of something else)",
            "use the K your function receives, e.g. range(K) or the length of "
            "negSampleWordIndices, never the number 10.", detect=_k_ignored),
    Mistake("getNegativeSamples called more than once",
            "every call draws new samples, so a second call only costs time and risks mixing "
            "two draws. Keep the provided first line, negSampleWordIndices = getNegativeSamples("
            "outsideWordIdx, dataset, K), as the only call and use negSampleWordIndices "
            "throughout.", detect=_sampled_again),
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
            "values), or += in a loop over the samples.", detect=_on_draw(_not_accumulated),
            derive="a word drawn twice appears twice in J, so its row of the gradient must get "
                   "both draws' terms; with a repeated index, an indexed `+=` on an array keeps "
                   "only one of them, and so does assigning with `=` in a loop. Try your update "
                   "on the indices [1, 1]."),
    Mistake("the sign of the negative-sample term",
            "the loss has -log sigma(-u_k . v_c) for each sample (note the minus inside), and its "
            "gradient for u_k is +sigma(u_k . v_c) v_c.", detect=_on_draw(_negative_sign),
            derive="look again at the sign inside sigma in the negative samples' term of J, "
                   "sigma(-u_k . v_c), and at the sign it gives their gradients."),
]

_distinct = negsamp_problems(distinct=True)
_repeats = reference_free.NEG_REPEATS
_any_k = negsamp_problems(distinct=True, explicit_K=True)


_SPEED_PROBLEM = LossProblem(V=20000, D=50, o=3, seed=1, samples=tuple(range(10, 20)))
_SMALL_PROBLEM = LossProblem(V=30, D=5, o=3, seed=1, samples=tuple(range(10, 20)))


def prepare():
    """Before the submission's answers arrive: its efficiency check's large inputs."""
    loss_reference.draw_soon(_SPEED_PROBLEM)


def _efficiency(ctx):
    # outputs that all belong to a later call's samples are right here too (see _same_draw)
    later = [_draw(_SPEED_PROBLEM, n) for n in LATER_CALLS]
    return loss_reference.speed(ctx, FN, _SPEED_PROBLEM, _SMALL_PROBLEM, "Take the K sampled rows at once "
                                 "(outsideVectors[indices]) and avoid touching all V rows in Python.",
                                 also=later)


def _check(aspect_or_none, strategy, examples=None, extra=None):
    def run(ctx):
        body = (loss_reference.all_outputs_body(ctx, FN, extra) if aspect_or_none is None
                else loss_reference.aspect_body(ctx, FN, aspect_or_none, extra))
        return lossfns.property_check(ctx, strategy, body, examples)
    return run


def _any_k_check(ctx):
    """Any K works; a function right at the default K = 10 but wrong here has K built in."""
    def named(outcome):
        core = {"loss", "gradCenterVec", "gradOutsideVecs"}
        if not outcome.passed and not outcome.mistake and core <= ctx.passed and outcome.kind not in FATAL:
            mistake = next(m for m in MISTAKES if m.detect is _k_ignored)
            outcome.mistake = mistake.name
            outcome.feedback += (f"\nYour function is right for the default K = 10 but not for this K.\n"
                                 f"Likely mistake: {mistake.name}.\nHow to fix it: {mistake.fix_for(hints(ctx))}")
        return outcome
    return _check(None, _any_k, extra=_same_draw(None))(ctx).then(named)


def _same_draw(aspect):
    """A body extra for output `aspect` (None: all three), judged on the returned values
    against the grader's own recomputation of each draw (never on the worker's record of
    the calls).

    - Outputs right for the samples of different getNegativeSamples calls fail (MixedDraws):
      in training, that loss and that update would belong to different samples.
    - Outputs that all belong to one later call (the function drew again and used only that
      draw, consistently) are right in training: each is compared with the right value for
      that call's samples. Only "samples come only from getNegativeSamples" fails them.
    - Otherwise (the grader's samples, or no draw at all) the usual comparison decides.
    """
    def extra(problem, answer):
        try:
            outputs = unpack(answer, FN, 3)
        except Failure:
            return None
        belongs = _draws_of(problem, answer, outputs)
        if belongs is None:
            return None   # the usual case, settled without recomputing any later draw
        known = [fits for fits in belongs if fits]
        common = set.intersection(*known) if known else set()
        if known and not common:
            raise _mixed(problem, belongs, answer)
        if not common or 0 in common:
            return None
        n = min(common)
        want = _right_for(problem, n)
        for i in range(3) if aspect is None else (aspect,):
            if not belongs[i]:
                good = [j for j in range(3) if belongs[j]]
                verdict = compare(outputs[i], want[i], lossfns.LABELS[i])
                raise LaterDraw(f"Your {_labels(good)} {_verb(good)} right for the samples of "
                                f"the {_ORDINAL[n]} getNegativeSamples call "
                                f"({list(_draw(problem, n))}), so your {lossfns.LABELS[i]} is "
                                f"compared with the right value for those samples.\n"
                                f"{verdict.message}", dataclasses.replace(problem, samples=_draw(problem, n)),
                                actual=outputs[i], aspect=i, events=answer)
        return want
    return extra


CHECKS = [
    Check("loss", "loss matches the reference", _check(0, _distinct, extra=_same_draw(0))),
    Check("gradCenterVec", "gradCenterVec matches the reference",
          _check(1, _distinct, extra=_same_draw(1))),
    Check("gradOutsideVecs", "gradOutsideVecs matches the reference",
          _check(2, _distinct, extra=_same_draw(2))),
    Check("repeated_samples", "repeated negative samples count once per draw",
          _check(None, _repeats, extra=_same_draw(None))),
    Check("any_K", "any number of samples K works", _any_k_check),
    *reference_free.CHECKS[FN],
    Check("efficiency", "efficient on a realistic size", _efficiency, efficiency=True),
]
