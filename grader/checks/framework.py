"""The machinery every exercise's checks share: calling the student, running a property over
generated inputs with Hypothesis, and turning the smallest failure into feedback.
"""

import dataclasses
import re
import sys
import threading
import time
from dataclasses import dataclass, field

from grader.checks import failures as failure_kinds, generated
from grader.checks.compare import as_array, compare, describe_type, matches
from grader.sandbox.client import WAITING, WorkerFailure


class Failure(Exception):
    """The student's code is wrong on this input; `message` says how, for the student (given
    as text, or as a function that writes it when it is first read: see compare.Verdict)."""

    def __init__(self, message, kind="wrong", actual=None, aspect=None, events=None):
        super().__init__()
        self._message, self.kind = message, kind
        self.actual, self.aspect, self.events = actual, aspect, events or {}

    @property
    def message(self):
        if callable(self._message):
            self._message = self._message()
        return self._message

    def __str__(self):
        return self.message


@dataclass
class Mistake:
    """A catalogued wrong variant: `compute(problem)` gives the outputs the mistake produces."""
    name: str
    fix: str
    compute: object = None           # problem -> tuple of outputs, same order as the function's
    detect: object = None            # (problem, events) -> bool, for mistakes seen in behaviour
    derive: str = ""                 # the fix at the `derive` hint level, when `fix` gives the
                                     # finished expression away: names the wrong term instead

    def fix_for(self, hints):
        """The "How to fix it" text at hint level `hints` (the rubric's [handout] hints)."""
        return self.derive if hints == "derive" and self.derive else self.fix


@dataclass
class Check:
    """One graded question about a function; `run(ctx)` answers it with an Outcome."""
    id: str
    title: str
    run: object
    efficiency: bool = False
    reported: bool = False   # rests on what the worker says about the call (forgeable): pays
                             # only once all the function's core comparisons pass


@dataclass
class Outcome:
    passed: bool
    feedback: str = ""
    mistake: str = ""
    kind: str = ""       # the failure's kind (see Failure), "" when passed
    finish: object = None   # a search put off (Context.defer): () -> the final Outcome
    budget_at: tuple = None  # (ctx.spent, the worker's function_used) when it was put off
    unsearched: object = None  # with finish: () -> the Outcome on the first failing input,
                               # not shrunk, or None (see grading.finish_checks)

    def then(self, adjust):
        """adjust(outcome) -> Outcome, applied now or, for a search put off, once it has
        run: a check that changes what run_property returned must change it this way."""
        if self.finish is None:
            return adjust(self)

        def unsearched(found=self.unsearched):
            outcome = found() if found is not None else None
            return adjust(outcome) if outcome is not None else None
        return dataclasses.replace(self, finish=lambda finish=self.finish: adjust(finish()),
                                   unsearched=unsearched)


