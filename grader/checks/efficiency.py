"""Efficiency: the student's CPU time per call against the reference's, on the same inputs.

The verdict rests only on what the grader measures itself:
- the student's time is the CPU time the kernel charged the worker's processes for one call,
  read from /proc on the grader's side (WorkerClient.worker_times); CPU time, unlike
  wall time, does not grow with other work on the machine, so the verdict holds under load.
  The worker's lockdown lets it start threads but no process (lockdown.refuse_processes):
  a child's CPU time can escape the count (reaped by the kernel itself, or rounded down to
  its reaper's clock ticks). Where it cannot refuse them (no seccomp), the time is the
  longer of the CPU time and the call's wall time less the time the worker and the grader
  waited for a core (also the kernel's count), which sees a child's work but can
  over-subtract on a heavily loaded machine;
- every timed call gets fresh inputs (never seen before, so memoising earns nothing), and
  its result must match the reference's on them (a worker that skips the work is caught);
- the reference's CPU time on the same inputs is measured in the grader's process.

A function fails when its fastest call is more than MAX_RATIO times the reference's
fastest, plus OVERHEAD_SECONDS: vectorised code is within a small factor, a Python loop over
the vocabulary (or over every number) is 15x or more; a loop over the D = 50 dimensions whose
every step is vectorised over the V words stays within it (~3x, an attacker's review measured).
The feedback never quotes times (they vary from run to run): a failure is explained by how
many lines of the student's own code one call runs at a small and at the realistic size
(counted in the worker, so an explanation, never a verdict).
"""

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from grader.checks.compare import compare
from grader.checks.framework import Failure, Outcome, unpack
from grader.sandbox import cputime

MAX_RATIO = 10.0      # vectorised code is within a small factor; a Python loop over V is 15x+
OVERHEAD_SECONDS = 2e-3  # added to the limit: the worker's own handling of a timed call
                         # (~1.5 ms on sigmoid's 50,000 numbers, which the reference, timed
                         # here, does not pay); a stable vectorised sigmoid failed under load
WALL_SLACK_SECONDS = 1e-3  # a call's time less waiting, beyond its CPU time: the pipe's
                           # wake-ups and the machine's own work (see _measured)
# The fresh inputs of the timed calls, one seed each: drawn anew by every grading process,
# so that no submission can know them beforehand (with fixed seeds, a reviewer's file worked
# the answers out with its loops at import and looked them up in the timed call). Verdicts
# and feedback do not depend on them: honest code's speed does not, and no text quotes them.
SEEDS = tuple(int.from_bytes(os.urandom(4), "little") for _ in range(3))
# The worker's CPU time for answering the value's request, allowed before work hidden there
# counts (measured: 0.2-0.5 ms for 26-42 KB, 0.8-1.2 ms for 400 KB, 0.9-1.4 ms for 1.6 MB).
# From the size the reference's value has, never from what the answer costs here: a reviewer
# bought allowance for a loop run there by padding the answer, returning a list, or flooding
# the output the grader drains meanwhile (4x the grader's own receiving time, before).
SEND_SECONDS = 6e-4
SEND_SECONDS_PER_BYTE = 2.5e-9
REFERENCE_RUNS = 2    # per input: the fastest of a few runs of the (cheap) reference
CLEARLY_WITHIN = 0.5  # one call this far under the limit settles it (no further inputs)
LINE_GROWTH, LINE_SLACK = 2.0, 50  # lines that grow past this with the input size are a loop


@dataclass
class Timed:
    """One timed input: the student's call on it and the reference's outputs on it."""
    request: dict                       # a worker call request (fresh inputs)
    reference: Callable[[], tuple]      # () -> the reference's outputs, as a tuple
    others: Optional[Callable[[], list]] = None   # () -> other right outputs (tuples), if any
    late: tuple = (0,)   # positions of the arguments sent with the timed call itself: the
                         # answer depends on them, so no work before it can settle it
    rows: Optional[tuple] = None   # (output, row indices): of that output only these rows
                                   # come back (a V x D gradient: 32 KB instead of 8 MB)


_background = []   # threads of in_background() not yet waited for


def in_background(work: Callable[[], None], name: str = "grader work") -> None:
    """Run `work` in a thread of the grader while it waits for the worker: numpy work that
    lets go of the interpreter, such as drawing the timed calls' large inputs (~40 ms in a
    fresh process), then runs on the other core. compare_speed waits for every such thread
    before it times anything, so the reference is always timed alone."""
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    _background.append(thread)


