"""The grader's side of the template (grader/sandbox/template.py): one per grading process,
started early so that Python and numpy load while the grader imports its own modules, and
reused for every worker that process starts (every submission of a batch slot, every restart
after a crash).

Linux only (the template hands descriptors over a Unix socket and its workers are forked);
`shared()` returns None elsewhere, or when the template cannot start, and the worker is then
exec'd as before (launch.spawn). `GRADER_TEMPLATE=0` turns the template off.
"""

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from grader.sandbox import launch

TEMPLATE = Path(__file__).resolve().parent / "template.py"
VARIABLE = "GRADER_TEMPLATE"
READY_SECONDS = 30.0

_shared = None


class Template:
    """A running template process and the socket to it."""

    def __init__(self):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            # Dies with us (PR_SET_PDEATHSIG) only when started by the main thread: the
            # signal follows the creating thread; otherwise the socket's end of file ends it.
            tie = ["--die-with-parent"] if threading.current_thread() is threading.main_thread() else []
            self.process = subprocess.Popen(
                [sys.executable, "-E", "-s", "-B", str(TEMPLATE), "--socket",
                 str(theirs.fileno()), *tie],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), env=launch.worker_env(), start_new_session=True,
                close_fds=True)
        finally:
            theirs.close()
        self.sock, self.owner, self.ready = mine, os.getpid(), False
        self.exits = {}        # pid -> wait status, as the template reported them
        self.spawned = 0

    def alive(self):
        return self.sock is not None and self.process.poll() is None

    def _receive(self, timeout):
        """One message from the template, or None on time-out; OSError if it is gone."""
        self.sock.settimeout(max(0.0, timeout))
        try:
            message = self.sock.recv(256)
        except (socket.timeout, BlockingIOError):
            return None
        if not message:
            raise OSError("the template ended")
        words = message.split()
        if words[0] == b"ready":
            self.ready = True
        elif words[0] == b"exit" and len(words) == 3:
            self.exits[int(words[1])] = int(words[2])
        return words

    def wait_ready(self, timeout=READY_SECONDS):
        deadline = time.monotonic() + timeout
        while not self.ready:
            if self._receive(deadline - time.monotonic()) is None:
                raise OSError("the template did not start in time")

    def spawn(self, config, fds):
        """Fork a locked-down worker; `fds` = (requests, responses, output, report), the
        worker's ends. Returns its handle (a Popen look-alike)."""
        self.wait_ready()
        config_r, config_w = os.pipe()
        try:
            socket.send_fds(self.sock, [b"spawn"], [config_r, *fds])
        finally:
            os.close(config_r)
        try:
            _write_all(config_w, json.dumps(config).encode())
        except BrokenPipeError:
            pass   # the fork died before reading it: its exit says so
        finally:
            os.close(config_w)
        deadline = time.monotonic() + READY_SECONDS
        while True:
            words = self._receive(deadline - time.monotonic())
            if words is None:
                raise OSError("the template did not fork in time")
            if words[0] == b"pid":
                self.spawned += 1
                return Forked(self, int(words[1]))

    def signal(self, pid, sig, group=False):
        try:
            self.sock.send(b"%s %d %d" % (b"killpg" if group else b"kill", pid, int(sig)))
        except OSError:
            pass

    def pump(self, pid, timeout):
        """Read the template's reports until `pid`'s exit is known or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            try:
                if self._receive(deadline - time.monotonic()) is None:
                    return
            except OSError:
                return

    def close(self):
        """End the template (it ends any worker still alive) and reap it, so its workers'
        CPU time is counted in this process's rusage."""
        if self.sock is None:
            return
        if os.getpid() == self.owner:
            self.sock.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.sock = None


class Forked:
    """A worker forked by the template, seen as launch.kill and the client see a Popen."""

    def __init__(self, template, pid):
        self.template, self.pid, self.returncode = template, pid, None

    def poll(self):
        if self.returncode is None:
            self.template.pump(self.pid, 0)
            self._update()
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            self.template.pump(self.pid, 1e9 if timeout is None else timeout)
            self._update()
            if self.returncode is None:
                if not self.template.alive():   # no report will come: it went with the template
                    self.returncode = -signal.SIGKILL
                else:
                    raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
        return self.returncode

    def _update(self):
        status = self.template.exits.pop(self.pid, None)
        if status is not None:
            self.returncode = os.waitstatus_to_exitcode(status)

    def send_signal(self, sig):
        if self.returncode is None:
            self.template.signal(self.pid, sig)

    def kill_group(self, sig):
        """Signal its whole session (its pid is the group's id: it called setsid)."""
        if self.returncode is None:
            self.template.signal(self.pid, sig, group=True)


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def enabled():
    return sys.platform.startswith("linux") and os.environ.get(VARIABLE, "1") != "0"


def shared():
    """This process's template (started on first use), or None when there is none."""
    global _shared
    if not enabled():
        return None
    if _shared is not None and _shared.owner == os.getpid() and _shared.alive():
        return _shared
    if _shared is not None and _shared.owner == os.getpid():
        _shared.close()
    try:
        _shared = Template()
    except OSError:
        _shared = None
        return None
    atexit.register(_shared.close)
    return _shared


def close_shared():
    """End this process's template now (it is otherwise ended at exit)."""
    if _shared is not None and _shared.owner == os.getpid():
        _shared.close()


def _forget_in_child():
    """A forked child (multiprocessing, a pool) drops its copy of the parent's socket, so the
    parent's template still sees end of file when the parent closes it; the child starts its
    own template when it needs one."""
    global _shared
    if _shared is not None and _shared.sock is not None:
        try:
            _shared.sock.close()
        except OSError:
            pass
        _shared.sock = None
    _shared = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def prestart():
    """Start this process's template now, so it loads while the grader does other work."""
    shared()