@dataclass
class Context:
    """Everything a check needs: the worker, the rubric and this function's running totals."""
    worker: object
    rubric: object
    function: str
    mistakes: list = field(default_factory=list)
    spent: float = 0.0
    notes: list = field(default_factory=list)
    note_sizes: dict = field(default_factory=dict)   # label -> the size its note quotes
    cache: dict = field(default_factory=dict)
    passed: set = field(default_factory=set)   # ids of this function's checks passed so far
    collecting: bool = False   # note requests instead of sending them (see first_failure)
    batching: bool = True      # False once a batch failed: one call at a time from then on
    pending: dict = field(default_factory=dict)
    timed_out: bool = False    # a call of this function was stopped at its time limit
    held: int = 0              # bytes of this function's answers read so far (see HELD_BYTES)
    noted: int = 0             # notes check_output has written or rewritten (see first_failure)
    defer: bool = False        # a failure's search (Hypothesis) may wait: see run_property

    def call(self, request, timeout=None):
        """Call the student's function in the worker; raise Failure for anything but a value."""
        return self.call_later(request, timeout)()

    def call_later(self, request, timeout=None):
        """call(), in two steps: the request is sent now, and the function returned waits
        for its answer (or raises Failure), so that the worker works on it while the grader
        does its own work. Only the time spent sending and waiting counts against the
        budget. A worker without `send` (a test's stand-in) answers at once."""
        budget = self.rubric.function_budget_seconds
        over = Failure(f"time budget: {self.function} used up its {budget:g} s of grading "
                       "time, so its remaining checks were not run.", kind="budget")
        if self.spent > budget:
            raise over
        if self.held > HELD_BYTES:
            raise Failure(f"your {self.function}'s results took more than "
                          f"{HELD_BYTES >> 20} MB of the grader's memory (a right one's take "
                          "a few MB in all: are they far larger than the contract's shapes?), so "
                          "its remaining checks were not run.", kind="too_large")
        # No call may run past the budget: a slow function's last call is cut short too.
        wanted = timeout or self.rubric.limits.call_seconds
        limit = max(min(wanted, budget - self.spent), 0.05)
        # The worker stops the code a little earlier itself, to say where it was (and live on).
        # Once a call has timed out, later calls get far less: correct code needs milliseconds
        # on these inputs, and the budget is better spent finding an input that does finish.
        soft = round(max(limit * 0.85 - 0.05, 0.02), 3)
        per_call = TIMED_OUT_SECONDS if self.timed_out else self.rubric.limits.call_seconds * 0.85
        if request.get("op") == "batch":
            request = dict(request, soft_seconds=soft, call_soft_seconds=round(per_call, 3))
        else:
            request = dict(request, soft_seconds=min(soft, round(per_call, 3)))
        left, send = budget - self.spent, getattr(self.worker, "send", None)

        def waited(do, reads=True):
            started = time.monotonic()
            try:
                return do()
            except WorkerFailure as exc:
                if exc.kind == "time_limit" and left < wanted:
                    raise over from None
                raise Failure(exc.message[:1].upper() + exc.message[1:] + ".",
                              kind=exc.kind) from None
            finally:
                self.spent += time.monotonic() - started
                if reads:
                    self.held += getattr(self.worker, "answer_bytes", 0) or 0

        if send is None:
            answered = waited(lambda: self.worker.call(request, limit))
        else:
            waited(lambda: send(request, limit), reads=False)

        def answer():
            value = answered if send is None else waited(self.worker.receive)
            if not value.get("ok"):
                failure = error_failure(self.function, value.get("error") or {})
                self.timed_out = self.timed_out or failure.kind == "timeout"
                raise failure
            return value
        return answer

    def cached_call(self, key, request, timeout=None):
        """The answer to `request`, asked once per key; while collecting, only noted down."""
        if key not in self.cache:
            if self.collecting:
                self.pending[key] = request
                raise Pending
            try:
                self.cache[key] = self.call(request, timeout)
            except Failure as exc:
                if exc.kind in WORKER_GONE:
                    raise
                self.cache[key] = exc
        value = self.cache[key]
        if isinstance(value, Failure):
            raise value
        return value

    def cached_calls(self, keyed_requests):
        """cached_call for several requests; while collecting, all of them are noted at once."""
        missing = [(k, r) for k, r in keyed_requests if k not in self.cache]
        if self.collecting and missing:
            self.pending.update(missing)
            raise Pending
        return [self.cached_call(k, r) for k, r in keyed_requests]

    def fetch_pending(self):
        """Ask the worker for every noted request in a few batches; False if it failed.

        A failure (time limit, crash) ends batching for this function: its checks then call
        the worker one input at a time, exactly as without batching, to say what went wrong.
        """
        pending, self.pending = list(self.pending.items()), {}
        chunks, chunk, weight = [], [], 0
        for key, request in pending:
            chunk.append((key, request))
            weight += request.get("weight", 1)
            if weight >= BATCH_CALLS:
                chunks.append(chunk)
                chunk, weight = [], 0
        chunks += [chunk] if chunk else []
        for chunk in chunks:
            weight = sum(request.get("weight", 1) for _, request in chunk)
            timeout = self.rubric.limits.call_seconds + BATCH_SECONDS_PER_CALL * weight
            try:
                answer = self.call({"op": "batch", "calls": [r for _, r in chunk]}, timeout)
            except Failure:
                self.batching = False
                return False
            for (key, _), result in zip(chunk, answer["results"]):
                self.cache[key] = (result if result.get("ok")
                                   else error_failure(self.function, result.get("error") or {}))
                if getattr(self.cache[key], "kind", "") == "timeout":
                    self.timed_out = True
        return True


class Pending(Exception):
    """Raised while collecting: the answer is not fetched yet (never seen by a check)."""


