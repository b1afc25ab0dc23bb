"""How a worker process is started, limited and killed.

This is the one place that decides what a worker may do; the lockdown (namespaces, rlimits,
an unprivileged user) plugs in here without changing the client or the checks.
"""

import os
import signal
import subprocess
from dataclasses import dataclass

# Numpy's BLAS starts a thread per core unless told otherwise; one is plenty for these sizes
# and keeps a worker's memory small and its timing steady.
THREAD_ENV = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")}


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 2.0
    load_seconds: float = 10.0
    memory_mb: int = 1024


def worker_env():
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TMPDIR")}
    env.update(THREAD_ENV)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def spawn(argv, limits, pass_fds, stdout, stderr):
    """Start the worker in its own session, so it and its children can be killed as one."""
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            pass_fds=pass_fds, env=worker_env(), start_new_session=True,
                            close_fds=True)


def kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def describe_exit(code, limits):
    """(kind, student-facing sentence) for a worker that stopped answering."""
    if code is None:
        return "crashed", "the worker stopped answering"
    if code < 0:
        sig = -code
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGSEGV:
            return "crashed", "your code crashed the Python process (segmentation fault)"
        if sig == signal.SIGKILL:
            return "crashed", f"the process was killed (SIGKILL), for example for using more than {limits.memory_mb} MB of memory"
        return "crashed", f"the process was stopped by signal {name}"
    return "exited", f"your code ended the Python process (exit code {code}, e.g. os._exit)"
