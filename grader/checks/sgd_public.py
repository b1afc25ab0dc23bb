"""sgd's shippable half: its inputs, calling the student's sgd, and what any correct sgd does,
judged by the grader from the points x the grader's own f was called at (no reference, no
mistakes: this module ships with the student release when the rubric switches sgd on;
grader.checks.sgd holds the rest).

sgd is graded on the grader's quadratics f(x) = 1/2 sum a (x - c)^2, never on the student's
skipgram, so its credit does not depend on word2vec. The contract (solutions/sgd.py): each
iteration t calls f once at x_t, then x_{t+1} = postprocessing(x_t - step_t * grad(x_t)) with
step_t = step * 0.5 ** ((t - 1) // ANNEAL_EVERY). Every call uses useSaved=False, so sgd writes
no checkpoint (and runs in the worker's private folder anyway).
"""

from dataclasses import dataclass

import numpy as np

from grader.checks.compare import as_array, describe_type, fmt
from grader.checks.framework import Check, Failure, Outcome, diagnose, feedback, hints, unpack

FN = "sgd"
LABELS = ("x",)
ANNEAL_EVERY = 20000          # the contract's constant (solutions/sgd.py)
TOLERANCE = 1e-6              # the course's sanity checks: abs(x - minimiser) <= 1e-6


@dataclass(frozen=True)
class SgdProblem:
    """One run of sgd on f(x) = 1/2 sum a (x - c)^2; `bound` > 0: postprocessing clips x to
    [-bound, bound]; `keep`: the call numbers (1-based) whose x the grader's f records."""
    a: tuple
    c: tuple
    x0: tuple
    step: float
    iterations: int
    bound: float = 0.0
    keep: tuple = ()

    def request(self):
        """The worker's call request: the grader's f (and postprocessing) as stand-ins."""
        kwargs = {"postprocessing": {"$ref": "postprocessing"} if self.bound else None,
                  # printing once keeps the output short; useSaved=False: no checkpoint files
                  "useSaved": False, "PRINT_EVERY": self.iterations}
        return {"op": "call", "fn": FN,
                "args": [{"$ref": "f"}, np.array(self.x0, dtype=float), self.step,
                         self.iterations], "kwargs": kwargs,
                "objective": {"a": list(self.a), "c": list(self.c), "keep": list(self.keep),
                              "bound": self.bound}}

    def gradient(self, x):
        return np.asarray(self.a) * (np.asarray(x, float) - np.asarray(self.c))

    @property
    def minimiser(self):
        """Where f is smallest over the box postprocessing allows (f is separable)."""
        c = np.asarray(self.c, float)
        return np.clip(c, -self.bound, self.bound) if self.bound else c

    def describe(self):
        lines = [f"f(x) = 1/2 sum(a * (x - c)**2), returning (cost, a * (x - c)), with "
                 f"a = {_listed(self.a)}, c = {_listed(self.c)}",
                 f"x0 = {_listed(self.x0)}, step = {self.step:g}, "
                 f"iterations = {self.iterations}"]
        if self.bound:
            lines.append(f"postprocessing clips x to [-{self.bound:g}, {self.bound:g}]")
        return lines


def _listed(values):
    """[1e-05, 2e-05]: every coefficient readable (fmt's 4 decimals would show 0.)."""
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


# Short runs that converge (to 1e-9 or better) under the contract; the last one clips.
RUNS = [SgdProblem(a=(2.0,), c=(0.0,), x0=(-1.5,), step=0.01, iterations=1000),
        SgdProblem(a=(1.0, 3.0), c=(0.5, -1.5), x0=(2.0, 1.0), step=0.1, iterations=300),
        SgdProblem(a=(1.0, 1.0, 0.5), c=(2.0, -0.3, -3.0), x0=(0.0, 0.0, 0.0), step=0.2,
                   iterations=200, bound=1.0)]
CLIPPED = RUNS[2]
# A run past the first annealing: steps so small that x is still far from c, so each step
# can be read off two successive points: step_t = (x_t - x_{t+1}) / grad(x_t).
ANNEAL_STEPS = (1, 2, ANNEAL_EVERY - 1, ANNEAL_EVERY, ANNEAL_EVERY + 1)
ANNEALING = SgdProblem(a=(1e-5, 2e-5), c=(0.0, 0.0), x0=(1.0, -2.0), step=1.0,
                       iterations=ANNEAL_EVERY + 2,
                       keep=tuple(sorted({t for s in ANNEAL_STEPS for t in (s, s + 1)})))
LONG_CALL_SECONDS = 10.0      # 20002 iterations of Python: far more than one word2vec call


def student(ctx, problem):
    """(answer, x) of the student's sgd on `problem`."""
    timeout = LONG_CALL_SECONDS if problem.iterations > 1000 else None
    answer = ctx.cached_call((FN, problem), problem.request(), timeout)
    (x,) = unpack(answer, FN, 1)
    return answer, x


def final_x(problem, x, answer):
    """x as a float array of x0's shape, or a Failure saying what came back instead."""
    arr = as_array(x, len(problem.x0))
    if arr is None or arr.size != len(problem.x0):
        raise Failure(f"sgd should return x, of x0's shape ({len(problem.x0)},), got "
                      f"{describe_type(x)}.", kind="shape", events=answer)
    return arr.reshape(len(problem.x0))