WORKER_GONE = failure_kinds.GONE   # what each kind of failure does: grader.checks.failures
BATCH_CALLS = 256             # calls per round trip ("weight" counts a request's calls)
HELD_BYTES = 256 << 20        # answers read per function, most of them kept for the checks:
                              # a correct file's whole grading reads ~2-11 MB; without a bound a
                              # submission returning a 60 MB array everywhere made the grader
                              # hold 10 GB, enough to bring the OOM killer to a classmate's grading
BATCH_SECONDS_PER_CALL = 0.01
TIMED_OUT_SECONDS = 0.3       # per call, once one call of the function has timed out
COLLECT_ROUNDS = 4            # a body needing answers that depend on answers asks in rounds


# A call that starts a process, as a student's line shows it (the sandbox refuses them): a
# function of the modules that start processes, or one of their names used bare. Strict: a
# match lets a .py's failing line be skipped at import (a reviewer's `load_and_run(path)`,
# a missing file, matched a looser pattern and scored 100 instead of 0).
_STARTS_A_PROCESS = re.compile(
    r"(?:\b(?:subprocess|multiprocessing)\.\w+|\bos\.(?:fork|forkpty|system|popen|posix_spawnp?|"
    r"spawn\w*|exec\w*)|\bpty\.(?:fork|spawn)|(?<![\w.])(?:fork|forkpty|vfork|posix_spawnp?|"
    r"Popen|check_call|check_output|Pool|Process|ProcessPoolExecutor))\s*\(")
# How starting one fails: refused (EPERM); multiprocessing fails first, on the read-only
# view's /dev/shm (EROFS)
_REFUSED = {"PermissionError": ("[Errno 1]",), "OSError": ("[Errno 30]",)}


def process_refused(kind: str, message: str, where: list) -> str:
    """The sentence for a student whose line starting a process was refused (the worker may
    start threads but no process: lockdown.refuse_processes), or "" for any other error.
    `where`: the student's lines of the traceback, as the worker reports them."""
    if not any(code in message for code in _REFUSED.get(kind, ())):
        return ""
    if not any(_STARTS_A_PROCESS.search(str(line)) for line in where or ()):
        return ""
    return ("\nWhile it is graded, your code may not start other processes (os.fork, "
            "subprocess, multiprocessing): remove that call, or keep it out of the functions "
            "and of what runs when the file is loaded.")


def error_failure(function, error):
    """A Failure describing an exception the student's code raised."""
    kind, message = error.get("type", "Error"), error.get("message", "")
    if kind == "NotImplementedError":
        return Failure(f"{function} is not implemented yet (it raises NotImplementedError).",
                       kind="not_implemented")
    if kind == "TimeLimit":
        where = error.get("where") or []
        trace = "".join(f"\n    {line}" for line in where)
        return Failure(f"Time limit: {function} did not finish on this input in the time "
                       "allowed (an endless loop?)"
                       + (f"; when it was stopped, your code was at:{trace}" if where else "."),
                       kind="timeout")
    if kind == "MissingFunction":
        return Failure(f"{function} is not defined in your file.", kind="missing")
    if kind == "GraderError":   # a request the worker could not carry out: never the student's
        return Failure("The grader could not run this check (an internal error, not your "
                       "code's fault); please tell your instructor.", kind="internal")
    where = error.get("where") or []
    trace = "".join(f"\n    {line}" for line in where)
    if kind == "SystemExit":
        return Failure(f"Your code called sys.exit() ({message}) while {function} ran.{trace}",
                       kind="exception")
    return Failure(f"{function} raised {kind}: {message}{trace}"
                   + process_refused(kind, message, where), kind="exception")


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
    if verdict.note:
        ctx.noted += 1
        # the note quotes the largest input's shapes: the student's (1, D), not D = 1's (1, 1)
        size = getattr(as_array(actual), "size", 0)
        head = f"{ctx.function}: {label} "
        old = next((i for i, n in enumerate(ctx.notes) if n.startswith(head)), None)
        if old is None:
            ctx.notes.append(f"{ctx.function}: {verdict.note}")
        elif size > ctx.note_sizes.get(label, 0):
            ctx.notes[old] = f"{ctx.function}: {verdict.note}"
        ctx.note_sizes[label] = max(size, ctx.note_sizes.get(label, 0))
    if not verdict.ok:
        raise Failure(lambda: verdict.message, kind="shape" if verdict.kind == "shape" else "wrong",
                      actual=actual, aspect=aspect, events=events)


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