def _settle() -> None:
    """Wait for the work in_background() started (an error there is met again when the
    work is done the usual way)."""
    while _background:
        _background.pop().join()


def reference_seconds(timed: Timed, ready: Callable[[], object] = lambda: None
                      ) -> "tuple[float, tuple]":
    """(fastest CPU time of the reference on these inputs, its outputs), in this thread
    (time.thread_time: another thread of the grader, Hypothesis loading in the background,
    must not make the reference look slower and the limit looser).

    `ready()` is called between the untimed run and the timed ones: it waits for the
    worker's preparation of the same inputs (keep_inputs), which runs meanwhile, so that the
    worker is idle while the reference is timed (it may raise Failure).
    An untimed run comes first, and each run's outputs are freed before the next: a fresh
    grading process's first large allocations fault in new pages, 10 ms and more on a busy
    machine, which raised the limit the student is held to until a loop passed. Freed, they
    are reused (glibc raises its mmap threshold when an mmapped block is freed), so the
    fastest timed run faults none in; the worker warms its allocator before the student's one
    timed call instead (harness.warm_allocator).
    BLAS runs on one thread here, as in the worker: a helper thread's CPU time, and its
    spinning while it waits for a core on a loaded machine, would blur the comparison."""
    best = float("inf")
    with _one_blas_thread():
        outputs = timed.reference()
        ready()
        for _ in range(REFERENCE_RUNS):
            outputs = None   # freed first, so the next run reuses its memory
            started = time.thread_time()
            outputs = timed.reference()
            best = min(best, time.thread_time() - started)
    return best, outputs


def _one_blas_thread():
    global _controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:   # the student release has no efficiency check and no threadpoolctl
        return contextlib.nullcontext()
    _controller = _controller or ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


_controller = None


def keep_inputs(ctx, timed: Timed) -> Callable[[], dict]:
    """Send the timed call's inputs to the worker (all but the `late` arguments), which
    holds them, draws the seeded ones and warms its allocator (harness.warm_allocator);
    returns the function that waits for its answer (raising Failure as ctx.call does)."""
    args = timed.request.get("args", [])
    early = [None if i in timed.late else arg for i, arg in enumerate(args)]
    return ctx.call_later({"op": "keep", "request": dict(timed.request, args=early)})


def student_seconds(ctx, timed: Timed, arity: int, expected: tuple) -> float:
    """CPU seconds the worker spent on one call of the student's function on fresh inputs,
    once keep_inputs() has sent them.

    The inputs travel first and the value comes back afterwards, each in a request of its
    own, so neither transfer is counted; the `late` arguments (what the answer depends on:
    the fresh centre vector, x, the words) come with the timed call, so the submission cannot
    work the answer out in advance (in its own code, or in the worker's code it can patch)
    while untimed requests are read.
    The value must match `expected` (or one of `timed.others()`, computed here only when it
    does not); of a large output only the rows `timed.rows` names come back.
    Work hidden in the value's request counts too: its CPU time beyond an allowance for
    sending a value of the reference's size (SEND_SECONDS, SEND_SECONDS_PER_BYTE) is added.
    Raises Failure when the call fails or returns something else.
    """
    args = timed.request.get("args", [])
    late = [[i, args[i]] for i in timed.late if i < len(args)]
    _, cpu, elapsed = _measured(ctx, {"op": "call_kept", "fresh": True, "args_at": late})
    answer, sent_cpu, sent_elapsed = _measured(
        ctx, {"op": "kept_value", **({"rows": list(timed.rows)} if timed.rows else {})})
    outputs = unpack(answer, ctx.function, arity)

    def sent(wanted):
        if timed.rows:
            output, rows = timed.rows
            wanted = tuple(np.asarray(w)[list(rows)] if i == output else w
                           for i, w in enumerate(wanted))
        return wanted

    def right(wanted):
        return all(compare(mine, want, "").ok for mine, want in zip(outputs, sent(wanted)))
    if not right(expected) and not any(right(other) for other in (timed.others or list)()):
        raise Failure("your function's result there does not match the reference's, so its "
                      "speed cannot be judged.", kind="value")
    if cpu is None or sent_cpu is None:
        return elapsed   # no /proc (macOS): wall time seen from here, the best there is
    allowed = SEND_SECONDS + SEND_SECONDS_PER_BYTE * sum(
        np.asarray(w).nbytes for w in sent(expected))
    hidden = max(0.0, sent_cpu - allowed, sent_elapsed - allowed - WALL_SLACK_SECONDS)
    return max(cpu, elapsed - WALL_SLACK_SECONDS) + hidden


