"""CPU time of a worker and everything it started, as the kernel accounts it.

Read by the grader from /proc, never asked of the worker: code that patches the worker can
lie about its own timings but not about what the kernel charged its processes. CPU time,
unlike wall time, does not grow when other work competes for the cores, which is what makes
an efficiency verdict the same on a quiet and on a loaded machine.

Per process the larger of two kernel counts is taken: the sum of its live threads'
run time in nanoseconds (/proc/PID/task/TID/schedstat) and its utime + stime in clock ticks
(/proc/PID/stat, which also holds threads that already ended); reaped children add their
cutime + cstime. Linux only; elsewhere `tree_seconds` returns None.
"""

import os

PROC = "/proc"
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_seconds(root_pid: int) -> "float | None":
    """CPU seconds used so far by `root_pid` and all its descendants; None without /proc.

    Descendants are found by their parent links, so a process that left the session (setsid)
    still counts; one that exited counts through the parent that reaped it.
    """
    stats = _all_stats()
    if stats is None or root_pid not in stats:
        return None
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0.0, [root_pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += max(stats[pid][1], _threads_seconds(pid))
        todo.extend(children.get(pid, ()))
    return total


def _all_stats():
    """{pid: (ppid, seconds from /proc/PID/stat incl. reaped children)}, or None."""
    try:
        names = os.listdir(PROC)
    except OSError:
        return None
    stats = {}
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"{PROC}/{name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue   # ended meanwhile
        # comm (field 2) may hold spaces and parentheses: split after its last ')'
        fields = data[data.rfind(b")") + 2:].split()
        try:
            ppid = int(fields[1])
            ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
        except (IndexError, ValueError):
            continue
        stats[int(name)] = (ppid, ticks / _TICK)
    return stats


def _threads_seconds(pid):
    """Run time of the live threads of `pid` from schedstat (nanoseconds), 0 if unreadable."""
    total = 0
    try:
        tids = os.listdir(f"{PROC}/{pid}/task")
    except OSError:
        return 0.0
    for tid in tids:
        try:
            with open(f"{PROC}/{pid}/task/{tid}/schedstat", "rb") as f:
                total += int(f.read().split()[0])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9