FATAL = failure_kinds.STOP


def run_property(ctx, recipe, body, examples):
    """Run body(problem) on generated problems; return an Outcome with the smallest failure.

    The generated problems are tried first from a list with batched answers (see
    generated.py); only if one fails does Hypothesis run, to find and shrink the failure.
    With `ctx.defer`, a plain failure's search is put off: the Outcome's `finish()` runs it
    once the submission's other checks have run (grading.finish_checks), and Hypothesis is
    imported meanwhile, in the background (import_hypothesis_soon), unless the search can
    end without it (see _search). Failures that stop a search (a time-out, a dead worker)
    are searched at once, as before.
    """
    problems = generated.drawn(recipe, examples, ctx.rubric.seed)
    at, first = first_failure(ctx, problems, body)
    if first is None:
        return Outcome(True)
    if isinstance(first, Failure) and first.kind in failure_kinds.EARLY:
        # Hypothesis would stop on this same first failure, and its feedback names no input
        return Outcome(False, feedback(None, first), kind=first.kind)
    tried = _tried_if_all_fail(ctx, recipe, examples, problems, at)
    if ctx.defer and isinstance(first, Failure) and first.kind not in FATAL:
        if tried is None:
            import_hypothesis_soon()   # the search will need it
        return Outcome(False, kind=first.kind,
                       finish=lambda: _search(ctx, recipe, body, examples, problems, first, tried),
                       budget_at=(ctx.spent, getattr(ctx.worker, "function_used", None)),
                       unsearched=lambda: _unsearched(ctx, problems, body, first))
    return _search(ctx, recipe, body, examples, problems, first, tried)


def _tried_if_all_fail(ctx, recipe, examples, problems, at):
    """The inputs Hypothesis's search would try if every one failed (generated.
    when_failing), when each of them is the input the stored problems failed on first,
    `problems[at]`; else None. With the pinned Hypothesis, that is when they failed on the
    first input: the simplest there is, which Hypothesis tries first and cannot shrink."""
    tried = generated.when_failing(recipe, examples, ctx.rubric.seed)
    if at is None or not tried or any(problem != problems[at] for problem in tried):
        return None
    return tried


def _unsearched(ctx, problems, body, first):
    """The Outcome a search would start from: the first generated input that fails (the
    search meets it first too), diagnosed alone, not shrunk; None where the search would
    look past it (a wrong shape further on, which the search shows instead)."""
    if first.kind != "shape" and _fails_on_shape(problems, body):
        return None
    for problem in problems:
        try:
            body(problem)
        except Failure as exc:
            mistake = diagnose(ctx, [(problem, exc)])
            return Outcome(False, feedback(problem, exc, mistake, hints(ctx)),
                           mistake.name if mistake else "", exc.kind)
        except Exception:  # noqa: BLE001 - not what the search would show: search then
            return None
    return None


_importing = []   # the thread of import_hypothesis_soon, once started
GATE_SECONDS = 0.005   # how long that thread waits, before each module, for the grader to wait


def import_hypothesis_soon():
    """Start importing Hypothesis in a background thread (once per process).

    Called when a failure's search that needs it is put off (run_property with Context.defer):
    the import takes ~0.15 s, as long as a third of a whole grading. Before each module it
    loads, the thread waits (up to GATE_SECONDS) until the grader waits for the worker
    (client.WAITING), so the import goes ahead while the grader has nothing to do instead of
    taking turns with its checks (which ran at half speed meanwhile: +0.1 s for a buggy
    file's next function). Whatever imports Hypothesis in the grading thread (the search,
    drawing inputs not stored) lifts the wait first (generated.hypothesis_needed), then
    waits for this import if it is still going on; an error here is met there again.
    Threads take turns every 0.5 ms meanwhile (Python's default: 5 ms), so the grading
    thread gets the interpreter back soon after each answer.
    """
    if "hypothesis" in sys.modules or _importing:
        return
    interval = sys.getswitchinterval()
    gate = _WhenWaiting()

    def run():
        sys.meta_path.insert(0, gate)
        try:
            import hypothesis.strategies  # noqa: F401
        except Exception:  # noqa: BLE001 - the search meets it again, and says so
            pass
        finally:
            _remove(sys.meta_path, gate)
            sys.setswitchinterval(interval)

    sys.setswitchinterval(min(interval, 0.0005))
    generated.WHEN_NEEDED.append(gate.let_go)
    _importing.append(threading.Thread(target=run, name="import hypothesis", daemon=True))
    _importing[0].start()


