"""Progress of a batch: a one-line bar with count, rate and ETA on a terminal; one plain line per
submission otherwise (logs, CI), so nothing is lost to carriage returns."""

import sys
import time


class Progress:
    def __init__(self, total, stream=None, clock=time.monotonic):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.clock = clock
        self.started = clock()

    def advance(self, label, outcome):
        self.done += 1
        if self.tty:
            self.stream.write("\r" + self.bar() + "\033[K")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {label}: {outcome}\n")
        self.stream.flush()

    def finish(self):
        if self.tty and self.total:
            self.stream.write("\n")
            self.stream.flush()

    def rate(self):
        """Submissions per minute so far."""
        elapsed = self.clock() - self.started
        return 60 * self.done / elapsed if elapsed > 0 else 0.0

    def eta_seconds(self):
        rate = self.rate()
        return (self.total - self.done) * 60 / rate if rate > 0 else None

    def bar(self, width=30):
        filled = int(width * self.done / self.total) if self.total else width
        eta = self.eta_seconds()
        eta_text = "--:--" if eta is None else f"{int(eta // 60):02d}:{int(eta % 60):02d}"
        return (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                f"{self.rate():.1f}/min ETA {eta_text}")
