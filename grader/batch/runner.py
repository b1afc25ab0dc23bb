"""Grade many submissions at once: a pool of grader processes, each grading one submission at a
time with `grader.grading.grade`, exactly as `python -m grader grade` does (the student's code
runs in that grading's own sandboxed worker). Results come back to the caller, which records
them as they arrive.
"""

import multiprocessing
import os
import signal
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

_rubric = None


def _init(rubric_path):
    """Pool process start-up: load the rubric once; stop cleanly when told to or orphaned."""
    global _rubric
    from grader import rubric as rubric_mod
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


def _grade(path):
    """(GradeReport, "") or (None, what went wrong inside the grader)."""
    from grader import grading
    try:
        return grading.grade(path, _rubric), ""
    except Exception as exc:  # noqa: BLE001 - one grader failure must not stop the class
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return None, f"the grader failed on this submission ({detail})"


def run(entries, rubric_path, jobs, on_result):
    """Grade every entry with `jobs` processes; call on_result(entry, report, error) for each
    as soon as it is done, in the calling process."""
    if not entries:
        return
    context = multiprocessing.get_context("spawn")  # no inherited state (the open database)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init,
                             initargs=(str(rubric_path),)) as pool:
        try:
            pending = {pool.submit(_grade, str(e.path)): e for e in entries}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    entry = pending.pop(future)
                    try:
                        report, error = future.result()
                    except Exception as exc:  # noqa: BLE001 - e.g. a pool process was killed
                        report, error = None, f"the grading process failed ({type(exc).__name__}: {exc})"
                    on_result(entry, report, error)
        except BaseException:  # Ctrl-C: stop now; what was recorded stays recorded
            pool.shutdown(wait=False, cancel_futures=True)
            for process in multiprocessing.active_children():
                process.terminate()
            raise
