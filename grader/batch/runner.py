"""Grade many submissions at once: `jobs` grading processes, each grading one submission at a
time with `grader.grading.grade`, exactly as `python -m grader grade` does (the student's code
runs in that grading's own sandboxed worker). Results come back to the caller, which records
them as they arrive.

The batch process knows which submission each grading process holds, so when one dies (the
OOM killer, a grader bug that kills it) only that submission is affected: it is retried once
in a fresh process, then recorded as a grader error; the other processes go on. A submission
that runs past its wall-clock cap (grading.wall_seconds plus slack), which grade() enforces
itself, is stopped from here all the same.
"""

import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_ready
from pathlib import Path

SLACK_SECONDS = 60.0   # on top of grading.wall_seconds: start-up, exports of one report

_rubric = None


def _init(rubric_path):
    """Pool process start-up: load the rubric once; stop cleanly when told to or orphaned."""
    global _rubric
    from grader import rubric as rubric_mod
    from grader.sandbox import templates
    templates.prestart()   # this slot's worker template loads numpy while the rubric loads
    _rubric = rubric_mod.load(rubric_path)
    # Ctrl-C reaches the whole terminal's process group: the batch process alone decides
    # what happens (it terminates this one), so a check is never cut off half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: _stop())
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()


def _watch_parent(parent):
    # After `kill -9` of the batch there is nobody to hand a result to.
    while os.getppid() == parent:
        time.sleep(0.5)
    _stop()


def _stop():
    """Kill the grading workers this process started, then leave. Each worker leads its own
    session (see sandbox.launch), so it would outlive us; a student's endless loop would never
    notice that its pipes were closed."""
    for pid in _children():
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    os._exit(1)


def _children():
    pids = []
    for task in Path("/proc/self/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return pids


def _grade(path, folder=None):
    """(GradeReport, "") or (None, what went wrong inside the grader)."""
    from grader import grading
    try:
        report = grading.grade(path, _rubric, folder=folder)
    except Exception as exc:  # noqa: BLE001 - one grader failure must not stop the class
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return None, f"the grader failed on this submission ({detail})"
    if report.error:
        return None, f"the grader failed on this submission ({report.error})"
    return report, ""


def _serve(conn, rubric_path, task):
    """A grading process: take (path, folder) from `conn`, answer task(path, folder), until
    told None."""
    _init(rubric_path)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(task(*job))


@dataclass
class _Slot:
    process: object
    conn: object
    entry: object = None
    attempt: int = 0
    started: float = 0.0


def run(entries, rubric_path, jobs, on_result, task=_grade, cap_seconds=None):
    """Grade every entry with `jobs` processes; call on_result(entry, report, error) for each
    as soon as it is done, in the calling process. `task(path, folder)` does one grading
    (tests swap it); `cap_seconds` bounds one submission's wall-clock time."""
    if not entries:
        return
    if cap_seconds is None:
        from grader import grading, rubric as rubric_mod
        cap_seconds = grading.wall_seconds(rubric_mod.load(rubric_path)) + SLACK_SECONDS
    context = multiprocessing.get_context("spawn")  # no inherited state (the open database)
    queue = deque((entry, 1) for entry in entries)
    slots = []

    def start_slot():
        here, there = context.Pipe()
        process = context.Process(target=_serve, args=(there, str(rubric_path), task),
                                  daemon=True)
        process.start()
        there.close()
        return _Slot(process, here)

    try:
        slots = [start_slot() for _ in range(min(jobs, len(entries)))]
        while queue or any(s.entry is not None for s in slots):
            for i, slot in enumerate(slots):
                if slot.entry is None and queue:
                    if not slot.process.is_alive():
                        _end(slot)
                        slot = slots[i] = start_slot()
                    slot.entry, slot.attempt = queue.popleft()
                    slot.started = time.monotonic()
                    slot.conn.send((str(slot.entry.path), str(_folder(slot.entry))))
            busy = [s for s in slots if s.entry is not None]
            nearest = min(s.started + cap_seconds for s in busy) - time.monotonic()
            ready = wait_ready([s.conn for s in busy] + [s.process.sentinel for s in busy],
                               timeout=max(0.0, nearest))
            for i, slot in enumerate(slots):
                if slot.entry is None:
                    continue
                entry = slot.entry
                result = None
                if slot.conn in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    except Exception as exc:  # noqa: BLE001 - an answer that did not unpickle
                        result = (None, f"the grading process sent a broken result ({exc})")
                if result is not None:
                    slot.entry = None
                    on_result(entry, *result)
                elif slot.process.sentinel in ready or slot.conn in ready:
                    slot.process.join(timeout=2)  # its pipe may close before it is reaped
                    _end(slot)
                    code = slot.process.exitcode
                    slots[i] = start_slot()
                    if slot.attempt < 2:
                        queue.appendleft((entry, slot.attempt + 1))
                    else:
                        on_result(entry, None, "the process grading this submission died twice "
                                  f"({_how(code)}); it was not graded")
                elif time.monotonic() - slot.started > cap_seconds:
                    _end(slot)
                    slots[i] = start_slot()
                    on_result(entry, None, f"grading this submission took longer than "
                              f"{cap_seconds:g} s and was stopped")
        for slot in slots:
            try:
                slot.conn.send(None)
            except OSError:
                pass
        for slot in slots:
            slot.process.join(timeout=10)
            _end(slot)
    except BaseException:  # Ctrl-C: stop now; what was recorded stays recorded
        for slot in slots:
            _end(slot)
        raise


def _folder(entry):
    """What travels with the graded file: the student's folder, or the file alone."""
    root = getattr(entry, "root", None)
    return root if root is not None else entry.path


def _how(code):
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}, e.g. by the system when memory ran out"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _end(slot):
    """Stop a grading process and its workers (SIGTERM runs _stop there), then reap it."""
    process = slot.process
    if process.is_alive():
        process.terminate()
        process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)
    try:
        slot.conn.close()
    except OSError:
        pass
