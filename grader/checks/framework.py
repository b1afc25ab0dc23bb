"""The machinery every exercise's checks share: calling the student, running a property over
generated inputs with Hypothesis, and turning the smallest failure into feedback.
"""

import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import Flaky

from grader.checks.compare import compare, describe_type, matches
from grader.sandbox.client import WorkerFailure


class Failure(Exception):
    """The student's code is wrong on this input; `message` says how, for the student."""

    def __init__(self, message, kind="wrong", actual=None, aspect=None, events=None):
        super().__init__(message)
        self.message, self.kind = message, kind
        self.actual, self.aspect, self.events = actual, aspect, events or {}


@dataclass
class Mistake:
    """A catalogued wrong variant: `compute(problem)` gives the outputs the mistake produces."""
    name: str
    fix: str
    compute: object = None           # problem -> tuple of outputs, same order as the function's
    detect: object = None            # (problem, events) -> bool, for mistakes seen in behaviour


@dataclass
class Check:
    """One graded question about a function; `run(ctx)` answers it with an Outcome."""
    id: str
    title: str
    run: object
    efficiency: bool = False


@dataclass
class Outcome:
    passed: bool
    feedback: str = ""
    mistake: str = ""
    kind: str = ""       # the failure's kind (see Failure), "" when passed


@dataclass
class Context:
    """Everything a check needs: the worker, the rubric and this function's running totals."""
    worker: object
    rubric: object
    function: str
    mistakes: list = field(default_factory=list)
    spent: float = 0.0
    notes: list = field(default_factory=list)
    cache: dict = field(default_factory=dict)
    passed: set = field(default_factory=set)   # ids of this function's checks passed so far

    def call(self, request, timeout=None):
        """Call the student's function in the worker; raise Failure for anything but a value."""
        budget = self.rubric.function_budget_seconds
        over = Failure(f"time budget: {self.function} used up its {budget:g} s of grading "
                       "time, so its remaining checks were not run.", kind="budget")
        if self.spent > budget:
            raise over
        # No call may run past the budget: a slow function's last call is cut short too.
        wanted = timeout or self.rubric.limits.call_seconds
        started = time.monotonic()
        try:
            answer = self.worker.call(request, max(min(wanted, budget - self.spent), 0.05))
        except WorkerFailure as exc:
            if exc.kind == "time_limit" and budget - self.spent < wanted:
                raise over from None
            raise Failure(exc.message[:1].upper() + exc.message[1:] + ".", kind=exc.kind) from None
        finally:
            self.spent += time.monotonic() - started
        if not answer.get("ok"):
            raise error_failure(self.function, answer.get("error") or {})
        return answer

    def cached_call(self, key, request):
        if key not in self.cache:
            try:
                self.cache[key] = self.call(request)
            except Failure as exc:
                if exc.kind in ("time_limit", "crashed", "exited", "protocol", "budget"):
                    raise
                self.cache[key] = exc
        value = self.cache[key]
        if isinstance(value, Failure):
            raise value
        return value


def error_failure(function, error):
    """A Failure describing an exception the student's code raised."""
    kind, message = error.get("type", "Error"), error.get("message", "")
    if kind == "NotImplementedError":
        return Failure(f"{function} is not implemented yet (it raises NotImplementedError).",
                       kind="not_implemented")
    if kind == "MissingFunction":
        return Failure(f"{function} is not defined in your file.", kind="missing")
    where = error.get("where") or []
    trace = "".join(f"\n    {line}" for line in where)
    if kind == "SystemExit":
        return Failure(f"Your code called sys.exit() ({message}) while {function} ran.{trace}",
                       kind="exception")
    return Failure(f"{function} raised {kind}: {message}{trace}", kind="exception")


