"""Write grader/public_cases.json: the student release's fixed cases, with the outputs the
reference gives on them (run here, on the trusted side, when the release is built).

The inputs are chosen by hand to cover what the hidden checks search for (scalars and arrays
of several shapes, one word, one dimension, huge scores, repeated negative samples, K = 1,
repeated outside words and the center word among them) while staying few: they are
published, so they teach; the hidden tests still draw many more inputs.
"""

import json

from grader import reference
from grader.checks import loss_reference, lossfns, skipgram
from grader.checks.inputs import LossProblem, SigmoidProblem, SkipgramProblem
from grader.checks.public import FORMAT, GivenSigmoid, encode_case

NAIVE, NEG = "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient"

_naive = [LossProblem(V=1, D=1, o=0, seed=11), LossProblem(V=4, D=3, o=2, seed=12),
          LossProblem(V=7, D=5, o=0, seed=13, scale=3.0), LossProblem(V=5, D=2, o=4, seed=14, scale=0.1)]
_neg = [LossProblem(V=12, D=3, o=1, seed=21, samples=(2, 3, 4, 5, 6, 7, 8, 9, 10, 11)),
        LossProblem(V=11, D=4, o=10, seed=22, scale=2.0, samples=(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))]
_skipgram = [SkipgramProblem(V=1, D=1, center=0, window=1, outside=(0,), seed=31),
             SkipgramProblem(V=5, D=3, center=2, window=2, outside=(0, 1, 3, 4), seed=32),
             SkipgramProblem(V=4, D=2, center=1, window=3, outside=(3, 1, 3, 0, 3), seed=33)]

CASES = [
    ("sigmoid", "matches_reference", [
        SigmoidProblem(shape=(), seed=1, scale=1.0, as_python_float=True),
        SigmoidProblem(shape=(), seed=2, scale=3.0),
        SigmoidProblem(shape=(4,), seed=3, scale=1.0),
        SigmoidProblem(shape=(2, 3), seed=4, scale=3.0),
        SigmoidProblem(shape=(2, 1, 2), seed=5, scale=0.1)]),
    ("sigmoid", "large_inputs", [
        GivenSigmoid(shape=(6,), seed=0, scale=1.0, values=(-800.0, -720.0, -60.0, 60.0, 720.0, 800.0))]),
    *[(NAIVE, aspect, _naive) for aspect in lossfns.LABELS],
    (NAIVE, "large_scores", [LossProblem(V=3, D=2, o=1, seed=15, shift=1000.0),
                             LossProblem(V=5, D=3, o=0, seed=16, shift=-1000.0)]),
    *[(NEG, aspect, _neg) for aspect in lossfns.LABELS],
    (NEG, "repeated_samples", [LossProblem(V=3, D=2, o=0, seed=23, samples=(1, 2, 1, 1, 2, 1, 2, 2, 1, 1)),
                               LossProblem(V=5, D=3, o=4, seed=24, samples=(0, 0, 1, 2, 3, 0, 1, 1, 0, 2))]),
    (NEG, "any_K", [LossProblem(V=3, D=2, o=2, seed=25, samples=(0,), K=1),
                    LossProblem(V=6, D=3, o=0, seed=26, samples=(3, 1, 3, 5), K=4)]),
    *[("skipgram", aspect, _skipgram) for aspect in skipgram.LABELS],
]


def further_cases(functions=None):
    """Cases of the graded functions beyond the four above (an optional exercise switched on):
    each names its published inputs in its public module (PUBLIC_CASES), one list for every
    output, under the output's name."""
    import importlib
    from grader import registry, rubric
    functions = rubric.load().functions if functions is None else functions
    out = []
    for function in functions:
        public = importlib.import_module(registry.get(function).public)
        for aspect in registry.get(function).labels if hasattr(public, "PUBLIC_CASES") else ():
            out.append((function, aspect, public.PUBLIC_CASES))
    return out


def expected(function, problem):
    """The reference's outputs on one problem, as a tuple."""
    if function not in (NAIVE, NEG, "sigmoid", "skipgram"):
        import importlib
        from grader import registry
        return tuple(importlib.import_module(registry.get(function).hidden).expected(problem))
    if function == "sigmoid":
        return (reference.module().sigmoid(problem.x),)
    if function == "skipgram":
        return tuple(skipgram.expected(problem))
    return tuple(loss_reference.expected(problem, function))


def build(path, functions=None):
    data = {"format": FORMAT,
            "about": "Public cases of the word2vec exercise: inputs and the expected outputs. "
                     "The final grade uses hidden tests on many more inputs.",
            "cases": [encode_case(fn, check, problem, expected(fn, problem))
                      for fn, check, problems in CASES + further_cases(functions)
                      for problem in problems]}
    path.write_text(json.dumps(data, indent=1) + "\n")
    return len(data["cases"])
