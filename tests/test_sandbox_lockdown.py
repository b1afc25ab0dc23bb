"""The lockdown's pieces, with a tiny probe program in place of the worker (fast: no numpy).

Each probe runs through launch.spawn exactly like the worker does, prints what it could see
and do as one JSON line, and the test judges it here. Run twice: with the strongest lockdown
this machine allows ("auto") and with the reduced one ("process"), which is what a student's
laptop without namespaces gets.
"""

import errno
import json
import os
import signal
import sys
import tempfile
import time

import pytest

from grader.sandbox import launch, lockdown
from grader.sandbox.client import _out_of_memory, _read_report
from grader.worker.capture import CappedFile
from processes import end_leftovers, named

KIT = launch.KIT_ROOT
MARK = "w2v-probe"

PROBE = r"""
import ctypes, json, os, resource, socket, sys, time
facts = {"uid": os.getuid(), "pid": os.getpid(), "ppid": os.getppid(),
         "sees_solutions": os.path.exists(sys.argv[1] + "/solutions/word2vec.py"),
         "sees_rubric": os.path.exists(sys.argv[1] + "/grader/rubric.toml"),
         "sees_worker": os.path.exists(sys.argv[1] + "/grader/worker/main.py"),
         "processes": sum(p.isdigit() for p in os.listdir("/proc")) if os.path.isdir("/proc") else None,
         "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0],
         "memory": resource.getrlimit(resource.RLIMIT_AS)[0],
         "core": resource.getrlimit(resource.RLIMIT_CORE)[0]}
if sys.argv[3] == "seccomp":   # what the filter refuses (a child that gets through ends)
    class Action(ctypes.Structure):   # glibc's struct sigaction
        _fields_ = [("handler", ctypes.c_void_p), ("mask", ctypes.c_ulong * 16),
                    ("flags", ctypes.c_int), ("restorer", ctypes.c_void_p)]
    libc, SIGCHLD, SA_NOCLDWAIT = ctypes.CDLL(None, use_errno=True), 17, 2
    def refused(result):
        return result == -1 and ctypes.get_errno() == 1   # EPERM
    facts["reaping"] = {
        "ignore": refused(libc.signal(SIGCHLD, ctypes.c_void_p(1))),   # SIG_IGN
        "nocldwait": refused(libc.sigaction(SIGCHLD, ctypes.byref(Action(flags=SA_NOCLDWAIT)), None)),
        "handler": refused(libc.sigaction(SIGCHLD, ctypes.byref(Action(handler=None)), None)),
        "read": not refused(libc.sigaction(SIGCHLD, None, ctypes.byref(Action()))),
        "other_signal": not refused(libc.sigaction(10, ctypes.byref(Action(handler=1)), None)),
        # x32's rt_sigaction (x86-64 only; elsewhere just another number refused or unknown)
        "x32": refused(libc.syscall(0x40000000 | 512, SIGCHLD, ctypes.byref(Action(handler=1)), None, 8)),
    }
    def errno_of(result):
        return ctypes.get_errno() if result == -1 else 0
    NR = {"x86_64": {"clone": 56, "clone3": 435, "setns": 308, "ptrace": 101},
          "aarch64": {"clone": 220, "clone3": 435, "setns": 268, "ptrace": 117}}.get(os.uname().machine, {})
    CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
    facts["namespaces"] = {   # a namespace's init, ending, has its children reaped by the kernel
        "unshare": errno_of(libc.unshare(CLONE_NEWUSER | CLONE_NEWPID)),
        # (the flags alone: a clone that got through would be a child here, ended at once)
        "clone": errno_of(libc.syscall(NR.get("clone", -1), CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)),
        "clone3": errno_of(libc.syscall(NR.get("clone3", -1), 0, 0)),
        "setns": errno_of(libc.syscall(NR.get("setns", -1), 0, 0)),
        "ptrace": errno_of(libc.syscall(NR.get("ptrace", -1), 0, 0, 0, 0)),   # PTRACE_TRACEME
    }
    if os.getpid() != facts["pid"]:
        os._exit(0)
    import threading
    ran = []
    thread = threading.Thread(target=lambda: ran.append(1))
    thread.start()
    thread.join()
    facts["thread_ran"] = ran == [1]
    def started(start):
        try:
            child = start()
        except OSError as exc:
            return exc.errno
        if child == 0:
            os._exit(7)
        return os.waitpid(child, 0)[1] >> 8
    import subprocess
    facts["starting"] = {
        "fork": started(os.fork),
        "raw fork": errno_of(libc.syscall(57, 0, 0)) if os.uname().machine == "x86_64" else 1,
        "clone": errno_of(libc.syscall(NR.get("clone", -1), SIGCHLD, 0, 0, 0, 0)),
        "spawn": started(lambda: subprocess.Popen(["/bin/true"]).wait() or 0),
    }
    if os.getpid() != facts["pid"]:
        os._exit(0)
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=1).close()
    facts["loopback"] = "connected"
except OSError as exc:
    facts["loopback"] = str(exc)
print(json.dumps(facts), flush=True)
if sys.argv[3] == "flood":
    try:
        os.write(1, b"x" * (4 << 20))
    except OSError as exc:
        print("write failed:", exc.errno, flush=True)
if sys.argv[3] == "daemon":
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, sys.argv[4].encode(), 0, 0, 0)
            time.sleep(30)
        os._exit(0)
    time.sleep(30)
"""


