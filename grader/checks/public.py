"""The public checks: what the student release grades with, since it ships without the reference.

Two kinds of check, under the same ids as the full grader's (so one rubric serves both):
- public cases: fixed inputs whose expected outputs were computed from the reference when the
  release was built (grader/public_cases.json, written by grader.build.public_cases); they
  stand in for the checks that compare with the reference on generated inputs;
- the properties that need no reference (grader.checks.properties, lossfns' gradient check,
  loss validity and inputs-unchanged), run on generated inputs exactly as the full grader does.
Efficiency is left out (it is timed against the reference). No known-mistake catalogue here:
its wrong variants would spell out the right answer.
"""

import json
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from grader.checks import lossfns, properties
from grader.checks.framework import Check, Outcome, check_output, run_once
from grader.checks.inputs import (LossProblem, SigmoidProblem, SkipgramProblem, loss_problems,
                                  negsamp_problems, sigmoid_problems, skipgram_problems)

CASES_FILE = Path(__file__).resolve().parent.parent / "public_cases.json"
FORMAT = 1


@dataclass(frozen=True)
class GivenSigmoid(SigmoidProblem):
    """A sigmoid input given value by value (for the far-from-zero inputs)."""
    values: tuple = ()

    @property
    def x(self):
        return np.array(self.values, dtype=float)


PROBLEM_TYPES = {cls.__name__: cls for cls in (SigmoidProblem, GivenSigmoid, LossProblem, SkipgramProblem)}
LABELS = {
    "sigmoid": ("sigmoid(x)",),
    "naiveSoftmaxLossAndGradient": lossfns.LABELS,
    "negSamplingLossAndGradient": lossfns.LABELS,
    "skipgram": properties.SKIPGRAM_LABELS,
}


# -- the cases file ------------------------------------------------------------------------
def _encode_value(value):
    arr = np.asarray(value, dtype=float)
    return {"shape": list(arr.shape), "data": arr.ravel().tolist()}


def _decode_value(data):
    return np.array(data["data"], dtype=float).reshape(data["shape"])


def encode_case(function, check, problem, outputs):
    return {"function": function, "check": check,
            "problem": {"type": type(problem).__name__, **asdict(problem)},
            "expected": [_encode_value(v) for v in outputs]}


def _decode_problem(data):
    cls = PROBLEM_TYPES[data["type"]]
    names = {f.name for f in fields(cls)}
    # JSON turns tuples into lists; problems are cache keys, so they must be hashable again.
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names})


@cache
def cases():
    """{(function, check id): [(problem, expected outputs)]} from the cases file."""
    data = json.loads(CASES_FILE.read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"{CASES_FILE}: unknown format {data.get('format')!r}")
    table = {}
    for case in data["cases"]:
        expected = tuple(_decode_value(v) for v in case["expected"])
        table.setdefault((case["function"], case["check"]), []).append(
            (_decode_problem(case["problem"]), expected))
    return table


# -- checks --------------------------------------------------------------------------------
def _student(ctx, fn, problem):
    if fn == "sigmoid":
        answer, value = properties.sigmoid_student(ctx, problem)
        return answer, (value,)
    if fn == "skipgram":
        return properties.skipgram_student(ctx, problem)
    return lossfns.student(ctx, problem, fn)


def _matches(ctx, fn, aspects, expected):
    def body(problem):
        answer, outputs = _student(ctx, fn, problem)
        for aspect in aspects:
            check_output(ctx, problem, outputs[aspect], expected[aspect], aspect,
                         LABELS[fn][aspect], events=answer)
    return body


def _case_check(fn, check_id, aspects):
    """Every public case of (fn, check_id) must match in the given outputs; the first one that
    does not is shown with its input."""
    def run(ctx):
        for number, (problem, expected) in enumerate(cases()[(fn, check_id)], 1):
            outcome = run_once(ctx, problem, _matches(ctx, fn, aspects, expected))
            if not outcome.passed:
                # a fixed case, not a shrunk one: say which, not "smallest"
                outcome.feedback = outcome.feedback.replace(
                    "On this input:", f"Public case {number} shows it:", 1)
                return outcome
        return Outcome(True)
    return run


def _property(strategy, make_body, examples=None):
    return lambda ctx: lossfns.property_check(ctx, strategy, make_body(ctx), examples)


def _exercise(*checks):
    return SimpleNamespace(CHECKS=list(checks), MISTAKES=[])


