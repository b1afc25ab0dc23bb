"""Efficiency: the student's time per call against the reference's, measured in the same run.

Both are timed on a realistic size. The student's time is taken from the grader's side of
the pipe (what the worker reports about itself is not trusted): the difference between a
request that runs the function 1 + R times and one that runs it once, so the cost of
sending the arrays cancels out.
"""

import time

from grader.checks.framework import Failure, Outcome

MAX_RATIO = 10.0      # vectorised code is within a small factor; a Python loop over V is 50x+
SLACK_SECONDS = 2e-4  # below this, differences are noise
TRIALS = 3


def reference_seconds(run, repeat):
    best = float("inf")
    for _ in range(TRIALS):
        started = time.perf_counter()
        for _ in range(repeat):
            run()
        best = min(best, time.perf_counter() - started)
    return best / repeat


def student_seconds(ctx, request, repeat):
    def timed(n):
        started = time.perf_counter()
        ctx.call(dict(request, repeat=n), timeout=ctx.rubric.limits.call_seconds * (n + 1))
        return time.perf_counter() - started
    once = min(timed(1) for _ in range(TRIALS))
    many = min(timed(1 + repeat) for _ in range(TRIALS))
    return max(0.0, many - once) / repeat


def compare_speed(ctx, size_text, request, reference_run, repeat=10, hint=""):
    """Outcome of comparing the student's per-call time with the reference's."""
    try:
        ref = reference_seconds(reference_run, repeat)
        mine = student_seconds(ctx, request, repeat)
    except Failure as exc:
        return Outcome(False, f"On a realistic size ({size_text}): {exc.message}", kind=exc.kind)
    ratio = mine / ref if ref > 0 else float("inf")
    text = (f"On a realistic size ({size_text}) your code took {mine * 1e3:.3g} ms per call; "
            f"the reference takes {ref * 1e3:.3g} ms ({ratio:.1f}x).")
    if mine <= ref * MAX_RATIO + SLACK_SECONDS:
        return Outcome(True, text)
    return Outcome(False, f"{text}\nLikely mistake: Python loops where numpy vectorises (more "
                          f"than {MAX_RATIO:g}x slower).\nHow to fix it: {hint}",
                   mistake="Python loops where numpy vectorises")
