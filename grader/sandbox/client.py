"""Start a worker process for one submission and call its functions with time limits.

Every call either returns the worker's answer or raises WorkerFailure (time limit, crash,
exit, garbled answer); after a failure the worker is gone and the next call starts a fresh
one, loading the submission again, so one bad function never costs the others.
"""

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import registry, safe_text
from grader.sandbox import cputime, launch, lockdown
from grader.worker import codec

WORKER_MAIN = Path(__file__).resolve().parent.parent / "worker" / "main.py"
# Set while this process waits for a worker: work of its own in the background (importing
# Hypothesis, framework.import_hypothesis_soon) goes ahead then, not while it grades.
WAITING = threading.Event()


class WorkerFailure(Exception):
    """The worker did not answer: `kind` is time_limit, crashed, exited or protocol."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class SandboxRefused(Exception):
    """The sandbox would not start the worker as configured (the grader's problem, never the
    student's): grading stops with an internal error naming why."""


@dataclass
class LoadRequest:
    filename: str
    cells: list            # [{"source": str, "label": str | None, "filename": str}]
    sys_path: list         # folders searched for imports, first wins
    stop_on_error: bool = True
    module_name: str = "word2vec"
    aliases: bool = True   # grade functions found under other editions' names (rubric [names])
    functions: tuple = registry.enabled()  # the graded functions' names (the rubric's)

    def message(self):
        return {"op": "load", **self.__dict__}


@dataclass
class WorkerClient:
    load_request: LoadRequest
    limits: "launch.Limits"
    output_cap: int = 64 * 1024
    process: subprocess.Popen = None
    load_answer: dict = None
    starts: int = 0
    protections: dict = None   # what lockdown.py reported (see lockdown.describe)
    wall_seconds: float = None  # the whole submission's wall-clock cap, reloads included
    deadline: float = None      # time.monotonic() at which wall_seconds runs out
    function_seconds: float = None   # see charge_function
    function_used: float = 0.0       # of it, the seconds spent waiting on the worker so far
    answer_bytes: int = 0            # the size of the last answer read
    _waiting_since: float = field(default=None, repr=False)   # set while waiting on it
    _sent: tuple = field(default=None, repr=False)   # (deadline, timeout) of send()'s request
    _lost: tuple = field(default=None, repr=False)   # (kind, message): what lost the last worker
    _missing: tuple = field(default=None, repr=False)   # see _reload
    _output: int = field(default=None, repr=False)        # read end of the output pipe
    _printed: bytearray = field(default_factory=bytearray, repr=False)
    _captured: list = field(default_factory=list, repr=False)

    def __post_init__(self):
        if self.wall_seconds is not None and self.deadline is None:
            self.deadline = time.monotonic() + self.wall_seconds

    def start(self):
        """Start a worker and load the submission into it; returns the load answer."""
        with self._waiting():
            return self._start()

    def _start(self):
        self.stop()
        self._check_deadline()
        self._missing = None
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        report_r, report_w = os.pipe()
        # What the submission prints comes through a pipe the grader drains (never a host
        # file open for writing in the worker: it could fallocate or seek on it).
        out_r, out_w = os.pipe()
        try:
            self.process = launch.start_worker(WORKER_MAIN, (req_r, resp_w), out_w, report_w,
                                               self.limits, readable=self.load_request.sys_path,
                                               file_bytes=self.output_cap + (1 << 20),
                                               output_cap=self.output_cap + 1)
        except BaseException:
            for fd in (req_w, resp_r, report_r, out_r):
                os.close(fd)
            raise
        finally:
            for fd in (req_r, resp_w, report_w, out_w):
                os.close(fd)
        self._to_worker, self._from_worker, self._output = req_w, resp_r, out_r
        os.set_blocking(req_w, False)
        os.set_blocking(out_r, False)
        self._printed = bytearray()
        self.starts += 1
        load_seconds = self._within_deadline(self.limits.load_seconds)
        self.protections = _read_report(report_r, load_seconds) or self.protections
        if self.protections and self.protections.get("refused"):
            self.stop()
            raise SandboxRefused(self.protections["refused"])
        self.load_answer = self._exchange(self.load_request.message(), load_seconds)
        return self.load_answer

    def call(self, request, timeout=None):
        """Send one request; return the answer or raise WorkerFailure."""
        self.send(request, timeout)
        return self.receive()

    def send(self, request, timeout=None):
        """Send one request without waiting for its answer, which receive() reads: the
        worker works on it while the grader does its own. Its time limit starts now; one
        request at a time. Raises WorkerFailure as call() does."""
        with self._waiting():
            if self._sent is not None:   # an answer never asked for (a grader error between)
                try:                     # would otherwise be taken for this request's
                    self.receive()
                except WorkerFailure:
                    pass                 # the worker is gone: it starts again below
            try:
                if self.process is None:
                    self._reload(_function_of(request))
                self._not_lost(request)
                self._write_request(request, timeout or self.limits.call_seconds)
            except WorkerFailure as exc:
                self._lost_by(exc)
                raise

    def _reload(self, fn=None):
        """Start a fresh worker after the last one was lost, and load the file into it again,
        noting the graded functions the first load found and this one did not (`_missing`):
        a call of one of them would otherwise meet a module without it, and the student be
        told it is not in their file (see _not_lost). A reload that itself ends the process
        fails the call of `fn` as a reload, without an input (the input was never run)."""
        first, why = self.load_answer, self._lost
        try:
            answer = self._start()
        except WorkerFailure as exc:
            if exc.kind not in ("exited", "crashed") or not isinstance(first, dict):
                raise
            self.load_answer = first
            raise WorkerFailure("reload", f"{self._again(why)}, but this time loading it "
                                f"stopped: {exc.message}, so {self._named(fn)} could not be "
                                "graded any further") from None
        if not isinstance(first, dict) or not first.get("ok"):
            return
        present = answer.get("present") if isinstance(answer, dict) else None
        missing = {fn for fn, found in (first.get("present") or {}).items()
                   if found and not (isinstance(present, dict) and present.get(fn))}
        if missing:
            self.load_answer = first   # what the file is: the next reload is judged by it
            seen = {_error_key(e) for e in first.get("cell_errors") or [] if isinstance(e, dict)}
            errors = answer.get("cell_errors") if isinstance(answer, dict) else None
            new = next((e for e in errors or [] if isinstance(e, dict)
                        and _error_key(e) not in seen), {})
            self._missing = (missing, why, new)

    def _not_lost(self, request):
        """WorkerFailure("reload") for a call of a function the reload lost (_reload)."""
        fn = _function_of(request)
        if self._missing is None or fn not in self._missing[0]:
            return
        _, lost, error = self._missing
        where = (f", cell {safe_text.name(error['cell'], 40)}" if error.get("cell") else "") + (
            f", line {error['lineno']}" if isinstance(error.get("lineno"), int) else "")
        why = (f" ({safe_text.name(error.get('type'), 80)}: {safe_text.name(error.get('message'), 200)}{where})"
               if error else "")
        name = self._named(fn)
        raise WorkerFailure("reload", f"{self._again(lost)}, but this time {name} was not in "
                            f"it as it was the first time{why}, so {name} could not be graded "
                            "any further")

    def _again(self, lost):
        """'your file was loaded again after <what lost the worker>', in the student's terms."""
        kind, message = lost or (None, "")
        after = (message if kind == "exited" or (kind == "crashed" and
                                                 message.startswith("your code")) else
                 "the Python process running your code was stopped" if kind == "crashed" else
                 "a call ran past its time limit and was stopped" if kind == "time_limit" else
                 "the Python process running your code stopped")
        notebook = any(cell.get("label") for cell in self.load_request.cells)
        return f"your {'notebook was run' if notebook else 'file was loaded'} again after {after}"

    def _named(self, fn):
        """`fn` as the student wrote it (under another edition's name, if the load said so)."""
        aliases = (self.load_answer or {}).get("aliases")
        found = aliases.get(fn) if isinstance(aliases, dict) else None
        return safe_text.name(found, 80) if isinstance(found, str) and found else (fn or "this function")

    def _lost_by(self, failure):
        """Note what lost the worker, for a reload's message: (kind, message), never the
        exception itself, whose traceback holds what was read (60 MB, say)."""
        if self.process is None and failure.kind != "reload":
            self._lost = (failure.kind, failure.message)

    def receive(self):
        """The answer to the request send() sent; raises WorkerFailure as call() does."""
        sent, self._sent = self._sent, None
        with self._waiting():
            try:
                answer = self._read(*sent)
            except WorkerFailure as exc:
                self._lost_by(exc)
                raise
        if _out_of_memory(answer):
            raise WorkerFailure("memory_limit", "memory limit exceeded: your code asked for "
                                f"more than the {self.limits.memory_mb} MB it may use")
        return answer

    def charge_function(self, seconds, used=0.0):
        """From now on, at most `seconds` of waiting on the worker for the function being
        graded, every restart and reload after a crash included (None: no per-function
        cap), of which `used` are spent already (its grading resumed). Only that waiting is
        charged: the grader's own work between calls (generating inputs, the reference's
        outputs, shrinking a failure) is not the student's time, and on a busy machine it
        could use up a correct function's budget."""
        self.function_seconds = seconds
        self.function_used = used

    @property
    def function_deadline(self):
        """time.monotonic() at which the function's budget runs out if the current wait on
        the worker goes on (None: no per-function cap)."""
        if self.function_seconds is None:
            return None
        since = self._waiting_since if self._waiting_since is not None else time.monotonic()
        return since + self.function_seconds - self.function_used

    @contextlib.contextmanager
    def _waiting(self):
        """Meter the time spent waiting on the worker (the outermost wait only)."""
        if self._waiting_since is not None:
            yield
            return
        self._waiting_since = time.monotonic()
        WAITING.set()
        try:
            yield
        finally:
            WAITING.clear()
            self.function_used += time.monotonic() - self._waiting_since
            self._waiting_since = None

    def _check_deadline(self):
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            self.stop()
            raise WorkerFailure("budget", "time budget: the whole submission used up its "
                                f"{self.wall_seconds:g} s of grading time (restarts after "
                                "crashes included), so the remaining checks were not run")
        if self.function_deadline is not None and now >= self.function_deadline:
            self.stop()
            raise WorkerFailure("budget", "time budget: this function used up its "
                                f"{self.function_seconds:g} s of grading time (reloading your "
                                "file after each crash included), so its remaining checks "
                                "were not run")

    def _within_deadline(self, timeout):
        """`timeout`, shortened so that no wait runs past the submission's wall-clock cap
        or the current function's budget."""
        self._check_deadline()
        ends = [d for d in (self.deadline, self.function_deadline) if d is not None]
        if not ends:
            return timeout
        return max(0.05, min(timeout, min(ends) - time.monotonic()))

    def _exchange(self, request, timeout):
        self._write_request(request, timeout)
        sent, self._sent = self._sent, None
        return self._read(*sent)

    def _write_request(self, request, timeout):
        self.answer_bytes = 0
        timeout = self._within_deadline(timeout)
        deadline = time.monotonic() + timeout
        self._sent = None
        try:
            self._write_all(codec.frame(codec.encode(request)), deadline, timeout)
        except BrokenPipeError:
            raise self._died() from None
        self._sent = (deadline, timeout)   # the answer's time limit runs from here

    def _write_all(self, data, deadline, timeout):
        """Write a request with a deadline: a worker that stops reading cannot block us."""
        if len(data) > codec.PIPE_BYTES // 4:
            codec._widen_pipe(self._to_worker)
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            ready = select.select(self._watched(), [self._to_worker], [],
                                  max(0.0, remaining))[1] if remaining > 0 else []
            self._drain()
            if not ready:
                if remaining <= 0:
                    self._time_limit(timeout)
                continue
            try:
                view = view[os.write(self._to_worker, view):]
            except BlockingIOError:
                continue

    def _time_limit(self, timeout):
        ends = [d for d in (self.deadline, self.function_deadline) if d is not None]
        if ends and time.monotonic() >= min(ends) - 0.01:
            self._check_deadline()
        self.stop()
        raise WorkerFailure("time_limit", f"time limit: no answer within {timeout:g} s")

    def _read(self, deadline, timeout):
        header = self._read_exactly(8, deadline, timeout)
        length = int.from_bytes(header, "little")
        if length > codec.MAX_ANSWER_BYTES:
            self.stop()
            raise WorkerFailure("protocol", f"the answer was too large ({length} bytes, at "
                                f"most {codec.MAX_ANSWER_BYTES} are read)")
        self.answer_bytes = length   # read (and held by the checks) only within the bound
        try:
            first = self._read_exactly(min(length, 4), deadline, timeout)
            if len(first) == 4 and int.from_bytes(first, "little") > codec.MAX_HEADER_BYTES:
                raise codec.ProtocolError("the answer's header is over the limit")
            return codec.decode(first + self._read_exactly(length - len(first), deadline,
                                                           timeout))
        except codec.ProtocolError as exc:
            self.stop()
            raise WorkerFailure("protocol", str(exc)) from None

    def _read_exactly(self, n, deadline, timeout):
        chunks = []
        while n:
            # Polled even past the deadline: an answer that came in time (while the grader
            # was busy after send()) is no time-out.
            remaining = deadline - time.monotonic()
            ready = select.select([self._from_worker, *self._watched()], [], [],
                                  max(0.0, remaining))[0]
            if self._output is not None and self._output in ready:
                self._drain()
            if self._from_worker not in ready:
                if remaining <= 0 or not ready:
                    self._time_limit(timeout)
                continue
            chunk = os.read(self._from_worker, min(n, 1 << 20))
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _watched(self):
        return [] if self._output is None else [self._output]

    def _drain(self):
        """Read what the worker printed so far; keep up to the cap, drop the rest."""
        if self._output is None:
            return
        for _ in range(64):  # bounded per call: a flood must not starve the answer
            try:
                chunk = os.read(self._output, 1 << 16)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if not chunk:  # every writer closed it: stop watching (EOF is always "ready")
                os.close(self._output)
                self._output = None
                return
            room = self.output_cap + 1 - len(self._printed)
            if room > 0:
                self._printed += chunk[:room]

    def _died(self):
        """Describe how the worker ended, then clean up."""
        code = None
        if self.process is not None:
            try:
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.stop()
        return WorkerFailure(*launch.describe_exit(code, self.limits))

    def stop(self):
        """Kill the worker and everything it started; keep what it printed."""
        if self.process is None:
            return
        launch.kill(self.process)
        self._drain()
        for fd in (self._to_worker, self._from_worker, self._output):
            try:
                os.close(fd)
            except (OSError, TypeError):
                pass
        self.process = None
        self._output = None
        self._sent = None
        self._captured.append(bytes(self._printed))
        self._printed = bytearray()

    def worker_times(self):
        """(CPU seconds the worker's processes have used, seconds they waited for a core,
        whether any runs below normal priority), read from the kernel on this side
        (cputime.tree_times); None when unknown (no worker, no /proc)."""
        return cputime.tree_times(self.process.pid) if self.process is not None else None

    def forget_output(self):
        """Drop what the submission printed so far (a load about to be run again prints it
        again)."""
        self._captured.clear()
        self._printed = bytearray()

    def captured_output(self):
        """What the submission printed, across every worker started, capped."""
        data = b"".join(self._captured)
        text = data[:self.output_cap].decode("utf-8", "replace")
        if len(data) > self.output_cap:
            text += f"\n... (output cut at {self.output_cap // 1024} KiB)"
        return text

    def protections_note(self):
        """One line for the report: which protections the worker ran under."""
        return lockdown.describe(self.protections)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _function_of(request):
    """The exercise function a request calls (a call, a batch of calls, a kept call), or None."""
    for part in (request, request.get("base"), request.get("request"),
                 *(request.get("calls") or [])[:1]):
        if isinstance(part, dict) and isinstance(part.get("fn"), str):
            return part["fn"]
        if isinstance(part, dict) and part is not request and part.get("op") == "batch":
            return _function_of(part)
    return None


def _error_key(error):
    return tuple(str(error.get(k)) for k in ("type", "message", "cell", "lineno"))


def _out_of_memory(answer):
    """True when the call (or any call of a batch) raised MemoryError in the worker."""
    answers = [answer] + list(answer.get("results") or [])
    return any(isinstance(a, dict) and (a.get("error") or {}).get("type") == "MemoryError"
               for a in answers)


def _read_report(fd, timeout):
    """The JSON line lockdown.py writes before it starts the worker ({} if none came)."""
    data, deadline = b"", time.monotonic() + timeout
    try:
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    try:
        return json.loads(data) if data.strip() else {}
    except ValueError:
        return {}
