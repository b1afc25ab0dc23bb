"""The template: a pre-started process with numpy and the worker's modules imported, from
which each submission's worker is forked, so Python and numpy start once per grading process
(a pool slot of a batch, or one `grade`) instead of once per worker.

Run as a script by grader/sandbox/templates.py:

    python -E -s -B template.py --socket FD

with the worker's environment. It is trusted and stays pristine: it never runs student code
and never sees any submission's data. Its only input is a fixed, tiny request on a Unix
socket, "spawn", carrying descriptors: a pipe holding the worker's configuration (read by
the forked child, never by the template), the worker's request and answer pipes, its output
pipe and the lockdown report pipe. For each it forks L, which is exactly lockdown.py's
trusted parent (fresh PID, network, mount, IPC, UTS and user namespaces, the private view of
that submission's copy, rlimits, the uid drop), except that W, the worker, is not exec'd:
it runs the already imported worker (grader/worker/main.py) in its own address space, a
copy of the pristine template. So a worker sees nothing of any earlier submission: none was
ever in the template, and each worker is a fresh fork of it. Before its second fork,
the template draws the efficiency checks' fixed inputs (harness.predraw: a constant, no
submission's data), which every later worker then finds drawn. Not before the first: that
worker draws them itself, in a thread beside its loading (harness.predraw_soon), and a
single `grade` forks only once (the template's draw took a core from its start-up).

Replies on the socket: "pid L" after a spawn, "exit L STATUS" when L ended (the template
reaps it: its rusage, workers included, reaches the grader when the grader reaps the
template). "kill L SIG" / "killpg L SIG" signal a child not yet reaped (so never a reused
pid). End of file on the socket: live children get SIGTERM, then SIGKILL, and it exits.
"""

import importlib.util
import json
import os
import select
import signal
import socket
import sys
import traceback

SANDBOX = os.path.dirname(os.path.abspath(__file__))
WORKER_DIR = os.path.join(os.path.dirname(SANDBOX), "worker")
MAX_CONFIG_BYTES = 1 << 20
DESCRIPTORS = 5   # config, requests, responses, output, report


def _load_lockdown():
    spec = importlib.util.spec_from_file_location("lockdown", os.path.join(SANDBOX, "lockdown.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lockdown = _load_lockdown()
# The worker's own import path, as when it is started as `python main.py`.
sys.path[0] = WORKER_DIR
import main as worker_main  # noqa: E402  (numpy, codec, harness, loading, capture with it)


def run_worker(argv):
    """W's body after lockdown (limits, uid, no new privileges): the worker's main loop; never
    returns into the template's code."""
    code = 0
    try:
        keep = {0, 1, 2, int(argv[argv.index("--requests") + 1]),
                int(argv[argv.index("--responses") + 1])}
        _close_all_but(keep)
        sys.argv = [os.path.join(WORKER_DIR, "main.py")] + list(argv)
        worker_main.main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - as python would: the traceback, exit status 1
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


def _close_all_but(keep):
    """Close every descriptor not in `keep` (a fork keeps them all, unlike an exec)."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = range(3, 1024)
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def be_parent(fds):
    """In the forked L: take the submission's configuration from its pipe, then be
    lockdown.py's trusted parent, with W running the already imported worker."""
    config_fd, requests, responses, output, report_fd = fds
    try:
        os.setsid()   # its own session: the grader ends it and its descendants as one group
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        _close_all_but({0, 1, 2, *fds} - {output})
        data = b""
        while len(data) <= MAX_CONFIG_BYTES:
            chunk = os.read(config_fd, 1 << 16)
            if not chunk:
                break
            data += chunk
        os.close(config_fd)
        cfg = json.loads(data)
        cfg["report_fd"] = report_fd
        argv = ["--requests", str(requests), "--responses", str(responses)]
        if cfg.get("output_cap") is not None:
            argv += ["--output-cap", str(int(cfg["output_cap"]))]
        lockdown.start_worker = run_worker
        lockdown.main(["lockdown.py", json.dumps(cfg), "--", *argv])
    except BaseException as exc:  # noqa: BLE001 - no worker then: the grader sees the exit
        try:
            os.write(2, f"grader sandbox: could not start the worker: {exc}\n".encode())
        except OSError:
            pass
    os._exit(127)


def serve(sock):
    """The template's loop: spawn on request, reap and report, signal on request."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    live, forked, predrawn = set(), False, False
    sock.send(b"ready")
    while True:
        ready = select.select([sock, wake_r], [], [])[0]
        if wake_r in ready:
            os.read(wake_r, 4096)
        _reap(sock, live)
        if sock not in ready:
            continue
        try:
            message, fds, _, _ = socket.recv_fds(sock, 256, DESCRIPTORS)
        except OSError:
            message, fds = b"", []
        if not message:
            for fd in fds:
                os.close(fd)
            _shut_down(live)
            return
        words = message.split() or [b""]
        if words[0] == b"spawn" and len(fds) == DESCRIPTORS:
            if forked and not predrawn:
                worker_main.harness.predraw()
                predrawn = True
            forked = True
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                sock.close()
                os.close(wake_r)
                os.close(wake_w)
                be_parent(fds)
            live.add(pid)
            sock.send(b"pid %d" % pid)
        elif words[0] in (b"kill", b"killpg") and len(words) == 3:
            pid, sig = int(words[1]), int(words[2])
            if pid in live:   # never a pid already reaped (it may belong to someone else now)
                try:
                    (os.killpg if words[0] == b"killpg" else os.kill)(pid, sig)
                except OSError:
                    pass
        for fd in fds:
            os.close(fd)


def _reap(sock, live):
    while live:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        live.discard(pid)
        try:
            sock.send(b"exit %d %d" % (pid, status))
        except OSError:
            pass


def _shut_down(live):
    """The grader is gone or done: end every worker, the gentle way first (so each one's
    CPU is counted), and reap them."""
    for pid in list(live):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    signal.signal(signal.SIGALRM, _late)
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    while live:
        try:
            pid, _ = os.waitpid(-1, 0)
            live.discard(pid)
        except (ChildProcessError, TimeoutError):
            break
    for pid in live:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    signal.setitimer(signal.ITIMER_REAL, 0)


def _late(signum, frame):
    raise TimeoutError()


def main():
    fd = int(sys.argv[sys.argv.index("--socket") + 1])
    if "--die-with-parent" in sys.argv and sys.platform.startswith("linux"):
        lockdown.prctl(lockdown.PR_SET_PDEATHSIG, signal.SIGKILL)  # the grader died
    sock = socket.socket(fileno=fd)
    serve(sock)
    # Every worker is reaped; tearing down numpy's and the worker's modules one by one would
    # only keep the grader waiting (it reaps this process, for the workers' CPU time).
    os._exit(0)


if __name__ == "__main__":
    main()
