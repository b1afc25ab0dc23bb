"""How a worker process is started, limited and killed.

This is the one place that decides what a worker may do; the lockdown (namespaces, rlimits,
an unprivileged user) plugs in here without changing the client or the checks.
"""

import json
import os
import signal
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

LOCKDOWN = Path(__file__).resolve().parent / "lockdown.py"
KIT_ROOT = Path(__file__).resolve().parent.parent.parent
WORKER_DIR = KIT_ROOT / "grader" / "worker"
# What the worker may never see: the grader (rubric included), the reference, the history.
HIDDEN = (KIT_ROOT / "grader", KIT_ROOT / "solutions", KIT_ROOT / ".git")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
               "/etc/ld.so.cache", "/etc/localtime")
# "auto": the strongest lockdown this machine allows; "process": rlimits and uid only
MODE_VARIABLE = "GRADER_SANDBOX"
# "1": never run a submission as root (Gradescope's run_autograder sets it); grading fails
# with an internal error instead, and the instructor is told why.
REQUIRE_VARIABLE = "GRADER_REQUIRE_UNPRIVILEGED"

# Numpy's BLAS starts a thread per core unless told otherwise; one is plenty for these sizes
# and keeps a worker's memory small and its timing steady.
THREAD_ENV = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")}


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 2.0
    load_seconds: float = 10.0
    memory_mb: int = 1024
    processes: int = 64        # RLIMIT_NPROC: bounds a fork bomb (where processes are allowed)
    start_processes: bool = False  # True: the worker may start processes (no seccomp filter:
                                   # tests of what contains them where the filter is missing)
    cpu_seconds: int = 300     # RLIMIT_CPU per worker: a backstop behind the call timeouts
    tmp_mb: int = 64           # the worker's private /tmp


def worker_env():
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TMPDIR")}
    env.update(THREAD_ENV)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Numpy asks for transparent huge pages for arrays of 4 MB and more, and the kernel may
    # then stop to compact memory on a page's first touch: 40-60 ms instead of 15 ms to warm
    # the worker's allocator before a timed call (harness.warm_allocator), more when busy.
    env["NUMPY_MADVISE_HUGEPAGE"] = "0"
    return env


def spawn(argv, limits, pass_fds, stdout, stderr, readable=(), file_bytes=1 << 20,
          report_fd=None):
    """Start the worker behind lockdown.py (its trusted parent), in its own session.

    `readable`: folders the worker must see besides python and grader/worker (the
    submission's folder, the course helpers); `file_bytes` bounds any file it writes (its
    captured output included); lockdown.py writes one JSON line on `report_fd` saying which
    protections it got.
    """
    config = _config(argv[0], limits, readable, file_bytes, report_fd)
    fds = tuple(pass_fds) + ((report_fd,) if report_fd is not None else ())
    wrapper = [sys.executable, "-I", "-S", "-B", str(LOCKDOWN), json.dumps(config), "--"]
    return subprocess.Popen(wrapper + list(argv), stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=stderr, pass_fds=fds, env=worker_env(),
                            start_new_session=True, close_fds=True)


def _config(executable, limits, readable, file_bytes, report_fd):
    """What lockdown.py needs to know: mode, limits, identity, environment, the view."""
    return {"mode": os.environ.get(MODE_VARIABLE, "auto"),
            "require_unprivileged": os.environ.get(REQUIRE_VARIABLE) == "1",
            "memory_mb": limits.memory_mb,
            "cpu_seconds": limits.cpu_seconds, "processes": limits.processes,
            "refuse_processes": not limits.start_processes,
            "tmp_mb": limits.tmp_mb, "file_bytes": int(file_bytes), "uid": worker_uid(),
            "env": worker_env(), "report_fd": report_fd, "hidden": [str(p) for p in HIDDEN],
            **view(executable, readable)}


def start_worker(worker_main, fds, output, report_fd, limits, readable=(), file_bytes=1 << 20,
                 output_cap=None):
    """Start the worker (grader/worker/main.py) in its sandbox; returns a Popen or a Popen
    look-alike (kill() below handles both).

    `fds` = (requests, responses): the worker's ends of its pipes; `output`: where it prints;
    `report_fd`: lockdown's report. Forked from this process's template when there is one
    (grader/sandbox/template.py: no Python or numpy start-up per worker), else exec'd.
    """
    from grader.sandbox import templates
    template = templates.shared()
    if template is not None:
        config = _config(sys.executable, limits, readable, file_bytes, None)
        config["output_cap"] = output_cap
        try:
            return template.spawn(config, (*fds, output, report_fd))
        except OSError:
            template.close()   # unusable: exec this worker, and start a fresh template next time
    argv = [sys.executable, "-E", "-s", "-B", str(worker_main),
            "--requests", str(fds[0]), "--responses", str(fds[1])]
    if output_cap is not None:
        argv += ["--output-cap", str(output_cap)]
    return spawn(argv, limits, pass_fds=fds, stdout=output, stderr=output, readable=readable,
                 file_bytes=file_bytes, report_fd=report_fd)


def view(executable, readable):
    """{"readable": real paths to bind, "links": [(path, real path)]} for the worker's view."""
    paths = [executable, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(WORKER_DIR), *map(str, readable)]
    real, links = [], []
    for path in dict.fromkeys(paths):
        resolved = os.path.realpath(path)
        real.append(resolved)
        if resolved != path:
            links.append((path, resolved))
    return {"readable": list(SYSTEM_DIRS) + list(dict.fromkeys(real)), "links": links}


def worker_uid():
    """A uid of the worker's own when root: nothing else on the machine runs as it, so its
    process limit counts only its own processes. Used only inside namespaces, where it can
    see nothing of other processes or files (lockdown.py uses nobody outside them)."""
    return 1_000_000 + os.getpid() % 1_000_000


def kill(process):
    """End the worker and everything it started; return once they are all gone.

    SIGTERM asks lockdown.py to kill its namespace (or the worker and its orphans) and wait
    for them; SIGKILL to the whole session is the fallback if it does not finish in time.
    """
    if process.poll() is None:
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        if hasattr(process, "kill_group"):   # forked by the template, which signals it
            process.kill_group(signal.SIGKILL)
        else:
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
            return "crashed", ("the process was killed (SIGKILL): memory limit exceeded "
                               f"({limits.memory_mb} MB), or your code killed it")
        if sig == signal.SIGXCPU:
            return "crashed", f"CPU time limit: the worker used {limits.cpu_seconds} s of CPU"
        return "crashed", f"the process was stopped by signal {name}"
    return "exited", f"your code ended the Python process (exit code {code}, e.g. os._exit)"