def calls(answer):
    """What the grader's f and postprocessing recorded: (f calls, postprocessing calls)."""
    seen = answer.get("objective")
    seen = seen if isinstance(seen, dict) else {}   # the worker's word: anything may come back
    return tuple(n if isinstance(n, int) and not isinstance(n, bool) else None
                 for n in (seen.get("calls"), seen.get("post_calls")))


def minimises_body(ctx):
    def body(problem):
        answer, x = student(ctx, problem)
        arr = final_x(problem, x, answer)
        want = problem.minimiser
        if not np.all(np.abs(arr - want) <= TOLERANCE):
            raise Failure(f"sgd returned x = {fmt(arr)}, but f is smallest at {fmt(want)}; "
                          f"after {problem.iterations} iterations x should be within "
                          f"{TOLERANCE:g} of it.", actual=x, aspect=0, events=answer)
    return body


def once_body(ctx):
    def body(problem):
        answer, x = student(ctx, problem)
        n, _ = calls(answer)
        if n != problem.iterations:
            raise Failure(f"sgd called f {n} times in {problem.iterations} iterations; each "
                          "iteration needs one loss and one gradient, so exactly one call of "
                          "f, and f is the costly part of training.", actual=x, aspect=0,
                          events=answer)
    return body


def postprocessing_body(ctx):
    def body(problem):
        answer, x = student(ctx, problem)
        _, n = calls(answer)
        if n != problem.iterations:
            raise Failure(f"sgd called postprocessing {n or 0} times in {problem.iterations} "
                          "iterations; it must be applied to x once every iteration, after "
                          "the update (in word2vec it keeps the vectors normalised).",
                          actual=x, aspect=0, events=answer)
        minimises_body(ctx)(problem)
    return body


def steps_used(problem, answer):
    """{iteration t: the step sgd used there}, read off the points f was called at."""
    seen = answer.get("objective")
    kept = seen.get("kept") if isinstance(seen, dict) else None
    points = {}
    for key, value in (kept.items() if isinstance(kept, dict) else ()):
        if not (isinstance(key, str) and key.isdigit() and len(key) < 7):
            continue
        arr = as_array(value, len(problem.x0))
        if arr is not None and arr.size == len(problem.x0):
            points[int(key)] = arr.reshape(-1)
    steps = {}
    for t in ANNEAL_STEPS:
        if t in points and t + 1 in points:
            with np.errstate(all="ignore"):   # forged points may sit at the minimum
                ratio = (points[t] - points[t + 1]) / problem.gradient(points[t])
            steps[t] = float(np.mean(ratio))
    return steps


def anneals_body(ctx):
    def body(problem):
        answer, x = student(ctx, problem)
        n, _ = calls(answer)
        if n != problem.iterations:
            raise Failure(f"The step sizes could not be read off: sgd called f {n} times in "
                          f"{problem.iterations} iterations (once per iteration is needed).",
                          actual=x, aspect=0, events=answer)
        steps = steps_used(problem, answer)
        expected = {t: problem.step * 0.5 ** ((t - 1) // ANNEAL_EVERY) for t in ANNEAL_STEPS}
        wrong = [t for t in ANNEAL_STEPS
                 if t not in steps or not np.isclose(steps[t], expected[t], rtol=1e-4)]
        if wrong:
            t = wrong[0]
            got = f"{steps[t]:.6g}" if t in steps else "none that could be read off"
            raise Failure(f"At iteration {t} sgd stepped by {got} times the gradient; the "
                          f"contract's step there is {expected[t]:g} (step, halved every "
                          f"{ANNEAL_EVERY} iterations).", actual=x, aspect=0,
                          events=dict(answer, steps=steps))
    return body


def run_fixed(ctx, problems, body):
    """Run `body` on each fixed problem in turn; the first failure, with its known mistake
    named, is the Outcome (as framework.run_once, over a list)."""
    from grader.checks.framework import FATAL, FIXED
    for problem in problems:
        try:
            body(problem)
        except Failure as exc:
            mistake = diagnose(ctx, [(problem, exc)]) if exc.kind not in FATAL else None
            return Outcome(False, feedback(problem, exc, mistake, hints(ctx), FIXED),
                           mistake.name if mistake else "", exc.kind)
    return Outcome(True)


def property_checks():
    """The checks that need no reference (shared by the full grader and the release). They
    read what the grader's f and postprocessing recorded inside the worker (which the student's
    code could forge), so they pay only once x itself is right (reported)."""
    return [
        Check("anneals", "halves the step every ANNEAL_EVERY iterations, as the contract says",
              lambda ctx: run_fixed(ctx, [ANNEALING], anneals_body(ctx)), reported=True),
        Check("postprocessing", "applies postprocessing to x once every iteration",
              lambda ctx: run_fixed(ctx, [CLIPPED], postprocessing_body(ctx)), reported=True),
        Check("calls_f_once", "calls f exactly once per iteration",
              lambda ctx: run_fixed(ctx, RUNS, once_body(ctx)), reported=True),
    ]


PROPERTY_CHECKS = property_checks()
# The release: x must end at the minimiser (known without the reference: f is the grader's).
CHECKS = [Check("minimises", "ends at the minimum of simple quadratics",
                lambda ctx: run_fixed(ctx, RUNS, minimises_body(ctx))),
          *PROPERTY_CHECKS]
