"""Efficiency: the student's time per call against the reference's, measured in the same run.

Both are timed on a realistic size. The student's time is taken from the grader's side of
the pipe (what the worker reports about itself is not trusted). The worker keeps the call's
inputs, so a timed request carries only a repeat count, and no arrays come back.

A request that runs the function 1 + R times, divided by 1 + R, is an upper bound on the
time per call (the request's own cost and noise only add to it): when that bound is within
the limit, the check passes at once. Otherwise the time per call is the difference between
that request and one that runs the function once, so the request's own cost cancels out,
with the best of a few trials of each, since noise on a shared machine only ever adds time.
"""

import time

from grader.checks.framework import Failure, Outcome

MAX_RATIO = 10.0      # vectorised code is within a small factor; a Python loop over V is 50x+
SLACK_SECONDS = 2e-4  # below this, differences are noise
TRIALS = 3
WINDOW_SECONDS = 0.003   # the reference's work in one timed run: well above wake-up delays
MIN_REPEAT, MAX_REPEAT = 10, 100
CLEARLY_SLOWER = 3.0     # two trials this far over the limit settle a round
ROUNDS = 2               # a shared machine can stall one round; rarely two in a row
LINE_GROWTH, LINE_SLACK = 2.0, 50  # lines that grow past this with the input size are a loop


def reference_seconds(run, repeat):
    best = float("inf")
    for _ in range(TRIALS):
        started = time.perf_counter()
        for _ in range(repeat):
            run()
        best = min(best, time.perf_counter() - started)
    return best / repeat


def repeats_for(ref):
    """Calls per timed run: enough that the reference's share is about WINDOW_SECONDS, so a
    scheduling delay on a loaded machine is small next to the work being timed."""
    return max(MIN_REPEAT, min(MAX_REPEAT, int(WINDOW_SECONDS / max(ref, 1e-9)) + 1))


def student_seconds(ctx, request, repeat, limit):
    """(time per call, whether an upper bound on it already showed it within `limit`)."""
    def timed(n):
        started = time.perf_counter()
        ctx.call({"op": "call_kept", "repeat": n}, timeout=ctx.rubric.limits.call_seconds * (n + 1))
        return time.perf_counter() - started
    ctx.call({"op": "keep", "request": request})
    once = many = float("inf")
    for trial in range(TRIALS):
        once = min(once, timed(1))  # first: code that never returns is stopped within a call's limit
        many = min(many, timed(1 + repeat))
        estimate = max(0.0, many - once) / repeat
        if many / (1 + repeat) <= limit:
            return (estimate if estimate > 0 else many / (1 + repeat)), True
        if trial >= 1 and estimate > CLEARLY_SLOWER * limit:
            break
    return estimate, False


def python_lines(ctx, request):
    """How many lines of the submission's own code one call runs (counted in the worker)."""
    return int(ctx.call(dict(request, count_lines=True)).get("lines") or 0)


def compare_speed(ctx, size_text, request, reference_run, hint="", small=None):
    """Outcome of the efficiency check on `request` (a realistic size).

    First, deterministically: do the lines of Python the student's code runs grow with the
    size of the input (`small` is (text, request) for a small size)? Vectorised code runs the
    same lines whatever the size and passes at once. Code that loops in Python over the
    vocabulary or the vector dimensions is then timed against the reference, and fails only
    when it is also more than MAX_RATIO times slower. The feedback quotes line counts, never
    times, so the same file always gets the same words.
    """
    try:
        lines = None
        if small is not None:
            small_text, small_request = small
            few, many = python_lines(ctx, small_request), python_lines(ctx, request)
            lines = (f"one call ran {few} line(s) of your code on {small_text} "
                     f"and {many} on {size_text}")
            if many <= LINE_GROWTH * few + LINE_SLACK:
                return Outcome(True, f"No Python loop grows with the input: {lines}.")
        for _ in range(ROUNDS):  # a verdict of "slow" must hold in two separate measurements
            ref = reference_seconds(reference_run, MIN_REPEAT)
            limit = ref * MAX_RATIO + SLACK_SECONDS
            mine, within = student_seconds(ctx, request, repeats_for(ref), limit)
            if within or mine <= limit:
                break
    except Failure as exc:
        return Outcome(False, f"On a realistic size ({size_text}): {exc.message}", kind=exc.kind)
    loop = (f"{lines[0].upper()}{lines[1:]}: a Python loop over the vocabulary or the vector "
            "dimensions" if lines else f"On {size_text} your code")
    if within or mine <= limit:
        return Outcome(True, f"{loop}, yet within {MAX_RATIO:g}x of the reference's time on "
                             f"{size_text}. Vectorising it would still make training faster.")
    return Outcome(False, f"{loop}, and more than {MAX_RATIO:g}x slower than the reference there."
                          f"\nLikely mistake: Python loops where numpy vectorises."
                          f"\nHow to fix it: {hint}",
                   mistake="Python loops where numpy vectorises")
