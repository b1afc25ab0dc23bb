"""Start a worker process for one submission and call its functions with time limits.

Every call either returns the worker's answer or raises WorkerFailure (time limit, crash,
exit, garbled answer); after a failure the worker is gone and the next call starts a fresh
one, loading the submission again, so one bad function never costs the others.
"""

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox import cputime, launch, lockdown
from grader.worker import codec

WORKER_MAIN = Path(__file__).resolve().parent.parent / "worker" / "main.py"


class WorkerFailure(Exception):
    """The worker did not answer: `kind` is time_limit, crashed, exited or protocol."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class LoadRequest:
    filename: str
    cells: list            # [{"source": str, "label": str | None, "filename": str}]
    sys_path: list         # folders searched for imports, first wins
    stop_on_error: bool = True
    module_name: str = "word2vec"

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
    _output: object = field(default=None, repr=False)
    _captured: list = field(default_factory=list, repr=False)

    def start(self):
        """Start a worker and load the submission into it; returns the load answer."""
        self.stop()
        self._output = tempfile.TemporaryFile()
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        report_r, report_w = os.pipe()
        argv = [sys.executable, "-E", "-s", "-B", str(WORKER_MAIN),
                "--requests", str(req_r), "--responses", str(resp_w),
                "--output-cap", str(self.output_cap + 1)]
        try:
            self.process = launch.spawn(argv, self.limits, pass_fds=(req_r, resp_w),
                                        stdout=self._output, stderr=self._output,
                                        readable=self.load_request.sys_path,
                                        file_bytes=self.output_cap + (1 << 20),
                                        report_fd=report_w)
        except BaseException:
            for fd in (req_w, resp_r, report_r):
                os.close(fd)
            raise
        finally:
            for fd in (req_r, resp_w, report_w):
                os.close(fd)
        self._to_worker, self._from_worker = req_w, resp_r
        self.starts += 1
        self.protections = _read_report(report_r, self.limits.load_seconds) or self.protections
        self.load_answer = self._exchange(self.load_request.message(), self.limits.load_seconds)
        return self.load_answer

    def call(self, request, timeout=None):
        """Send one request; return the answer or raise WorkerFailure."""
        if self.process is None:
            self.start()
        answer = self._exchange(request, timeout or self.limits.call_seconds)
        if _out_of_memory(answer):
            raise WorkerFailure("memory_limit", "memory limit exceeded: your code asked for "
                                f"more than the {self.limits.memory_mb} MB it may use")
        return answer

    def _exchange(self, request, timeout):
        try:
            codec.write_message(self._to_worker, request)
            return self._read(time.monotonic() + timeout, timeout)
        except BrokenPipeError:
            raise self._died() from None

    def _read(self, deadline, timeout):
        header = self._read_exactly(8, deadline, timeout)
        length = int.from_bytes(header, "little")
        if length > codec.MAX_MESSAGE_BYTES:
            self.stop()
            raise WorkerFailure("protocol", f"the answer was too large ({length} bytes)")
        try:
            return codec.decode(self._read_exactly(length, deadline, timeout))
        except codec.ProtocolError as exc:
            self.stop()
            raise WorkerFailure("protocol", str(exc)) from None

    def _read_exactly(self, n, deadline, timeout):
        chunks = []
        while n:
            remaining = deadline - time.monotonic()
            ready = select.select([self._from_worker], [], [], max(0.0, remaining))[0] if remaining > 0 else []
            if not ready:
                self.stop()
                raise WorkerFailure("time_limit", f"time limit: no answer within {timeout:g} s")
            chunk = os.read(self._from_worker, min(n, 1 << 20))
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

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
        for fd in (self._to_worker, self._from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None
        if self._output is not None:
            self._output.seek(0)
            self._captured.append(self._output.read(self.output_cap + 1))
            self._output.close()
            self._output = None

    def worker_cpu_seconds(self):
        """CPU seconds the worker's processes have used, read from the kernel on this side
        (grader/sandbox/cputime.py); None when unknown (no worker, no /proc)."""
        return cputime.tree_seconds(self.process.pid) if self.process is not None else None

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
