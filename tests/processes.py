"""Find (and end) processes that a test's submission or probe left behind, by their name."""

import os
import signal
from pathlib import Path


def named(name):
    """Pids of the processes whose /proc/PID/comm is `name`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(int(pid))
        except OSError:
            pass
    return found


def end_leftovers(name):
    """Kill what `named(name)` finds (a test must never leave one running); return them."""
    leftover = named(name)
    for pid in leftover:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return leftover