class _WhenWaiting:
    """A finder that finds nothing: in the importing thread, it waits before each module
    until the grader waits for its worker (bounded: GATE_SECONDS, so it can never hang)."""

    def __init__(self):
        self.thread, self.open = None, False

    def find_spec(self, name, path=None, target=None):
        if self.thread is None:
            self.thread = threading.current_thread()
        if not self.open and threading.current_thread() is self.thread:
            WAITING.wait(GATE_SECONDS)
        return None

    def let_go(self):
        """Hypothesis is needed now (generated.hypothesis_needed): no more waiting."""
        self.open = True


def _remove(items, item):
    try:
        items.remove(item)
    except ValueError:
        pass


def _search(ctx, recipe, body, examples, problems, first, tried=None):
    """run_property's Outcome once the stored `problems` met `first` (a Failure, another
    exception, or False when batching could not be used): Hypothesis finds the failure
    again and shrinks it.

    Hypothesis's next input depends only on the seed and on how the inputs so far came out:
    passed, or failed with an exception raised where. `test` raises _Failing from one line,
    or, once a failure stopped the search (`fatal`), from another, which makes Hypothesis
    stop soon, and the outcome is that failure whatever it tries. So when `test` fails on
    each of `tried` (_tried_if_all_fail) in turn, the search ends as Hypothesis would end
    it, without Hypothesis: a file wrong from its first input on is graded without importing
    it (0.15 s, half of what a buggy file cost more than a right one). The answers are
    cached: a search run after a miss asks the worker nothing again."""
    failures = []
    fatal = []
    # A wrong shape must be shown where the shapes differ: shrunk freely, it lands on an input
    # where they happen to agree (V = D, or V = K + 1) and only the values look wrong.
    shapes_only = first is not False and _fails_on_shape(problems, body)

    def test(problem):
        if fatal:  # the worker died or hung: stop at once instead of shrinking through timeouts
            raise _Failing
        try:
            body(problem)
        except Failure as exc:
            if shapes_only and exc.kind != "shape" and exc.kind not in FATAL:
                return
            failures.append((problem, exc))
            if exc.kind in FATAL:
                fatal.append((problem, exc))
        else:
            return
        raise _Failing   # outside the except: no context, a traceback of this frame alone

    if not _fails_on_each(test, tried):
        failures.clear()
        fatal.clear()
        generated.hypothesis_needed()
        from hypothesis import given, seed
        from hypothesis.errors import Flaky
        run = generated.hypothesis_settings(examples)(given(recipe.strategy())(test))
        run = seed(ctx.rubric.seed)(run)
        try:
            run()
        except (_Failing, Flaky):
            pass
        except BaseException as exc:  # noqa: BLE001 - an unexpected grader error must not crash grading
            if not failures:
                return Outcome(False, "The grader could not run this check "
                                      f"({type(exc).__name__}: {exc}).")
    if not failures:
        return Outcome(True)
    problem, failure = fatal[0] if fatal else failures[-1]
    mistake = diagnose(ctx, [failures[0], failures[-1]]) if not fatal else None
    text = feedback(problem, failure, mistake, hints(ctx))
    if failure.kind == "timeout":
        finishing = finishing_failure(ctx, problems, body)
        if finishing is not None:
            other, wrong = finishing
            mistake = diagnose(ctx, [finishing])
            shown = feedback(other, wrong, mistake, hints(ctx), heading="Input:")
            text += "\n\nOn an input where it does finish, it is wrong:\n" + shown
            return Outcome(False, text, mistake.name if mistake else "", wrong.kind)
    return Outcome(False, text, mistake.name if mistake else "", failure.kind)


def _fails_on_each(test, problems):
    """Whether `test` raises _Failing on each of `problems` (None: none known), in turn."""
    if not problems:
        return False
    for problem in problems:
        try:
            test(problem)
        except _Failing:
            continue
        except Exception:  # noqa: BLE001 - Hypothesis meets it again and reports it
            return False
        return False
    return True


class _Failing(Exception):
    """What a search's test raises on a failing input (the Failure itself is kept aside).

    Hypothesis formats the traceback of every failing example it meets and walks its
    context: the Failure's, many frames deep in the checks, cost ~1 ms each, for text
    nobody reads. One exception type from one place is also one "bug" to Hypothesis, which
    with report_multiple_bugs=False shrinks the smallest failure whatever its origin."""


