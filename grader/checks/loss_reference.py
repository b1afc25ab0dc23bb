"""The two loss functions' checks that compare with the reference (hidden: never shipped;
the reference-free ones are in grader.checks.lossfns)."""

import functools

import numpy as np

from grader import reference
from grader.checks import efficiency
from grader.checks.framework import check_output
from grader.checks.lossfns import LABELS, student
from grader.worker import harness


@functools.lru_cache(maxsize=4096)
def expected(problem, fn):
    """The reference's outputs (the same for every check and every submission: kept)."""
    v, U = problem.arrays
    with reference.controlled_samples(problem.samples or []) as ref:
        return getattr(ref, fn)(v, problem.o, U, None, **({"K": problem.K} if problem.K else {}))


def aspect_body(ctx, fn, aspect, extra=None):
    """A property body: output `aspect` of the student's function equals the reference's.

    extra(problem, answer), when given, may raise Failure, or return the outputs to compare
    with instead of the reference's on `problem` (negative sampling: the right outputs for
    the samples of a later getNegativeSamples call, recomputed by the grader); None keeps them.
    """
    def body(problem):
        answer, outputs = student(ctx, problem, fn)
        want = (extra(problem, answer) if extra else None) or expected(problem, fn)
        check_output(ctx, problem, outputs[aspect], want[aspect],
                     aspect, LABELS[aspect], events=answer)
    return body


def all_outputs_body(ctx, fn, extra=None):
    """Like aspect_body, for all three outputs."""
    def body(problem):
        answer, outputs = student(ctx, problem, fn)
        want = (extra(problem, answer) if extra else None) or expected(problem, fn)
        for aspect in range(3):
            check_output(ctx, problem, outputs[aspect], want[aspect], aspect, LABELS[aspect],
                         events=answer)
    return body


def speed(ctx, fn, problem, small, hint, also=()):
    """The efficiency check at `problem` (realistic) against `small` (the same, but small, for
    the explanation). Each timed call gets a fresh centerWordVec (from efficiency.SEEDS) with
    the same outsideVectors: new inputs for memoisation, without drawing V x D numbers again.
    also: other sample lists whose right outputs are accepted too (negative sampling: what
    getNegativeSamples' later calls return in the worker)."""
    return efficiency.compare_speed(
        ctx, f"V = {problem.V}, D = {problem.D}",
        [functools.partial(_timed, fn, problem, seed, tuple(also)) for seed in efficiency.SEEDS],
        hint=hint, small=(f"V = {small.V}, D = {small.D}", small.request(fn)), arity=3)


def _outside_recipe(V, D, seed):
    """The timed calls' outsideVectors as harness.seeded_normal's recipe: LossProblem(V, D,
    seed=seed).arrays' own (D numbers for centerWordVec first, then V x D)."""
    return {"seed": seed, "skip": D, "shape": [V, D]}


def draw_soon(problem) -> None:
    """Draw the timed calls' outsideVectors at `problem`'s size (a LossProblem) in the
    background, while the grader waits for the worker (efficiency.in_background): a fresh
    grading process otherwise stops ~40 ms for them at its first efficiency check. Once per
    process (a batch's grading processes keep them)."""
    key = (problem.V, problem.D, problem.seed)
    if key not in _drawn and key not in _drawing:
        _drawing.add(key)
        efficiency.in_background(lambda: _outside_vectors(*key), "draw outsideVectors")


_drawn, _drawing = {}, set()   # (V, D, seed) -> outsideVectors; those draw_soon started


def _outside_vectors(V, D, seed):
    """The timed calls' outsideVectors, drawn once for both loss functions (V x D numbers)."""
    key = (V, D, seed)
    if key not in _drawn:
        if len(_drawn) >= 4:
            _drawn.clear()
        _drawn[key] = harness.seeded_normal(_outside_recipe(V, D, seed))
    return _drawn[key]


def _timed(fn, problem, seed, also=()):
    v = np.random.default_rng(seed).standard_normal(problem.D)

    def run(samples=problem.samples):
        U = _outside_vectors(problem.V, problem.D, problem.seed)   # drawn at the first run
        with reference.controlled_samples(samples or []) as ref:
            return getattr(ref, fn)(v, problem.o, U, None)
    # Not LossProblem.request: U is drawn in the worker from its recipe (8 MB less to send)
    recipe = _outside_recipe(problem.V, problem.D, problem.seed)
    request = {"op": "call", "fn": fn, "args": [v, problem.o, {"$normal": recipe}, {"$ref": "dataset"}],
               "dataset": {"V": problem.V, "seed": problem.seed}}
    if problem.samples is not None:
        request.update(samples=list(problem.samples), good_sigmoid=True)
    return efficiency.Timed(request, run, others=lambda: [run(samples) for samples in also],
                            rows=(2, _rows_back(problem, also)))


SPREAD_ROWS = 64


def _rows_back(problem, also=()):
    """The rows of gradOutsideVecs that come back from a timed call: spread over all V, plus
    every row the gradient treats apart (the outside word's, each sampled word's). Computing
    any of them takes the whole pass over the vocabulary, so they show the work was done;
    fixed, so a submission always gets the same verdict."""
    rows = set(np.linspace(0, problem.V - 1, SPREAD_ROWS).astype(int).tolist())
    rows |= {problem.o, *(problem.samples or ()), *(w for samples in also for w in samples)}
    return tuple(sorted(rows))
