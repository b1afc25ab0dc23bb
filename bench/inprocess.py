"""A floor for `make bench`: the whole grading pipeline replayed in one process.

    .venv/bin/python bench/inprocess.py FILE

Grades FILE (trusted: the reference, a corpus file) exactly as `python -m grader grade` does,
except that the worker's code answers in this process instead of a sandboxed one (every
message still goes through the codec both ways). What this costs beyond the numpy floor is
the grader's and the worker's own Python; what `grade` costs beyond this is the sandbox and
the two processes taking turns. Never used for grading: the submission runs unsandboxed.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "grader" / "worker")]

import codec  # noqa: E402  (the worker's modules, imported as the worker imports them)
import main as worker_main  # noqa: E402

from grader import grading  # noqa: E402


class InProcessClient:
    """Stands in for sandbox.client.WorkerClient: same calls, answered in this process."""

    def __init__(self, load_request, limits, output_cap=0, wall_seconds=None):
        self.load_request, self.limits = load_request, limits
        self.worker, self.starts, self.load_answer = None, 0, None
        self.function_used = 0.0

    def _ask(self, request):
        answer = self.handlers[request["op"]](codec.decode(codec.encode(request)))
        return codec.decode(codec.encode(answer))

    def start(self):
        self.worker = worker_main.Worker()
        self.handlers = {"load": self.worker.load, "call": self.worker.call,
                         "batch": self.worker.batch, "keep": self.worker.keep,
                         "call_kept": self.worker.call_kept, "kept_value": self.worker.kept_value}
        self.starts += 1
        self.load_answer = self._ask(self.load_request.message())
        return self.load_answer

    def call(self, request, timeout=None):
        if self.worker is None:
            self.start()
        return self._ask(request)

    def worker_times(self):
        return time.process_time(), 0.0

    def charge_function(self, seconds, used=0.0):
        self.function_used = used

    def stop(self):
        pass

    def captured_output(self):
        return ""

    def protections_note(self):
        return "Sandbox: none (bench/inprocess.py)."

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    grading.WorkerClient = InProcessClient
    report = grading.grade(sys.argv[1])
    if report.error:
        raise SystemExit(f"inprocess: {report.error}")
    print(f"{report.score} / {report.max_score}")
