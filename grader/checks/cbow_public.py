"""CBOW's shippable half: its inputs, calling the student's cbow, and the properties any
correct cbow has, judged on its own outputs (no reference, no mistakes: this module ships
with the student release when the rubric switches CBOW on; grader.checks.cbow holds the rest).

    v_hat = sum over outside words w of centerWordVectors[word2Ind[w]]   (repeats included)
    J, dJ/dv_hat, dJ/dU = word2vecLossAndGradient(v_hat, word2Ind[currentCenterWord], U, dataset)
so row w of gradCenterVecs is count(w) * dJ/dv_hat and every other row is zero.
"""

from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from grader.checks import lossfns, properties
from grader.checks.compare import as_array, describe_type
from grader.checks.framework import Failure, unpack
from grader.checks.inputs import SkipgramProblem, recipe, skipgram_problems, word

FN = "cbow"
LABELS = ("loss", "gradCenterVecs", "gradOutsideVectors")


@dataclass(frozen=True)
class CbowProblem(SkipgramProblem):
    """A CBOW input: the same arguments as skip-gram's; the loss predicts the center word."""

    @property
    def context(self):
        """v_hat: the sum of the outside words' rows of centerWordVectors, shape (D,)."""
        C, _ = self.arrays
        return C[list(self.outside)].sum(axis=0)

    def request(self, centers=None, outsides=None, words=None):
        request = super().request(centers, outsides, words)
        C = self.arrays[0] if centers is None else centers
        outside = self.outside if words is None else words
        return dict(request, fn=FN, loss=dict(request["loss"],
                                              center=C[list(outside)].sum(axis=0)))


@recipe
def cbow_problems(loss="quadratic", repeat=False):
    """CBOW inputs (skip-gram's, read as CBOW's); `repeat`: the first outside word twice."""
    def convert(p):
        fields = asdict(p)
        if repeat:
            fields["outside"] = tuple(p.outside) + (p.outside[0],)
        return CbowProblem(**fields)
    return skipgram_problems(loss).strategy().map(convert)


def student(ctx, problem):
    """(answer, (loss, gradCenterVecs, gradOutsideVectors)) of the student's cbow."""
    answer = ctx.cached_call((FN, problem), problem.request())
    return answer, unpack(answer, FN, 3)


def check_loss_call(problem, answer):
    """cbow called word2vecLossAndGradient once, for the center word, with the given U and
    dataset. (Whether v_hat was right shows in the outputs: a sum in another order may differ
    in the last bits, so the recorded vector is not compared exactly.)"""
    calls = answer.get("loss_calls") or []
    if not calls:
        raise Failure("Your cbow never called word2vecLossAndGradient. It must call the loss "
                      "function it is given, once, to predict the center word.", events=answer)
    if len(calls) != 1 or calls[0].get("outsideWordIdx") != problem.center:
        got = [c.get("outsideWordIdx") for c in calls]
        raise Failure(f"word2vecLossAndGradient was called for word indices {got}; expected "
                      f"one call, for the center word's index {problem.center}.", events=answer)
    if not (calls[0].get("outside_ok") and calls[0].get("dataset_ok")):
        raise Failure("word2vecLossAndGradient was not given the outsideVectors and dataset "
                      "your cbow received.", events=answer)


def loss_call_body(ctx):
    def body(problem):
        answer, _ = student(ctx, problem)
        check_loss_call(problem, answer)
    return body


def _grad_rows(problem, grad_centers):
    grad = as_array(grad_centers, problem.V * problem.D)
    if grad is None or grad.size != problem.V * problem.D:
        raise Failure(f"gradCenterVecs should have shape {(problem.V, problem.D)} of real "
                      f"numbers, got {describe_type(grad_centers)}.", kind="shape")
    return grad.reshape(problem.V, problem.D)