@pytest.fixture(params=["auto", "process"])
def mode(request, monkeypatch):
    monkeypatch.setenv(launch.MODE_VARIABLE, request.param)
    return request.param


def run_probe(action="none", marker=MARK, wait=True, port=9, start_processes=False):
    capture = tempfile.TemporaryFile()
    report_r, report_w = os.pipe()
    limits = launch.Limits(memory_mb=512, processes=32, start_processes=start_processes)
    process = launch.spawn([sys.executable, "-S", "-c", PROBE, str(KIT), str(port), action,
                            marker], limits, pass_fds=(), stdout=capture, stderr=capture,
                           file_bytes=1 << 20, report_fd=report_w)
    os.close(report_w)
    report = _read_report(report_r, 10)
    if wait:
        process.wait(timeout=20)
    return process, report, capture


def facts_of(capture):
    capture.seek(0)
    return json.loads(capture.readline())


def test_probe_runs_limited_and_reports_its_protections(mode):
    process, report, capture = run_probe("flood")
    facts = facts_of(capture)
    assert process.returncode == 0
    assert facts["nproc"] == 32 and facts["memory"] == 512 * 2**20 and facts["core"] == 0
    assert facts["ppid"] != os.getpid(), "the grader must never be the worker's parent"
    capture.seek(0, os.SEEK_END)
    assert capture.tell() <= 1 << 20, "RLIMIT_FSIZE must stop a flood of output"
    assert report["memory_mb"] == 512
    assert report["namespaces"] == (mode == "auto" and report["namespaces"])
    if mode == "process":
        assert "Sandbox (reduced" in lockdown.describe(report)


def test_namespaces_hide_the_kit_the_network_and_other_processes():
    process, report, capture = run_probe(port=_listening_port())
    if not report.get("namespaces"):
        pytest.skip("this machine allows no namespaces: " + report.get("why", ""))
    facts = facts_of(capture)
    assert report["view"] and not facts["sees_solutions"] and not facts["sees_rubric"]
    assert facts["sees_worker"]
    assert facts["processes"] <= 3        # its own PID namespace: init, itself
    assert facts["loopback"] != "connected"
    if os.geteuid() == 0:
        assert facts["uid"] != 0 and report["uid"] == facts["uid"]
    assert lockdown.describe(report).startswith("Sandbox: own PID, network")


