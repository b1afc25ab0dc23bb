"""Lock a worker down: namespaces, a private filesystem view, an unprivileged user, rlimits.

Run as a script (standard library only, `python -I -S lockdown.py CONFIG -- WORKER ARGV...`)
by launch.spawn; it becomes the worker's trusted parent L and reports on `report_fd` (one
JSON line) which protections it got. The process tree, best case (Linux, root or
unprivileged user namespaces):

    grader --pipes--> L (host PID namespace) --fork--> I (PID 1 of a new PID namespace)
                                                          --fork--> W (exec: the worker)

- L unshares PID, network, IPC and UTS namespaces (plus a user namespace when not root).
  The new network namespace has only a loopback interface, and it is down.
- I unshares a mount namespace and builds the worker's filesystem: an empty tmpfs root
  holding read-only bind mounts of exactly what the worker needs (python, its packages,
  grader/worker, the course helpers, the submission's folder), a private /dev, /proc and
  /tmp, with the kit's private parts (grader/, solutions/, .git) masked wherever a bind
  would show them; then pivot_root, so the rest of the disk is not reachable at all.
  I then only waits: when W ends, I exits, and the kernel kills every process left in the
  PID namespace (double-forked ones too).
- W sets rlimits, drops to an unprivileged uid (when root), forbids new privileges and
  execs the worker.
- W installs a seccomp filter before it runs anything of the submission's: it may start
  threads but no process (refuse_processes), so its CPU time, which the efficiency check
  reads, is all in one process.

Where namespaces are refused (no root and no user namespaces, a container without
CAP_SYS_ADMIN, macOS), L forks W directly: rlimits, an unprivileged uid when root and python
is readable by it, and L as "child subreaper" so orphans of W come back to L and are killed.
"""

import ctypes
import errno
import json
import os
import signal
import stat
import sys

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME = 1 << 14, 1 << 18, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 24, 36, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(os.uname().machine)
# statvfs flags a remount must keep (the kernel refuses to drop them in a user namespace)
# (os.ST_* beyond NOSUID exist on Linux only: numbers, so this imports on macOS too)
KEEP_FLAGS = {2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME,
              4096: MS_RELATIME}
DEVICES = ("null", "zero", "full", "random", "urandom")
NOBODY = 65534
CATCHABLE = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2, signal.SIGALRM)
BASE = "/tmp"          # where the staging tmpfs goes (bubblewrap does the same)
# Set by grader/sandbox/template.py in the L it forks: W calls this with its argv (the
# worker's arguments) instead of exec'ing python; None: exec as usual.
start_worker = None


# -- the one-line summary the grader prints ------------------------------------------------
def describe(report):
    """One line naming the protections `report` (what L wrote) says were active."""
    if not report:
        return "Sandbox: unknown (the worker did not report its protections)."
    parts = []
    if report.get("namespaces"):
        parts.append("own PID, network (no interfaces), mount and IPC namespaces")
    if report.get("view"):
        parts.append("a read-only filesystem view without the reference or grader")
    if report.get("uid") is not None:  # not the number: it varies, the feedback must not
        parts.append("an unprivileged user")
    elif report.get("userns"):
        parts.append("no capabilities (user namespace)")
    parts.append(f"limits on memory ({report.get('memory_mb')} MB), processes, file size "
                 "and CPU time")
    if report.get("namespaces"):
        return "Sandbox: " + "; ".join(parts) + "."
    if report.get("root") and report.get("uid") is None and not report.get("userns"):
        # nobody could not run python (e.g. a Python under /root): say what that means
        parts.append("AS ROOT, since python is not readable by an unprivileged user: "
                     "submissions can also change or delete any file (set "
                     "GRADER_REQUIRE_UNPRIVILEGED=1 to refuse instead)")
    return ("Sandbox (reduced, namespaces unavailable: " + report.get("why", "unknown")
            + "): separate process; " + "; ".join(parts)
            + "; submissions can read files and reach the network.")


