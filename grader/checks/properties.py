"""Checks that need no reference: properties any correct answer has, judged on the student's
own outputs. Both the full grader and the public (student-side) grader run these, so this
module must never import grader.reference.

    sigmoid:  the input is left unchanged.
    naive softmax: the rows of dJ/dU add up to 0, since sum_w (y_hat - y)_w = 1 - 1 = 0.
    negative sampling: samples come from exactly one getNegativeSamples(o, dataset, K) call.
    skipgram: J(words) = sum_w J(w); only row c of dJ/dV_center is non-zero; the loss given
              is called once per outside word; finite differences agree; inputs unchanged.
"""

import numpy as np

from grader.checks import gradients
from grader.checks.compare import as_array, describe_type
from grader.checks.framework import Failure, check_output, unpack

SKIPGRAM = "skipgram"
SKIPGRAM_LABELS = ("loss", "gradCenterVecs", "gradOutsideVectors")


def sigmoid_student(ctx, problem):
    answer = ctx.cached_call(("sigmoid", problem), problem.request())
    return answer, unpack(answer, "sigmoid", 1)[0]


def sigmoid_unchanged_body(ctx):
    def body(problem):
        answer, _ = sigmoid_student(ctx, problem)
        if answer.get("mutated"):
            raise Failure("Your sigmoid changed its input x in place (x *= ..., x[...] = ...). "
                          "Compute a new array instead; the caller still needs x.", kind="mutation")
    return body


def rows_sum_body(ctx, student):
    """naive softmax: student(ctx, problem) -> (answer, outputs)."""
    def body(problem):
        _, (_, _, grad_outside) = student(ctx, problem)
        grad = as_array(grad_outside, problem.V * problem.D)
        total = (grad.reshape(problem.V, -1).sum(axis=0)
                 if grad is not None and grad.size == problem.V * problem.D else None)
        if total is None or not np.allclose(total, 0, atol=1e-7):
            raise Failure("The rows of gradOutsideVecs should add up to the zero vector "
                          "(they are (y_hat - y) times v_c, and y_hat - y sums to 0), but they add "
                          f"up to {total if total is not None else 'nothing: wrong shape'}.")
    return body


def sampling_body(ctx, student):
    """negative sampling: samples come only from one getNegativeSamples call."""
    def body(problem):
        answer, _ = student(ctx, problem)
        calls = answer.get("sampler_calls") or []
        if answer.get("dataset_draws"):
            raise Failure("Your function drew samples from dataset itself "
                          f"({answer['dataset_draws']} draws): negative samples must come only "
                          "from the provided getNegativeSamples call.", events=answer)
        if len(calls) != 1:
            raise Failure(f"getNegativeSamples should be called exactly once; your function "
                          f"called it {len(calls)} times.", events=answer)
        call, wanted = calls[0], problem.K if problem.K is not None else 10
        if call.get("outsideWordIdx") != problem.o or call.get("K") != wanted or not call.get("dataset_ok"):
            raise Failure(f"getNegativeSamples was called with outsideWordIdx={call.get('outsideWordIdx')}, "
                          f"K={call.get('K')}; expected outsideWordIdx={problem.o}, K={wanted} "
                          "and the dataset your function received.", events=answer)
    return body


def skipgram_student(ctx, problem, words=None):
    request = problem.request(words=words)
    answer = ctx.cached_call((SKIPGRAM, problem, words), request)
    return answer, unpack(answer, SKIPGRAM, 3)


