"""A progress line on the terminal while one grading runs longer than a few seconds.

Grading usually takes 1-3 s and prints nothing until the report; a slow function (a loop, a
time-out) can take 20 s, and a silent terminal looks hung. After `delay` seconds a line on
stderr says which function is being graded and for how long, rewritten in place, and erased
before the report. Only on a terminal: logs and pipes get nothing.
"""

import sys
import threading
import time


class ProgressLine:
    """Use as a context manager; `step(name)` says which function the grading is at."""

    def __init__(self, total: int, stream=None, delay: float = 3.0, every: float = 0.5):
        self.stream = stream or sys.stderr
        self.total, self.delay, self.every = total, delay, every
        self.done, self.current = 0, ""
        self.shown = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self._started = time.monotonic()

    def step(self, name: str) -> None:
        """The grading moved on to function `name` (called from the grading thread)."""
        with self._lock:
            if self.current:
                self.done += 1
            self.current = name

    def text(self, now: float) -> str:
        with self._lock:
            where = f": {self.current} ({self.done + 1} of {self.total})" if self.current else ""
        return f"grading{where}, {now - self._started:.0f} s"

    def __enter__(self):
        isatty = getattr(self.stream, "isatty", None)
        if isatty is not None and isatty():
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self):
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self.stream.write("\r" + self.text(time.monotonic()) + "\033[K")
            self.stream.flush()
            self.shown = True
            self._stop.wait(self.every)

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
        return False