_sigmoid_inputs = sigmoid_problems()
_small = loss_problems(max_V=8, max_D=5)
_rows_sum = loss_problems(min_V=2)
_repeats = negsamp_problems(distinct=False)
_skipgram = skipgram_problems("quadratic")
_square = skipgram_problems("square")

NAIVE, NEG = "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient"


def _loss_checks(fn, strategy):
    """The three public-case checks and the reference-free ones both loss functions share."""
    return [
        Check("loss", "loss matches the public cases", _case_check(fn, "loss", (0,))),
        Check("gradCenterVec", "gradCenterVec matches the public cases",
              _case_check(fn, "gradCenterVec", (1,))),
        Check("gradOutsideVecs", "gradOutsideVecs matches the public cases",
              _case_check(fn, "gradOutsideVecs", (2,))),
    ], [
        Check("gradient_check", "gradients agree with finite differences of your loss",
              lambda ctx: lossfns.property_check(ctx, strategy, lossfns.gradient_check_body(ctx, fn),
                                                 ctx.rubric.gradient_check_examples)),
        Check("loss_is_valid", "the loss is finite and never negative",
              _property(strategy, lambda ctx: lossfns.loss_valid_body(ctx, fn))),
    ]


def _student_of(fn):
    return lambda ctx, problem: lossfns.student(ctx, problem, fn)


_naive_core, _naive_props = _loss_checks(NAIVE, _small)
_neg_core, _neg_props = _loss_checks(NEG, _repeats)

EXERCISES = {
    "sigmoid": _exercise(
        Check("matches_reference", "matches the public cases (scalars and arrays)",
              _case_check("sigmoid", "matches_reference", (0,))),
        Check("large_inputs", "large inputs give 0 or 1, not nan",
              _case_check("sigmoid", "large_inputs", (0,))),
        Check("input_unchanged", "the input is left unchanged",
              _property(_sigmoid_inputs, properties.sigmoid_unchanged_body, 30)),
    ),
    NAIVE: _exercise(
        *_naive_core,
        Check("large_scores", "large scores do not overflow (public cases)",
              _case_check(NAIVE, "large_scores", (0, 1, 2))),
        *_naive_props,
        Check("outside_rows_sum_to_zero", "the rows of gradOutsideVecs add up to zero",
              _property(_rows_sum, lambda ctx: properties.rows_sum_body(ctx, _student_of(NAIVE)))),
        Check("input_unchanged", "inputs are left unchanged",
              _property(_small, lambda ctx: lossfns.unchanged_body(ctx, NAIVE))),
    ),
    NEG: _exercise(
        *_neg_core,
        Check("repeated_samples", "repeated negative samples count once per draw (public cases)",
              _case_check(NEG, "repeated_samples", (0, 1, 2))),
        Check("any_K", "any number of samples K works (public cases)",
              _case_check(NEG, "any_K", (0, 1, 2))),
        Check("uses_getNegativeSamples", "samples come only from getNegativeSamples",
              _property(_repeats, lambda ctx: properties.sampling_body(ctx, _student_of(NEG)), 20)),
        *_neg_props,
        Check("input_unchanged", "inputs are left unchanged",
              _property(_repeats, lambda ctx: lossfns.unchanged_body(ctx, NEG))),
    ),
    "skipgram": _exercise(
        Check("loss", "loss matches the public cases", _case_check("skipgram", "loss", (0,))),
        Check("gradCenterVecs", "gradCenterVecs matches the public cases",
              _case_check("skipgram", "gradCenterVecs", (1,))),
        Check("gradOutsideVectors", "gradOutsideVectors matches the public cases",
              _case_check("skipgram", "gradOutsideVectors", (2,))),
        Check("uses_given_loss", "calls word2vecLossAndGradient once per outside word",
              _property(_square, properties.loss_calls_body, 30)),
        Check("sums_over_outside_words", "loss and gradients add up over the outside words",
              _property(_skipgram, properties.sums_body, 20)),
        Check("only_center_row", "only the center word's row of gradCenterVecs is non-zero",
              _property(_skipgram, properties.only_center_body, 30)),
        Check("gradient_check", "gradients agree with finite differences of your loss",
              lambda ctx: lossfns.property_check(ctx, _skipgram,
                                                 properties.skipgram_gradient_body(ctx),
                                                 ctx.rubric.gradient_check_examples)),
        Check("input_unchanged", "inputs are left unchanged",
              _property(_skipgram, properties.skipgram_unchanged_body, 30)),
    ),
}
