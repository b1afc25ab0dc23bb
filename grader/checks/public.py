"""The public checks: what the student release grades with, since it ships without the reference.

Two kinds of check, under the same ids as the full grader's (so one rubric serves both):
- public cases: fixed inputs whose expected outputs were computed from the reference when the
  release was built (grader/public_cases.json, written by grader.build.public_cases); they
  stand in for the checks that compare with the reference on generated inputs;
- the checks that need no reference (grader.checks.reference_free): the very objects the
  full grader runs, on the same generated inputs.
Efficiency is left out (it is timed against the reference). No known-mistake catalogue here:
its wrong variants would spell out the right answer.
"""

import json
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from grader.checks import lossfns, properties, reference_free
from grader.checks.framework import Check, Outcome, check_output, run_once
from grader.checks.inputs import LossProblem, SigmoidProblem, SkipgramProblem

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
        if case["problem"]["type"] not in PROBLEM_TYPES:
            continue   # an exercise this grading has switched off
        expected = tuple(_decode_value(v) for v in case["expected"])
        table.setdefault((case["function"], case["check"]), []).append(
            (_decode_problem(case["problem"]), expected))
    return table


# -- checks --------------------------------------------------------------------------------
# A further exercise's public module adds its problem type and its way to call the student
# (grader.checks.cbow_public), so this module names only the four it was written with.
STUDENTS = {}


def _student(ctx, fn, problem):
    if fn in STUDENTS:
        return STUDENTS[fn](ctx, problem)
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


def case_checks(fn, *specs):
    """Public-case checks standing in for the reference comparisons: (check id, title, the
    outputs compared)."""
    return [Check(check_id, title, _case_check(fn, check_id, aspects))
            for check_id, title, aspects in specs]


def core_specs(fn, labels):
    """The specs of one public-case check per output, named as the full grader's are."""
    return [(label, f"{label} matches the public cases", (n,)) for n, label in enumerate(labels)]


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


def _exercise(*checks):
    return SimpleNamespace(CHECKS=list(checks), MISTAKES=[])


_cases, _core = case_checks, core_specs


NAIVE, NEG = reference_free.NAIVE, reference_free.NEG

# Each function: its public cases, then exactly the full grader's reference-free checks.
EXERCISES = {
    "sigmoid": _exercise(
        *_cases("sigmoid",
                ("matches_reference", "matches the public cases (scalars and arrays)", (0,)),
                ("large_inputs", "large inputs give 0 or 1, not nan", (0,))),
        *reference_free.CHECKS["sigmoid"]),
    NAIVE: _exercise(
        *_cases(NAIVE, *_core(NAIVE, lossfns.LABELS),
                ("large_scores", "large scores do not overflow (public cases)", (0, 1, 2))),
        *reference_free.CHECKS[NAIVE]),
    NEG: _exercise(
        *_cases(NEG, *_core(NEG, lossfns.LABELS),
                ("repeated_samples", "repeated negative samples count once per draw (public cases)",
                 (0, 1, 2)),
                ("any_K", "any number of samples K works (public cases)", (0, 1, 2))),
        *reference_free.CHECKS[NEG]),
    "skipgram": _exercise(
        *_cases("skipgram", *_core("skipgram", properties.SKIPGRAM_LABELS)),
        # the calls half of the full grader's check (which also compares with the reference)
        Check("uses_given_loss", "calls word2vecLossAndGradient once per outside word",
              lambda ctx: lossfns.property_check(ctx, reference_free.SKIPGRAM_SQUARE,
                                                 properties.loss_calls_body(ctx), 30)),
        *reference_free.CHECKS["skipgram"]),
}
