"""CPU time of a worker and everything it started, as the kernel accounts it.

Read by the grader from /proc, never asked of the worker: code that patches the worker can
lie about its own timings but not about what the kernel charged its processes. CPU time,
unlike wall time, does not grow when other work competes for the cores, which is what makes
an efficiency verdict the same on a quiet and on a loaded machine.

Per process its CPU-time clock is read (clock_gettime: every thread, ended ones included,
to the nanosecond); where that clock cannot be read, the larger of two kernel counts: the
sum of its live threads' run time in nanoseconds (/proc/PID/task/TID/schedstat) and its
utime + stime in clock ticks (/proc/PID/stat, which also holds threads that already ended,
rounded down to 10 ms). The children it reaped add their cutime + cstime on top (clock ticks
of a total kept in nanoseconds: a difference is off by less than one tick).

A child the kernel reaps by itself would count nowhere; the lockdown lets the worker start
no process where it can (lockdown.refuse_processes). For where it cannot, beside the CPU
time: the time the threads waited for a core (schedstat's run delay), and whether any runs
below normal priority; the efficiency check then takes the waiting off a call's wall time,
to see work that CPU time cannot. Linux only; elsewhere `tree_seconds` and `tree_times`
return None.
"""

import os
import time

PROC = "/proc"
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_seconds(root_pid: int) -> "float | None":
    """CPU seconds used so far by `root_pid` and all its descendants; None without /proc.

    Descendants are found by their parent links, so a process that left the session (setsid)
    still counts; one that exited counts through the parent that reaped it.
    """
    times = tree_times(root_pid)
    return None if times is None else times[0]


def tree_times(root_pid: int) -> "tuple[float, float, bool] | None":
    """(CPU seconds used so far, seconds spent waiting for a core, whether any of them runs
    below normal priority) for `root_pid` and all its descendants; None without /proc.

    The waiting is schedstat's run delay (runnable, but another task had the core) of the
    threads alive now. Below normal priority: a nice value above 0, the SCHED_IDLE policy,
    or an autogroup niced above 0; such a thread waits for a core because it asked to.

    A child's time moves to its parent when the parent reaps it, and a process whose parent
    ends moves to the subreaper or the namespace's init. So the processes are listed first,
    then read descendants first: a child reaped while it is read counts twice at worst (its
    own stat, then its reaper's), never nowhere (read the other way round, a child reaped
    between its parent's stat and its own hid its work: an attacker's review won 2 of 6 that
    way). A process that moved to another parent while the tree was listed can be missed: the
    tree is listed again after reading, and read again (up to WALKS times, the largest total
    kept) while the two lists differ."""
    best = None
    for _ in range(WALKS):
        order = _listing(root_pid)
        if order is None:
            return best
        reading = _read_bottom_up(order)
        if reading is None:
            return best
        best = reading if best is None else (max(best[0], reading[0]), max(best[1], reading[1]),
                                             best[2] or reading[2])
        if set(_listing(root_pid) or ()) == set(order):
            break
    return best


WALKS = 4


def _read_bottom_up(order):
    """(cpu, waiting, lowered) of the processes `order` lists (ancestors first), read in
    reverse; None if the first (the root) is gone."""
    cpu = waiting = 0.0
    lowered = False
    for pid in reversed(order):
        stat = _stat(pid)
        if stat is None:
            if pid == order[0]:
                return None
            continue   # ended and reaped: its time is in its reaper's, read after it
        own, reaped = stat[1:]
        ran, waited, low = _threads_schedstat(pid)
        exact = _process_clock(pid)
        # reaped apart: inside the max, a child's time would vanish into the gap between
        # the tick count and the nanosecond count of the parent's own threads
        cpu += (max(exact, ran) if exact is not None else max(own, ran)) + reaped
        waiting += waited
        lowered = lowered or low or _autogroup_niced(pid)
    return cpu, waiting, lowered


def _process_clock(pid):
    """Seconds of CPU time, to the nanosecond, of every thread `pid` has had, ended ones
    included (the process's CPU-time clock, which clock_gettime reads for any process this
    one can see); None where that clock cannot be read (not Linux, or gone).

    /proc/PID/stat holds ended threads only in clock ticks (10 ms, rounded down): a loop in
    a thread that ends hid up to a tick from every reading (an attacker's review passed
    a loop sigmoid half the time that way)."""
    try:
        return time.clock_gettime(((~pid) << 3) | _CPUCLOCK_SCHED)
    except (OSError, OverflowError, ValueError, AttributeError):
        return None