@pytest.mark.skipif(lockdown.children_filter() is None, reason="no seccomp filter for this ABI")
def test_the_worker_starts_threads_but_no_process(mode):
    """A child's CPU time can escape the efficiency check's count (reaped by the kernel
    itself, or rounded down to its reaper's clock ticks: a loop split over 8 children hid
    28 of 28 times): in either lockdown every way to start a process, or to have children
    reaped unseen, is refused."""
    process, report, capture = run_probe("seccomp")
    facts = facts_of(capture)
    assert report["processes_refused"] is True
    assert facts["starting"] == {"fork": errno.EPERM, "raw fork": errno.EPERM,
                                  "clone": errno.EPERM, "spawn": errno.EPERM}
    assert facts["reaping"] == {"ignore": True, "nocldwait": True, "handler": True,
                                "read": True, "other_signal": True, "x32": True}
    assert facts["namespaces"] == {"unshare": errno.EPERM, "clone": errno.EPERM,
                                   "clone3": errno.ENOSYS, "setns": errno.EPERM,
                                   "ptrace": errno.EPERM}
    assert facts["thread_ran"]   # threads as usual


def _listening_port():
    import socket
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    _listening_port.keep = server  # open until the next call; the probe must not reach it
    return server.getsockname()[1]


def test_kill_ends_detached_grandchildren(mode):
    marker = f"w2v-probe-{mode[:4]}"
    # (processes allowed: what ends them where the filter that refuses them is missing)
    process, report, capture = run_probe("daemon", marker=marker, wait=False,
                                         start_processes=True)
    deadline = time.monotonic() + 10
    while not named(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert named(marker), "the probe's daemon never started"
    launch.kill(process)
    assert not end_leftovers(marker)


def test_readable_by_others(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "f.py").write_text("")
    public = tmp_path / "public"
    public.mkdir(mode=0o755)
    (public / "f.py").write_text("")
    os.chmod(public / "f.py", 0o644)
    os.chmod(tmp_path, 0o755)
    assert not lockdown.readable_by_others(private / "f.py")
    assert lockdown.readable_by_others(public / "f.py") == lockdown.readable_by_others(tmp_path)


def test_describe_names_the_reduced_mode_and_what_it_lacks():
    reduced = lockdown.describe({"memory_mb": 1024, "namespaces": False, "why": "EPERM",
                                 "uid": 65534})
    assert "reduced" in reduced and "EPERM" in reduced and "unprivileged user" in reduced
    assert "\n" not in reduced
    full = lockdown.describe({"memory_mb": 1024, "namespaces": True, "view": True, "uid": 7})
    assert "namespaces" in full and "reduced" not in full and "1024 MB" in full


def test_killed_worker_is_described_as_a_memory_limit():
    kind, text = launch.describe_exit(-signal.SIGKILL, launch.Limits(memory_mb=300))
    assert kind == "crashed" and "memory limit exceeded (300 MB)" in text


def test_memory_error_anywhere_in_an_answer_is_recognised():
    error = {"ok": False, "error": {"type": "MemoryError", "message": "x"}}
    assert _out_of_memory(error)
    assert _out_of_memory({"ok": True, "results": [{"ok": True, "value": 1}, error]})
    assert not _out_of_memory({"ok": False, "error": {"type": "ValueError"}})


def test_capped_output_drops_the_excess_quietly(tmp_path):
    with open(tmp_path / "out", "wb") as handle:
        budget = [10]
        out = CappedFile(handle.fileno(), budget)
        assert out.write(b"0123456") == 7
        assert out.write(b"789abcdef") == 9   # claims success, keeps what fits
    assert (tmp_path / "out").read_bytes() == b"0123456789"


def test_the_reduced_mode_note_says_when_submissions_run_as_root():
    """Found by trying it: python under /root is not readable by nobody, so the worker kept
    uid 0 and the note only said "can read files"."""
    from grader.sandbox import lockdown
    as_root = lockdown.describe({"root": True, "uid": None, "why": "switched off", "memory_mb": 64})
    assert "AS ROOT" in as_root and "GRADER_REQUIRE_UNPRIVILEGED=1" in as_root
    dropped = lockdown.describe({"root": True, "uid": 65534, "why": "switched off", "memory_mb": 64})
    assert "AS ROOT" not in dropped and "an unprivileged user" in dropped