def _fails_on_shape(problems, body):
    """Whether some generated input shows a wrong shape (answers are cached by now)."""
    for problem in problems:
        try:
            body(problem)
        except Failure as exc:
            if exc.kind == "shape":
                return True
        except Exception:  # noqa: BLE001 - Pending and the like: nothing to learn
            continue
    return False


MAX_TIMEOUTS_SKIPPED = 8


def finishing_failure(ctx, problems, body):
    """(problem, Failure) for the first generated input on which the code finishes and is
    wrong, or None; inputs that time out are passed over (a few: each costs its time limit).

    A time-out alone says little (often the smallest input is a corner case, one word, where
    a sampler spins); the same code on a bigger input often returns a plainly wrong answer
    that the catalogue can name.
    """
    skipped = 0
    for problem in problems:
        try:
            body(problem)
        except Failure as exc:
            if exc.kind == "timeout" and skipped < MAX_TIMEOUTS_SKIPPED:
                skipped += 1
                continue
            if exc.kind in FATAL:
                return None
            return problem, exc
        except Exception:  # noqa: BLE001 - Pending and the like: nothing to show
            continue
    return None


def first_failure(ctx, problems, body):
    """(index, what): what went wrong first with body on the problems (worker calls
    batched), the Failure or other exception, and the index of the problem it went wrong
    on; (None, None) when body passes on every problem, (None, False) when batching could
    not be used.

    First the bodies run in collecting mode, which only notes the requests they need (notes
    for the student are put back afterwards), and the answers arrive in a few round trips;
    then the bodies run for real on the cached answers, in order, up to the first failure.
    A last collecting round that needed nothing new and wrote no note already is that run
    (every body ran to its end on cached answers, as it would for real): its outcome stands.
    """
    settled = None
    if ctx.batching:
        notes, sizes = list(ctx.notes), dict(ctx.note_sizes)
        ctx.collecting = True
        try:
            for _ in range(COLLECT_ROUNDS):
                noted, outcomes = ctx.noted, []
                for problem in problems:
                    try:
                        body(problem)
                    except Exception as exc:  # noqa: BLE001 - Pending, or a failure
                        outcomes.append(exc)
                    else:
                        outcomes.append(None)
                if not ctx.pending:
                    settled = outcomes if ctx.noted == noted else None
                    break
                if not ctx.fetch_pending():
                    break
        finally:
            ctx.collecting = False
            ctx.pending = {}
            ctx.notes[:] = notes
            ctx.note_sizes = sizes   # the real run's notes quote the largest input's shapes
    if not ctx.batching:
        return None, False
    if settled is not None:
        return next(((at, outcome) for at, outcome in enumerate(settled) if outcome is not None),
                    (None, None))
    for at, problem in enumerate(problems):
        try:
            body(problem)
        except Exception as exc:  # noqa: BLE001 - Hypothesis reruns it and reports it properly
            return at, exc
    return None, None


SHRUNK = "Smallest input that shows it:"
FIXED = "On this input:"   # a fixed probe, not shrunk: "smallest" would not be true


def feedback(problem, failure, mistake=None, hints="guided", heading=SHRUNK):
    """Student-facing text: the input, what went wrong, and the known mistake if one fits."""
    if failure.kind in failure_kinds.NO_INPUT:
        return failure.message
    lines = [heading] + ["    " + line for line in problem.describe()]
    lines.append(failure.message)
    if mistake is not None:
        lines.append(f"Likely mistake: {mistake.name}.")
        lines.append(f"How to fix it: {mistake.fix_for(hints)}")
    return "\n".join(lines)


def hints(ctx):
    """The rubric's hint level (see grader.rubric.HINT_LEVELS)."""
    return getattr(ctx.rubric, "hints", "derive")


def run_once(ctx, problem, body):
    """A check on one fixed input (no search), with the same feedback as run_property."""
    try:
        body(problem)
    except Failure as exc:
        mistake = diagnose(ctx, [(problem, exc)]) if exc.kind not in FATAL else None
        return Outcome(False, feedback(problem, exc, mistake, hints(ctx), FIXED),
                       mistake.name if mistake else "",
                       exc.kind)
    return Outcome(True)
