"""One module of checks per exercise function, in the order they are graded.

`exercises(mode)` gives the check modules for a rubric mode: "hidden" (the full grader, which
compares with the reference) or "public" (grader.checks.public, shipped to students, which
has no reference). Imports are deferred so the public grader never loads the hidden modules.
"""


def exercises(mode="hidden"):
    if mode == "public":
        from grader.checks import public
        return public.EXERCISES
    from grader.checks import naive_softmax, neg_sampling, sigmoid, skipgram
    return {
        "sigmoid": sigmoid,
        "naiveSoftmaxLossAndGradient": naive_softmax,
        "negSamplingLossAndGradient": neg_sampling,
        "skipgram": skipgram,
    }


def __getattr__(name):
    if name == "EXERCISES":  # the full grader's checks, as before
        return exercises()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