# -- thin wrappers over libc ---------------------------------------------------------------
_libc = None


def libc():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(path):
    return None if path is None else os.fsencode(path)


def mount(source, target, fstype=None, flags=0, data=None):
    _check(libc().mount(_b(source), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data)),
           f"mount {target}")


def prctl(option, value):
    _check(libc().prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                        ctypes.c_ulong(0)), f"prctl {option}")


def unshare(flags):
    _check(libc().unshare(flags), "unshare")


# -- no process of its own -------------------------------------------------------------------
# The efficiency check counts the CPU time of the worker's process tree, and a process's
# children are where that count goes blind: a child the kernel reaps by itself takes its time
# along to no one (SIGCHLD ignored, SA_NOCLDWAIT, the end of a PID namespace's init), a child
# reaped by its parent reaches /proc only in the parent's clock ticks (10 ms, rounded down: an
# attacker's review hid a loop in 8 children of under 10 ms each, reaped by 8 fresh helpers,
# 28 of 28 times), and a parent read before its child misses a child reaped in between. The
# exercise never needs a process, so a seccomp filter refuses them: fork, vfork and clone
# without CLONE_THREAD answer EPERM (threads still start), as do new namespaces (unshare,
# setns), ptrace and setting SIGCHLD's action (kept: they refuse the same where an older
# kernel let something through); clone3, whose flags a filter cannot read, answers ENOSYS, so
# the C library falls back to clone. System calls of another ABI (i386's int 0x80, x32) are
# refused outright: their numbers differ, and the worker never makes them.
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
# the ABIs the filter is written for: AUDIT_ARCH_* and the system call numbers
SECCOMP_ABI = {
    "x86_64": (0xC000003E, {"rt_sigaction": 13, "clone": 56, "fork": 57, "vfork": 58,
                            "ptrace": 101, "unshare": 272, "setns": 308, "clone3": 435}),
    "aarch64": (0xC00000B7, {"rt_sigaction": 134, "clone": 220, "ptrace": 117, "unshare": 97,
                             "setns": 268, "clone3": 435}),   # no fork or vfork: clone only
}.get(os.uname().machine)
X32_SYSCALL_BIT = 0x40000000
CLONE_NEWTIME, CLONE_NEWCGROUP, CLONE_THREAD = 0x80, 0x02000000, 0x00010000
NEW_NAMESPACE = (CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
                 | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
# seccomp_data: nr at 0, arch at 4, args[i] at 16 + 8 i (little-endian: low half first)
_NR, _ARCH, _ARG0, _ARG1, _ARG1_HIGH = 0, 4, 16, 24, 28


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def children_filter():
    """The filter's BPF program, as (code, jt, jf, k) rows, for this machine's ABI; None if
    it has none (then no filter: cputime's wall-time measure stands in)."""
    if SECCOMP_ABI is None:
        return None
    arch, nr = SECCOMP_ABI
    # (operation, k, label if true, label if false); a string alone labels the next row
    program = [
        ("load", _ARCH), ("jeq", arch, None, "refuse"),
        ("load", _NR), ("jge", X32_SYSCALL_BIT, "refuse", None),
        ("jeq", nr["rt_sigaction"], "sigaction", None),
        ("jeq", nr["clone"], "clone", None),
        ("jeq", nr["clone3"], "no_such_call", None),
        *[("jeq", nr[name], "refuse", None) for name in ("fork", "vfork") if name in nr],
        ("jeq", nr["unshare"], "refuse", None),
        ("jeq", nr["setns"], "refuse", None),
        ("jeq", nr["ptrace"], "refuse", "allow"),
        "sigaction", ("load", _ARG0), ("jeq", signal.SIGCHLD, None, "allow"),
        ("load", _ARG1), ("jeq", 0, None, "refuse"),
        ("load", _ARG1_HIGH), ("jeq", 0, "allow", "refuse"),
        "clone", ("load", _ARG0), ("and", NEW_NAMESPACE | CLONE_THREAD),
        ("jeq", CLONE_THREAD, "allow", "refuse"),      # a thread, in no new namespace
        "allow", ("ret", SECCOMP_RET_ALLOW),
        "refuse", ("ret", SECCOMP_RET_ERRNO | errno.EPERM),
        "no_such_call", ("ret", SECCOMP_RET_ERRNO | errno.ENOSYS),
    ]
    return _assemble(program)


def _assemble(program):
    """(code, jt, jf, k) rows of a BPF program written with labels (forward jumps only)."""
    codes = {"load": 0x20, "jeq": 0x15, "jge": 0x35, "and": 0x54, "ret": 0x06}
    rows, at = [], {}
    for item in program:
        if isinstance(item, str):
            at[item] = len(rows)
        else:
            rows.append(item)

    def offset(label, i):
        return 0 if label is None else at[label] - i - 1
    return [(codes[op], offset(rest[1], i), offset(rest[2], i), rest[0])
            if op.startswith("j") else (codes[op], 0, 0, rest[0])
            for i, (op, *rest) in enumerate(rows)]


def refuse_processes():
    """Install the filter on this process (W, which can then start no process); True if
    the kernel took it. Needs no privilege (it sets no_new_privs first)."""
    rows = children_filter()
    if rows is None or not sys.platform.startswith("linux"):
        return False
    program = (_SockFilter * len(rows))(*[_SockFilter(*row) for row in rows])
    fprog = _SockFprog(len(rows), program)
    try:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        _check(libc().prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER),
                            ctypes.byref(fprog), ctypes.c_ulong(0), ctypes.c_ulong(0)),
               "prctl PR_SET_SECCOMP")
    except OSError:
        return False
    return True