_CPUCLOCK_SCHED = 2   # Linux: a clockid for a process's CPU time is (~pid << 3) | 2


def own_waiting_seconds() -> "float | None":
    """Seconds the calling thread has spent waiting for a core; None without /proc."""
    try:
        with open(f"{PROC}/thread-self/schedstat", "rb") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def _listing(root_pid):
    """`root_pid` and its descendants, ancestors first; None if `root_pid` is gone.

    Walks the kernel's child lists (/proc/PID/task/TID/children): a handful of reads for a
    worker's few processes, where reading every process's stat took 1-2 ms per measurement.
    Without child lists (CONFIG_PROC_CHILDREN off), from every process's parent link."""
    order, seen, todo = [], set(), [root_pid]
    while todo:
        pid = todo.pop(0)
        if pid in seen:
            continue
        kids = _children(pid)
        if kids is None:
            if pid != root_pid:
                continue   # ended meanwhile
            return None if _stat(root_pid) is None else _listing_from_all_stats(root_pid)
        seen.add(pid)
        order.append(pid)
        todo.extend(kids)
    return order


def _children(pid):
    """The children of every thread of `pid`; None if the kernel has no child lists or the
    process is gone."""
    try:
        tids = os.listdir(f"{PROC}/{pid}/task")
    except OSError:
        return None
    kids = []
    for tid in tids:
        try:
            with open(f"{PROC}/{pid}/task/{tid}/children", "rb") as f:
                kids.extend(int(k) for k in f.read().split())
        except FileNotFoundError:
            if tid == str(pid):
                return None   # no child lists in this kernel
        except (OSError, ValueError):
            continue          # the thread ended meanwhile
    return kids


def _listing_from_all_stats(root_pid):
    stats = _all_stats()
    if stats is None or root_pid not in stats:
        return None
    children = {}
    for pid, (ppid, *_) in stats.items():
        children.setdefault(ppid, []).append(pid)
    order, seen, todo = [], set(), [root_pid]
    while todo:
        pid = todo.pop(0)
        if pid not in seen:
            seen.add(pid)
            order.append(pid)
            todo.extend(children.get(pid, ()))
    return order


def _all_stats():
    """{pid: (ppid, own, reaped)} of every process (see _stat), or None without /proc."""
    try:
        names = os.listdir(PROC)
    except OSError:
        return None
    stats = {}
    for name in names:
        if name.isdigit():
            stat = _stat(int(name))
            if stat is not None:
                stats[int(name)] = stat
    return stats


def _stat(pid):
    """(ppid, its own seconds, its reaped children's seconds) from /proc/PID/stat, or None
    if it is gone."""
    try:
        with open(f"{PROC}/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # comm (field 2) may hold spaces and parentheses: split after its last ')'
    fields = data[data.rfind(b")") + 2:].split()
    try:
        ppid = int(fields[1])
        own = int(fields[11]) + int(fields[12])        # utime stime
        reaped = int(fields[13]) + int(fields[14])     # cutime cstime
    except (IndexError, ValueError):
        return None
    return ppid, own / _TICK, reaped / _TICK


SCHED_IDLE = 5


def _threads_schedstat(pid):
    """(run time, run delay, any thread below normal priority) of the live threads of `pid`,
    from schedstat and stat, in seconds; zeros if unreadable."""
    ran = waited = 0
    lowered = False
    try:
        tids = os.listdir(f"{PROC}/{pid}/task")
    except OSError:
        return 0.0, 0.0, False
    for tid in tids:
        try:
            with open(f"{PROC}/{pid}/task/{tid}/schedstat", "rb") as f:
                fields = f.read().split()
            ran, waited = ran + int(fields[0]), waited + int(fields[1])
            with open(f"{PROC}/{pid}/task/{tid}/stat", "rb") as f:
                data = f.read()
            fields = data[data.rfind(b")") + 2:].split()
            lowered = lowered or int(fields[16]) > 0 or int(fields[38]) == SCHED_IDLE  # nice, policy
        except (OSError, IndexError, ValueError):
            continue
    return ran / 1e9, waited / 1e9, lowered


def _autogroup_niced(pid):
    """Whether the autogroup of `pid` (its session's share of the CPU) is niced above 0."""
    try:
        with open(f"{PROC}/{pid}/autogroup", "rb") as f:
            return int(f.read().split()[-1]) > 0
    except (OSError, IndexError, ValueError):
        return False