def only_context_body(ctx):
    def body(problem):
        _, (_, grad_centers, _) = student(ctx, problem)
        grad = _grad_rows(problem, grad_centers)
        context = set(problem.outside)
        rows = [i for i in range(problem.V) if i not in context and np.any(grad[i] != 0)]
        if rows:
            raise Failure(f"Only the rows of the outside words ({sorted(context)}) of "
                          f"gradCenterVecs can be non-zero, but rows {rows} are not: in CBOW "
                          "the center word's own vector does not take part.",
                          actual=grad_centers, aspect=1)
    return body


def repeats_body(ctx):
    def body(problem):
        _, (_, grad_centers, _) = student(ctx, problem)
        grad = _grad_rows(problem, grad_centers)
        counts = Counter(problem.outside)
        per_use = [grad[i] / n for i, n in counts.items()]
        if not all(np.allclose(row, per_use[0], rtol=1e-6, atol=1e-9) for row in per_use):
            twice = [word(i) for i, n in counts.items() if n > 1]
            raise Failure(f"The outside word {twice[0]!r} appears {counts[problem.outside[0]]} "
                          "times in the window, so its vector is in v_hat that many times and "
                          "its row of gradCenterVecs must be that many times dJ/dv_hat; yours "
                          "is not (with numpy, grad[indices] += g counts a repeated index "
                          "once: use np.add.at or a loop).", actual=grad_centers, aspect=1)
    return body


def gradient_body(ctx):
    return properties.window_gradient_body(ctx, FN, student)


def unchanged_body(ctx):
    return properties.window_unchanged_body(ctx, FN, student)


PROBLEMS = cbow_problems("quadratic")
SQUARE = cbow_problems("square")
REPEATS = cbow_problems("quadratic", repeat=True)


def property_checks():
    """The checks that need no reference (shared by the full grader and the release)."""
    from grader.checks.framework import Check
    return [
        Check("only_context_rows", "only the outside words' rows of gradCenterVecs are non-zero",
              lambda ctx: lossfns.property_check(ctx, PROBLEMS, only_context_body(ctx), 30)),
        Check("repeats_counted", "an outside word twice in the window counts twice",
              lambda ctx: lossfns.property_check(ctx, REPEATS, repeats_body(ctx), 30)),
        Check("gradient_check", "gradients agree with finite differences of your loss",
              lambda ctx: lossfns.property_check(ctx, PROBLEMS, gradient_body(ctx),
                                                 ctx.rubric.gradient_check_examples)),
        Check("input_unchanged", "inputs are left unchanged",
              lambda ctx: lossfns.property_check(ctx, PROBLEMS, unchanged_body(ctx), 30),
              reported=True),
    ]


# Published inputs for the release's stand-ins of the reference comparisons (their expected
# outputs are computed from the reference when the release is built: grader.build.public_cases).
PUBLIC_CASES = [CbowProblem(V=1, D=1, center=0, window=1, outside=(0,), seed=41),
                CbowProblem(V=5, D=3, center=2, window=2, outside=(0, 1, 3, 4), seed=42),
                CbowProblem(V=4, D=2, center=1, window=3, outside=(3, 1, 3, 0, 3), seed=43)]


def public_checks():
    """The release's CBOW checks: public cases, the calls half of uses_given_loss, then the
    reference-free checks (the same objects as the full grader's)."""
    from grader.checks import public
    public.PROBLEM_TYPES[CbowProblem.__name__] = CbowProblem
    public.LABELS[FN] = LABELS
    public.STUDENTS[FN] = student
    from grader.checks.framework import Check
    return [*public.case_checks(FN, *public.core_specs(FN, LABELS)),
            Check("uses_given_loss", "calls word2vecLossAndGradient once, for the center word",
                  lambda ctx: lossfns.property_check(ctx, SQUARE, loss_call_body(ctx), 30)),
            *PROPERTY_CHECKS]


PROPERTY_CHECKS = property_checks()
CHECKS = public_checks()