def check_loss_calls(problem, answer):
    """skipgram called word2vecLossAndGradient once per outside word, with the right inputs."""
    calls = answer.get("loss_calls") or []
    wanted = sorted(problem.outside)
    if not calls:
        raise Failure("Your skipgram never called word2vecLossAndGradient. It must call the "
                      "loss function it is given (naive softmax or negative sampling), once "
                      "per outside word.", events=answer)
    got = sorted(c.get("outsideWordIdx") if c.get("outsideWordIdx") is not None else -1 for c in calls)
    if got != wanted:
        raise Failure(f"word2vecLossAndGradient was called for outside word indices {got}; "
                      f"expected one call per outside word: {wanted}.", events=answer)
    bad = [c for c in calls if not (c["center_ok"] and c["outside_ok"] and c["dataset_ok"])]
    if bad:
        what = [name for name, key in (("centerWordVec (row c of centerWordVectors)", "center_ok"),
                                       ("outsideVectors", "outside_ok"), ("dataset", "dataset_ok"))
                if not bad[0][key]]
        raise Failure("word2vecLossAndGradient was not given the right " + ", ".join(what) + ".",
                      events=answer)


def loss_calls_body(ctx):
    def body(problem):
        answer, _ = skipgram_student(ctx, problem)
        check_loss_calls(problem, answer)
    return body


def sums_body(ctx):
    def body(problem):
        _, whole = skipgram_student(ctx, problem)
        singles = [unpack(answer, SKIPGRAM, 3) for answer in ctx.cached_calls(
            [((SKIPGRAM, problem, (w,)), problem.request(words=(w,))) for w in problem.outside])]
        for aspect in range(3):
            total = sum(np.asarray(s[aspect], dtype=float) for s in singles)
            try:
                check_output(ctx, problem, whole[aspect], total, aspect, SKIPGRAM_LABELS[aspect])
            except Failure as exc:
                raise Failure("Your skipgram on all the outside words together should equal the "
                              "sum of your skipgram on each outside word alone (repeats "
                              "included), but it does not.\n" + exc.message,
                              actual=whole[aspect], aspect=aspect) from None
    return body


def only_center_body(ctx):
    def body(problem):
        _, (_, grad_centers, _) = skipgram_student(ctx, problem)
        grad = as_array(grad_centers, problem.V * problem.D)
        if grad is None or grad.size != problem.V * problem.D:
            raise Failure(f"gradCenterVecs should have shape {(problem.V, problem.D)} of real "
                          f"numbers, got {describe_type(grad_centers)}.")
        rows = [i for i, row in enumerate(grad.reshape(problem.V, problem.D))
                if i != problem.center and np.any(row != 0)]
        if rows:
            raise Failure(f"Only row {problem.center} (the center word) of gradCenterVecs can be "
                          f"non-zero, but rows {rows} are not: the other center vectors do not "
                          "take part in this loss.", actual=grad_centers, aspect=1)
    return body


WINDOW_ARGUMENTS = ("currentCenterWord", "windowSize", "outsideWords", "word2Ind",
                    "centerWordVectors", "outsideVectors")


def window_gradient_body(ctx, fn, student):
    """Finite differences for a window function (skipgram, cbow): its two gradients against
    its own loss; `student(ctx, problem)` -> (answer, outputs)."""
    def body(problem):
        _, (_, grad_centers, grad_outside) = student(ctx, problem)
        gradients.check(ctx, (fn, problem), problem.request(), (4, 5),
                        [grad_centers, grad_outside], SKIPGRAM_LABELS[1:])
    return body


def window_unchanged_body(ctx, fn, student):
    """A window function (skipgram, cbow) leaves its inputs unchanged (worker-reported)."""
    def body(problem):
        answer, _ = student(ctx, problem)
        if answer.get("mutated"):
            changed = ", ".join(WINDOW_ARGUMENTS[i] for i in answer["mutated"]
                                if i < len(WINDOW_ARGUMENTS))
            raise Failure(f"Your {fn} changed its input {changed} in place; compute new "
                          "arrays instead.", kind="mutation")
    return body


def skipgram_gradient_body(ctx):
    return window_gradient_body(ctx, SKIPGRAM, skipgram_student)


def skipgram_unchanged_body(ctx):
    return window_unchanged_body(ctx, SKIPGRAM, skipgram_student)