# -- namespaces ------------------------------------------------------------------------------
def enter_namespaces():
    """Unshare what we can; return (True, "") or (False, why not)."""
    if not sys.platform.startswith("linux"):
        return False, f"{sys.platform} has no Linux namespaces"
    flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    uid, gid = os.geteuid(), os.getegid()
    try:
        if uid == 0:
            unshare(flags)
        else:
            unshare(flags | CLONE_NEWUSER)
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1")
            _write("/proc/self/gid_map", f"0 {gid} 1")
    except OSError as exc:
        return False, str(exc.strerror or exc)
    return True, ""


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def build_view(readable, hidden, links, tmp_mb):
    """Make a new root holding only `readable` (read-only) and pivot into it.

    The steps are bubblewrap's: a staging tmpfs becomes the root with the old one at
    /oldroot, the new root is filled from there, then pivoted into and the old root dropped.
    `readable` paths must be free of symlinked folders (pass those in `links` as
    (path, real path)): an absolute symlink under /oldroot would point into the staging
    tmpfs. `hidden` paths are masked with an empty read-only tmpfs where a bind would show
    them; binds inside a hidden path (grader/worker in grader/) come after the masks.
    """
    if SYS_PIVOT_ROOT is None:
        raise OSError(0, f"pivot_root: syscall number unknown on {os.uname().machine}")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    os.chdir(BASE)
    os.mkdir("newroot", 0o755)
    os.mkdir("oldroot", 0o755)
    mount("tmpfs", "newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    _check(libc().syscall(SYS_PIVOT_ROOT, _b(BASE), _b(BASE + "/oldroot")), "pivot_root")
    os.chdir("/")
    new = "/newroot"
    os.mkdir(new + "/tmp")  # first: a submission's folder may be under /tmp, bound below
    mount("tmpfs", new + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={tmp_mb}m")
    inside = [p for p in readable if any(_within(p, h) for h in hidden)]
    for path in sorted(set(readable) - set(inside), key=_depth):
        _bind(path, new)
    masks = [h for h in hidden if os.path.lexists(new + h)]
    for path in masks:
        mount("tmpfs", new + path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
    for path in sorted(inside, key=_depth):
        _bind(path, new)
    for path in masks:
        mount(None, new + path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for path, real in links:  # paths reached through a symlinked folder (sources are real)
        if not os.path.lexists(new + path):
            os.makedirs(os.path.dirname(new + path), exist_ok=True)
            os.symlink(real, new + path)
    _private_dev(new)
    os.makedirs(new + "/proc", exist_ok=True)
    try:  # must happen while the host's /proc is still in this namespace
        mount("proc", new + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:
        pass  # nothing in the worker needs /proc
    os.chdir(new)
    _check(libc().syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    _check(libc().umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _depth(path):
    return (path.rstrip("/").count("/"), path)


def _within(path, parent):
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _bind(path, new):
    """Bind /oldroot/path at new/path, read-only; recreate a symlink as a symlink."""
    source, target = "/oldroot" + path, new + path
    if os.path.islink(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(os.readlink(source), target)
        return
    if not os.path.exists(source):
        return
    if not os.path.lexists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.isdir(source):
            os.mkdir(target, 0o755)
        else:
            open(target, "w").close()
    mount(source, target, None, MS_BIND | MS_REC)
    keep = 0
    try:
        vfs = os.statvfs(target)
        keep = sum(ms for st, ms in KEEP_FLAGS.items() if vfs.f_flag & st)
    except OSError:
        pass
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | keep)


def _private_dev(new):
    dev = new + "/dev"
    os.makedirs(dev, exist_ok=True)
    mount("tmpfs", dev, "tmpfs", MS_NOSUID, "mode=0755,size=64k")
    for name in DEVICES:
        if os.path.exists("/oldroot/dev/" + name):
            open(f"{dev}/{name}", "w").close()
            mount("/oldroot/dev/" + name, f"{dev}/{name}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{dev}/{name}")
    os.mkdir(dev + "/shm", 0o1777)
    mount(None, dev, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID)


# -- the worker's own limits -----------------------------------------------------------------
def apply_limits(cfg):
    """rlimits for W; memory counts address space and data, so a huge array is a MemoryError."""
    if resource is None:
        return
    memory = cfg["memory_mb"] * 1024 * 1024
    cpu = int(cfg["cpu_seconds"])
    wanted = [("RLIMIT_AS", memory, memory), ("RLIMIT_DATA", memory, memory),
              ("RLIMIT_CPU", cpu, cpu + 5), ("RLIMIT_FSIZE", cfg["file_bytes"], cfg["file_bytes"]),
              ("RLIMIT_CORE", 0, 0), ("RLIMIT_NPROC", cfg["processes"], cfg["processes"]),
              # a nice value or SCHED_IDLE taken once stays (efficiency.py reads it)
              ("RLIMIT_NICE", 0, 0)]
    for name, soft, hard in wanted:
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass  # e.g. macOS refuses RLIMIT_AS; the rest still holds


def readable_by_others(path):
    """True if a user with no special rights can reach and read `path`."""
    path = os.path.realpath(path)
    parts = path.split("/")
    for i in range(2, len(parts) + 1):
        try:
            mode = os.stat("/".join(parts[:i]) or "/").st_mode
        except OSError:
            return False
        need = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
        if i < len(parts) and not mode & stat.S_IXOTH or i == len(parts) and mode & need != need:
            return False
    return True


def _all_readable(paths):
    """True if every one of `paths` that exists is readable by others (/lib32 and the like
    are listed for machines that have them; a missing one must not keep the worker root)."""
    return all(readable_by_others(p) for p in paths if os.path.lexists(p))


def _filtered(filtered_r, filtered_w):
    """In I (or L), after forking W: whether W says it installed the filter (one byte, before
    it runs anything of the submission's; nothing if it failed before)."""
    os.close(filtered_w)
    try:
        return os.read(filtered_r, 1) == b"1"
    finally:
        os.close(filtered_r)


def exec_worker(cfg, argv, uid, filtered_fd=None):
    """In W: limits, identity, the filter (saying on `filtered_fd` whether it took), then the
    worker. Never returns."""
    try:
        if cfg.get("report_fd") is not None:   # forked after the report: never W's to write
            try:
                os.close(cfg["report_fd"])
            except OSError:
                pass
        for sig in CATCHABLE:
            signal.signal(sig, signal.SIG_DFL)
        os.chdir("/tmp" if os.path.isdir("/tmp") else "/")
        apply_limits(cfg)
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        elif cfg.get("in_userns"):
            for cap in range(64):  # root of a user namespace: give up every capability
                try:
                    prctl(PR_CAPBSET_DROP, cap)
                except OSError:
                    break
        if sys.platform.startswith("linux"):
            prctl(PR_SET_NO_NEW_PRIVS, 1)
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after setuid, which clears it
        # last: from here on, no process can be started
        refused = refuse_processes() if cfg.get("refuse_processes", True) else False
        if filtered_fd is not None:
            os.write(filtered_fd, b"1" if refused else b"0")
            os.close(filtered_fd)
        if start_worker is not None:   # forked from the template: no exec (never returns)
            start_worker(argv)
        os.execve(argv[0], argv, cfg["env"])
    except BaseException as exc:  # noqa: BLE001 - report, never fall back to running unlocked
        os.write(2, f"grader sandbox: could not start the worker: {exc}\n".encode())
    os._exit(127)


# -- supervising -----------------------------------------------------------------------------
def supervise(worker, reap_orphans):
    """Wait for `worker` (reaping anything else that ends); return its wait status."""
    status = None
    while status is None:
        try:
            pid, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == worker:
            status = st
    if reap_orphans:
        kill_children()
    return status


def kill_children():
    """Kill every process that is (or was reparented as) our child, until none is left."""
    me = str(os.getpid())
    for _ in range(1000):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if fields[1].decode() == me:
                found = True
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        try:
            while os.waitpid(-1, os.WNOHANG if found else 0)[0]:
                pass
        except ChildProcessError:
            if not found:
                return


def mirror(status):
    """End this process the way the worker ended, so the grader sees the same thing."""
    if status is None:
        os._exit(255)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 255)


def report(fd, data):
    if fd is None:
        return
    try:
        os.write(fd, (json.dumps(data) + "\n").encode())
        os.close(fd)
    except OSError:
        pass


def refuse(fd, info):
    """Root, and no unprivileged user possible (python or a folder the worker needs is not
    readable by others): with `require_unprivileged` the submission does not run at all."""
    info["refused"] = ("the worker would run as root: make python, .venv and the course "
                       "helpers readable by other users")
    report(fd, info)
    os._exit(126)


def main(argv):
    cut = argv.index("--")
    cfg, worker_argv = json.loads(argv[1]), argv[cut + 1:]
    fd = cfg.get("report_fd")
    if fd is not None:
        os.set_inheritable(fd, False)  # W must not inherit it
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # mirroring a SIGSEGV dumps no core
    info = {"memory_mb": cfg["memory_mb"], "namespaces": False, "view": False, "uid": None,
            "root": os.geteuid() == 0}
    child = {"pid": None}

    def stop(signum, frame):
        # In namespaces the worker is I's child: killing it (not I) lets I reap it, so its
        # CPU time reaches the grader's rusage (a killed I would take it along unaccounted);
        # if I does not end by itself, launch.kill's SIGKILL to the session follows.
        pids = children_of(child["pid"]) if info["namespaces"] and child["pid"] else []
        for pid in pids or ([child["pid"]] if child["pid"] else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    signal.signal(signal.SIGTERM, stop)
    if sys.platform.startswith("linux"):
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the grader died: end the submission too
    ok, why = (False, "switched off") if cfg.get("mode") == "process" else enter_namespaces()
    if ok:
        mirror(run_in_namespaces(cfg, worker_argv, fd, info, child))
    info["why"] = why
    mirror(run_as_process(cfg, worker_argv, fd, info, child))


def run_in_namespaces(cfg, worker_argv, fd, info, child):
    """Fork I (PID 1 of the new PID namespace), which builds the view and runs W; return
    W's wait status as I reports it (None if I died first)."""
    info["namespaces"] = True
    status_r, status_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(status_r)
            status = be_init(cfg, worker_argv, fd, info, status_w)
            os.write(status_w, str(status).encode())
        finally:
            os._exit(0)  # the kernel now kills whatever is left in the namespace
    child["pid"] = pid
    if fd is not None:
        os.close(fd)
    os.close(status_w)
    supervise(pid, reap_orphans=False)
    text = os.read(status_r, 64).strip()
    return int(text) if text and text != b"None" else None


def be_init(cfg, worker_argv, fd, info, status_w):
    """In I: the filesystem view, the report, then W; W's wait status."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    for sig in CATCHABLE:  # the submission may share I's uid (user namespace)
        signal.signal(sig, signal.SIG_IGN)
    in_userns = cfg["in_userns"] = info["userns"] = _in_userns()
    try:
        unshare(CLONE_NEWNS)  # I's own mount namespace: a failed build harms only I
        build_view(cfg["readable"], cfg["hidden"], cfg.get("links", []), cfg["tmp_mb"])
        info["view"] = True
    except Exception as exc:  # noqa: BLE001 - reported; the worker still runs, less hidden
        info["view_error"] = str(exc)
    uid = None
    if not in_userns and (info["view"] or _all_readable(cfg["readable"])):
        uid = cfg["uid"]
    info["uid"] = uid
    if not in_userns and uid is None and cfg.get("require_unprivileged"):
        refuse(fd, info)
    filtered_r, filtered_w = os.pipe()
    worker = os.fork()
    if worker == 0:
        os.close(status_w)
        os.close(filtered_r)
        exec_worker(cfg, worker_argv, uid, filtered_w)
    info["processes_refused"] = _filtered(filtered_r, filtered_w)
    report(fd, info)
    status = supervise(worker, reap_orphans=False)
    end_namespace()
    return status


def end_namespace():
    """In I (PID 1): kill what W left in the namespace and reap it, so that every process's
    CPU time is counted up the tree (the kernel's own clean-up would reap them unaccounted)."""
    if os.getpid() != 1:   # never outside a PID namespace: -1 would be every process
        return
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    try:
        while True:
            os.waitpid(-1, 0)
    except ChildProcessError:
        pass


def children_of(pid):
    """Pids whose parent is `pid` (from /proc, as the host sees them); [] if unreadable."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as handle:
            return [int(p) for p in handle.read().split()]
    except (OSError, ValueError):
        pass
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                if int(handle.read().rsplit(b")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


def run_as_process(cfg, worker_argv, fd, info, child):
    """No namespaces: W is our child, we are its subreaper; W's wait status."""
    uid = None
    if os.geteuid() == 0 and _all_readable(cfg["readable"]):
        uid = NOBODY
    info["uid"] = uid
    if os.geteuid() == 0 and uid is None and cfg.get("require_unprivileged"):
        refuse(fd, info)
    linux = sys.platform.startswith("linux")
    if linux:
        prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of W come back here, to be killed
    filtered_r, filtered_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(filtered_r)
        exec_worker(cfg, worker_argv, uid, filtered_w)
    child["pid"] = pid
    info["processes_refused"] = _filtered(filtered_r, filtered_w)
    report(fd, info)
    return supervise(pid, reap_orphans=linux)


def _in_userns():
    """True when this process lives in a user namespace other than the initial one."""
    try:
        with open("/proc/self/uid_map") as handle:
            first = handle.read().split()
        return first[:3] != ["0", "0", "4294967295"]
    except OSError:
        return False


if __name__ == "__main__":
    main(sys.argv)