def _measured(ctx, request):
    """(answer, CPU seconds the worker's processes used on `request`, seconds it took less
    the time the worker and this thread waited for a core and this thread's own CPU time);
    the CPU is None without /proc, and the seconds are then the wall time. This thread's,
    not the grader process's: another thread's work (Hypothesis loading in the background)
    is no part of the call, and taking it off let a child's loop hide.

    Both are the kernel's counts, read here. Where the worker can start no process
    (processes_refused), the second is the first. Elsewhere it catches work the first cannot
    see: a child process the kernel reaps by itself (SIGCHLD ignored) takes its CPU time with
    it, but the call still lasts as long as the child works. Taking the worker's waiting off
    keeps honest code's verdict the same under load; spinning threads or children that wait
    for a core cannot hide a reaped child's work that way, since at equal priority each
    runnable task gets an equal share and the counted ones' CPU time grows as fast."""
    times = getattr(ctx.worker, "worker_times", lambda: None)
    before, waited, mine, wall = (times(), cputime.own_waiting_seconds(), time.thread_time(),
                                  time.perf_counter())
    answer = ctx.call(request)
    wall, mine = time.perf_counter() - wall, time.thread_time() - mine
    after, waited_after = times(), cputime.own_waiting_seconds()
    if None in (before, after, waited, waited_after):
        cpu, elapsed = None, wall
    elif processes_refused(ctx):
        cpu = elapsed = max(0.0, after[0] - before[0])   # one process: its CPU time is all
    else:
        cpu = max(0.0, after[0] - before[0])
        # A worker thread below normal priority waits for a core because it asked to: its
        # waiting (while a reaped child works, say) is not taken off.
        theirs = 0.0 if before[2] or after[2] else after[1] - before[1]
        elapsed = max(0.0, wall - theirs - (waited_after - waited) - mine)
    return answer, cpu, elapsed


def processes_refused(ctx) -> bool:
    """Whether the worker can start no process (lockdown.refuse_processes), so that its own
    CPU time holds all its work; what lockdown.py reported from the trusted side (the
    worker's one byte, sent before any of the submission's code ran), never the worker."""
    return bool((getattr(ctx.worker, "protections", None) or {}).get("processes_refused"))


def python_lines(ctx, request: dict) -> int:
    """How many lines of the submission's own code one call runs (counted in the worker)."""
    return int(ctx.call(dict(request, count_lines=True)).get("lines") or 0)


def compare_speed(ctx, size_text: str, timed: "list[Callable[[], Timed]]", hint: str = "",
                  small: Optional[tuple] = None, arity: int = 1) -> Outcome:
    """Outcome of the efficiency check on `timed` (makers of fresh inputs of one realistic
    size, called only when needed: one input is often enough).

    small: (text, request) of a small size, used only to explain a failure by line counts.
    arity: how many outputs the function returns.
    """
    _settle()
    try:
        mine = ref = float("inf")
        for make in timed:
            item = make()
            # The worker draws and warms while the reference's untimed run draws its inputs
            ref_once, expected = reference_seconds(item, ready=keep_inputs(ctx, item))
            ref = min(ref, ref_once)
            mine = min(mine, student_seconds(ctx, item, arity, expected))
            if mine <= CLEARLY_WITHIN * (ref * MAX_RATIO + OVERHEAD_SECONDS):
                break
        within = mine <= ref * MAX_RATIO + OVERHEAD_SECONDS
    except Failure as exc:
        return Outcome(False, f"On a realistic size ({size_text}): {exc.message}", kind=exc.kind)
    if within:
        return Outcome(True, f"Within {MAX_RATIO:g}x of the reference's CPU time on {size_text}.")
    return Outcome(False, f"{_explain(ctx, size_text, item.request, small)} more than "
                          f"{MAX_RATIO:g}x slower than the reference there (CPU time)."
                          f"\nLikely mistake: Python loops where numpy vectorises."
                          f"\nHow to fix it: {hint}",
                   mistake="Python loops where numpy vectorises")


def _explain(ctx, size_text, request, small):
    """Why it is slow, in line counts (the same words on every run), when they show it."""
    plain = f"On {size_text}, your code was"
    if small is None:
        return plain
    try:
        small_text, small_request = small
        few, many = python_lines(ctx, small_request), python_lines(ctx, request)
    except Failure:
        return plain
    if many <= LINE_GROWTH * few + LINE_SLACK:
        return plain
    return (f"One call ran {few} line(s) of your code on {small_text} and {many} on "
            f"{size_text}: a Python loop over the vocabulary or the vector dimensions. It was")