def unpack(answer, function, arity):
    """The returned value as a tuple of `arity` outputs, or a Failure saying what came back."""
    value = answer["value"]
    if arity == 1:
        return (value,)
    if value is None:
        raise Failure(f"{function} returned None: did you forget the `return` line?", kind="type")
    if not isinstance(value, (tuple, list)) or len(value) != arity:
        raise Failure(f"{function} should return {arity} values, but returned "
                      f"{describe_type(value) if not isinstance(value, (tuple, list)) else f'{len(value)} values'}.",
                      kind="type")
    return tuple(value)


def check_output(ctx, problem, actual, expected, aspect, label, events=None):
    """Compare one output; raise Failure with the known mistake named when one fits."""
    verdict = compare(actual, expected, label)
    if verdict.note and not any(n.startswith(f"{ctx.function}: {label} ") for n in ctx.notes):
        ctx.notes.append(f"{ctx.function}: {verdict.note}")
    if not verdict.ok:
        raise Failure(verdict.message, actual=actual, aspect=aspect, events=events)


def diagnose(ctx, problems_and_failures):
    """The first catalogued mistake that explains every recorded failure, or None."""
    for mistake in ctx.mistakes:
        if all(_explains(mistake, p, f) for p, f in problems_and_failures):
            return mistake
    return None


def _explains(mistake, problem, failure):
    if mistake.detect is not None:
        try:
            return bool(mistake.detect(problem, failure))
        except Exception:  # noqa: BLE001 - a detector must never break grading
            return False
    if mistake.compute is None or failure.aspect is None or failure.actual is None:
        return False
    try:
        outputs = mistake.compute(problem)
    except Exception:  # noqa: BLE001
        return False
    return matches(failure.actual, outputs[failure.aspect])


FATAL = ("time_limit", "crashed", "exited", "protocol", "budget", "not_implemented", "missing")


def run_property(ctx, strategy, body, examples, explicit=()):
    """Run body(problem) on generated problems; return an Outcome with the smallest failure."""
    failures = []
    fatal = []

    def test(problem):
        if fatal:  # the worker died or hung: stop at once instead of shrinking through timeouts
            raise fatal[0][1]
        try:
            body(problem)
        except Failure as exc:
            failures.append((problem, exc))
            if exc.kind in FATAL:
                fatal.append((problem, exc))
            raise

    run = given(strategy)(test)
    for problem in explicit:
        from hypothesis import example
        run = example(problem)(run)
    run = settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                   suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                   report_multiple_bugs=False, print_blob=False,
                   phases=(Phase.explicit, Phase.generate, Phase.shrink))(run)
    run = seed(ctx.rubric.seed)(run)
    try:
        run()
    except Failure:
        pass
    except Flaky:
        pass
    except BaseException as exc:  # noqa: BLE001 - an unexpected grader error must not crash grading
        if not failures:
            return Outcome(False, f"The grader could not run this check ({type(exc).__name__}: {exc}).")
    if not failures:
        return Outcome(True)
    problem, failure = fatal[0] if fatal else failures[-1]
    mistake = diagnose(ctx, [failures[0], failures[-1]]) if not fatal else None
    return Outcome(False, feedback(problem, failure, mistake), mistake.name if mistake else "",
                   failure.kind)


def feedback(problem, failure, mistake=None):
    """Student-facing text: the input, what went wrong, and the known mistake if one fits."""
    if failure.kind in ("not_implemented", "missing", "budget"):
        return failure.message
    lines = ["Smallest input that shows it:"] + ["    " + line for line in problem.describe()]
    lines.append(failure.message)
    if mistake is not None:
        lines.append(f"Likely mistake: {mistake.name}.")
        lines.append(f"How to fix it: {mistake.fix}")
    return "\n".join(lines)


def run_once(ctx, problem, body):
    """A check on one fixed input (no search), with the same feedback as run_property."""
    try:
        body(problem)
    except Failure as exc:
        mistake = diagnose(ctx, [(problem, exc)]) if exc.kind not in FATAL else None
        return Outcome(False, feedback(problem, exc, mistake), mistake.name if mistake else "",
                       exc.kind)
    return Outcome(True)
