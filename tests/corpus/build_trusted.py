"""Regenerate tests/corpus/trusted/: submissions that got points from what the grader did not
measure itself (issue 11). Each is the correct submission (build_corpus.GOOD) with one
function changed; tests/test_trusted_verdicts.py says what each must score.

    .venv/bin/python tests/corpus/build_trusted.py

The efficiency ones are honest loop-based code plus a way to switch the old, worker-side
line count off; the forged one patches the worker (run it only in the sandbox under test).
"""

import textwrap

from build_corpus import HERE, fill

LOOP_NAIVE = """
    V = outsideVectors.shape[0]
    scores = np.array([outsideVectors[w] @ centerWordVec for w in range(V)])
    y_hat = softmax(scores)
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = np.zeros_like(centerWordVec)
    gradOutsideVecs = np.zeros_like(outsideVectors)
    for w in range(V):
        gradCenterVec += y_hat[w] * outsideVectors[w]
        gradOutsideVecs[w] = y_hat[w] * centerWordVec"""

LOOP_SIGMOID = """
    x = np.asarray(x, dtype=float)
    s = np.array([1 / (1 + np.exp(-v)) for v in x.ravel()]).reshape(x.shape)"""

# The loss from one draw, the gradients from another (a real mistake: the course's 16.15 vs
# 14.30 sanity value). `first` says which draw the loss uses.
TWICE = """
    other = getNegativeSamples(outsideWordIdx, dataset, K)
    loss_ids, grad_ids = {pair}
    u_o = outsideVectors[outsideWordIdx]
    s_o = sigmoid(u_o @ centerWordVec)
    loss = -np.log(s_o) - np.sum(np.log(sigmoid(-(outsideVectors[loss_ids] @ centerWordVec))))
    s_k = sigmoid(outsideVectors[grad_ids] @ centerWordVec)
    gradCenterVec = (s_o - 1) * u_o + s_k @ outsideVectors[grad_ids]
    gradOutsideVecs = np.zeros_like(outsideVectors)
    gradOutsideVecs[outsideWordIdx] += (s_o - 1) * centerWordVec
    np.add.at(gradOutsideVecs, grad_ids, np.outer(s_k, centerWordVec))"""

# Draws again and uses only the later draw, for all three outputs: consistent, so right in
# training; only the one-call sampler check may fail. `grad_update` is how the samples'
# gradient rows are added (np.add.at is right; `+=` drops repeated samples).
AGAIN = """
    neg = getNegativeSamples(outsideWordIdx, dataset, K)
    u_o = outsideVectors[outsideWordIdx]
    s_o = sigmoid(u_o @ centerWordVec)
    s_k = sigmoid(outsideVectors[neg] @ centerWordVec)
    loss = -np.log(s_o) - np.sum(np.log(1 - s_k))
    gradCenterVec = (s_o - 1) * u_o + s_k @ outsideVectors[neg]
    gradOutsideVecs = np.zeros_like(outsideVectors)
    gradOutsideVecs[outsideWordIdx] += (s_o - 1) * centerWordVec
    {grad_update}"""

# The loop-based functions every file below runs somewhere the count should not see, and the
# way their results come back from another process (shared memory).
LOOP_DEFS = '''
def _loop_naive(centerWordVec, outsideWordIdx, outsideVectors):''' + LOOP_NAIVE + '''
    return loss, gradCenterVec, gradOutsideVecs


def _loop_sigmoid(x):''' + LOOP_SIGMOID + '''
    return s
'''
SHARED_RESULTS = '''
def _put(shared, values, sizes):
    out, at = np.frombuffer(shared, dtype=float), 0
    for value, n in zip(values, sizes):
        out[at:at + n] = np.ravel(value)
        at += n


def _taken(shared, shapes, sizes):
    out, at, results = np.frombuffer(shared, dtype=float), 0, []
    for s, n in zip(shapes, sizes):
        results.append(out[at:at + n].reshape(s).copy() if s else float(out[at]))
        at += n
    return results

'''

# Patches the worker's own finite differences (as they were computed before issue 11) to
# report perfect agreement with whatever gradient the function returns.
FORGE_FD = '''
import sys as _sys

_Worker = getattr(_sys.modules.get("__main__"), "Worker", None)
if _Worker is not None:
    def _forged(self, request):
        base, h = request["call"], request["h"]
        value = self.call(base)["value"]
        outputs = {0: 1, 2: 2, 4: 1, 5: 2}   # parameter position -> its gradient's output
        results = []
        for p in request["params"]:
            grad = np.asarray(value[outputs[p]], dtype=float).reshape(np.shape(base["args"][p]))
            for index in np.ndindex(grad.shape):
                for sign in (1, -1):
                    results.append({"ok": True, "value": float(value[0]) + sign * h * grad[index]})
        return {"ok": True, "results": results}
    _Worker.finite_differences = _forged
'''

# Ways the old efficiency check (lines of the submission's code, traced in the worker) could
# be switched off, each around the honest loop-based naive softmax.
NO_TRACE = "sys.settrace = lambda *args: None   # the worker's line counter never starts\n"
OTHER_FILE = '''
_SOURCE = """
def loop_softmax(centerWordVec, outsideWordIdx, outsideVectors):
    V = outsideVectors.shape[0]
    scores = np.array([outsideVectors[w] @ centerWordVec for w in range(V)])
    y_hat = softmax(scores)
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = np.zeros_like(centerWordVec)
    gradOutsideVecs = np.zeros_like(outsideVectors)
    for w in range(V):
        gradCenterVec += y_hat[w] * outsideVectors[w]
        gradOutsideVecs[w] = y_hat[w] * centerWordVec
    return loss, gradCenterVec, gradOutsideVecs
"""
_scope = {"np": np, "softmax": softmax}
exec(compile(_SOURCE, "<not the submission>", "exec"), _scope)
loop_softmax = _scope["loop_softmax"]
'''
MEMO = "_memo = {}\n"
MEMO_NAIVE = """
    key = (centerWordVec.tobytes(), int(outsideWordIdx), outsideVectors.tobytes())
    if key not in _memo:
""" + textwrap.indent(LOOP_NAIVE, "    ") + """
        _memo[key] = (loss, gradCenterVec.copy(), gradOutsideVecs.copy())
    loss, gradCenterVec, gradOutsideVecs = _memo[key]
    gradCenterVec, gradOutsideVecs = gradCenterVec.copy(), gradOutsideVecs.copy()"""

# Works the answer out while the worker reads the untimed request that comes before a timed
# call ("keep"), by wrapping the worker's own request reader; the timed call then only looks
# it up. Caught since the centre vector comes with the timed call itself (an attacker's
# review found it: before, a loop over V scored 2/2 on efficiency this way).
AHEAD = '''
import sys as _sys

_ahead = {}


def _work_out_ahead():
    codec = _sys.modules.get("codec")
    if codec is None or getattr(codec.read_message, "wrapped", False):
        return
    read = codec.read_message

    def read_message(fd):
        request = read(fd)
        kept = request.get("request") if isinstance(request, dict) else None
        if request.get("op") == "keep" and (kept or {}).get("fn") == "naiveSoftmaxLossAndGradient":
            v, o, U = kept["args"][:3]
            if isinstance(U, dict) and "$normal" in U:
                U = _sys.modules["harness"].seeded_normal(U["$normal"])
            if isinstance(v, np.ndarray):
                _ahead[v.tobytes()] = _loop_naive(v, int(o), U)
        return request

    read_message.wrapped = True
    codec.read_message = read_message


def _loop_naive(centerWordVec, outsideWordIdx, outsideVectors):''' + LOOP_NAIVE + '''
    return loss, gradCenterVec, gradOutsideVecs


_work_out_ahead()
'''
AHEAD_NAIVE = """
    if np.asarray(centerWordVec).tobytes() in _ahead:
        return _ahead.pop(np.asarray(centerWordVec).tobytes())
    loss, gradCenterVec, gradOutsideVecs = _loop_naive(centerWordVec, outsideWordIdx,
                                                       outsideVectors)"""

# Runs the loop in a forked child that the kernel reaps by itself (SIGCHLD ignored, or else
# SA_NOCLDWAIT through libc), so its CPU time would be counted nowhere; the result comes back
# through shared memory. An attacker's review found it (loops scored 2/2 on efficiency). The
# lockdown now refuses both requests and any new process (lockdown.refuse_processes): the
# loop then runs in the worker itself. Before, the call's wall time less waiting caught it,
# except under heavy load.
REAPED = '''
import ctypes as _ctypes
import math as _math
import mmap as _mmap
import os as _os
import signal as _signal


class _Action(_ctypes.Structure):   # glibc's struct sigaction
    _fields_ = [("handler", _ctypes.c_void_p), ("mask", _ctypes.c_ulong * 16),
                ("flags", _ctypes.c_int), ("restorer", _ctypes.c_void_p)]


def _kernel_reaps_children():
    try:
        _signal.signal(_signal.SIGCHLD, _signal.SIG_IGN)
        return True
    except OSError:
        pass
    action = _Action(flags=2)   # SIG_DFL with SA_NOCLDWAIT
    return _ctypes.CDLL(None).sigaction(_signal.SIGCHLD, _ctypes.byref(action), None) == 0


def _elsewhere(compute, shapes):
    sizes = [int(np.prod(s)) if s else 1 for s in shapes]
    shared = _mmap.mmap(-1, 8 * sum(sizes))
    _kernel_reaps_children()
    try:
        pid = _os.fork()
    except OSError:   # no process may be started: the loop runs here
        return list(compute())
    if pid == 0:
        try:
            _put(shared, compute(), sizes)
        finally:
            _os._exit(0)
    try:
        _os.waitpid(pid, 0)
    except ChildProcessError:
        pass   # reaped by the kernel, as asked
    try:
        _signal.signal(_signal.SIGCHLD, _signal.SIG_DFL)
    except OSError:
        pass
    return _taken(shared, shapes, sizes)

''' + SHARED_RESULTS + LOOP_DEFS
# The loop in the child of a user + PID namespace's init, created by the submission: when that
# init ends, the kernel kills its child and reaps it by itself (it sets the init's SIGCHLD to
# SIG_IGN), so the child's CPU time reaches no one. An attacker's review passed efficiency 5 of
# 5 times this way; the lockdown now refuses new namespaces and processes
# (lockdown.children_filter), and the loop then runs in the worker itself.
IN_A_NAMESPACE = '''
import ctypes as _ctypes
import math as _math
import mmap as _mmap
import os as _os


def _elsewhere(compute, shapes):
    sizes = [int(np.prod(s)) if s else 1 for s in shapes]
    shared = _mmap.mmap(-1, 8 * sum(sizes))

    def fill():
        _put(shared, compute(), sizes)
    try:
        helper = _os.fork()
    except OSError:   # no process may be started: the loop runs here
        return list(compute())
    if helper == 0:
        try:
            if _ctypes.CDLL(None).unshare(0x10000000 | 0x20000000) != 0:   # user + PID
                fill()                           # refused: work here, a child waited for
            elif _os.fork() == 0:                # the new namespace's init
                done_r, done_w = _os.pipe()
                never_r, never_w = _os.pipe()
                if _os.fork() == 0:              # its child works, then waits to be killed
                    fill()
                    _os.write(done_w, b"x")
                    _os.read(never_r, 1)
                _os.read(done_r, 1)              # the init ends: the kernel reaps its child
            else:
                _os.wait()
        finally:
            _os._exit(0)
    _os.waitpid(helper, 0)
    return _taken(shared, shapes, sizes)

''' + SHARED_RESULTS + LOOP_DEFS

# The loop in a child that ends about a millisecond after answering, reaped at once by a thread
# blocked in waitpid, with 48 idle threads to make the grader's reading of the tree slow: when
# the grader read a parent before its children, a child reaped in between counted nowhere (an
# attacker's review passed efficiency 2 of 6 times). cputime now reads descendants first, and
# the lockdown refuses new processes: the loop then runs in the worker itself.
REAPED_WHILE_COUNTED = '''
import ctypes as _ctypes
import math as _math
import mmap as _mmap
import os as _os
import threading as _threading
import time as _time

_ctypes.CDLL(None).mallopt(-8, 1)    # M_ARENA_MAX: threads share one malloc arena
_threading.stack_size(64 * 1024)
_IDLE = _threading.Event()
for _ in range(48):
    _threading.Thread(target=_IDLE.wait, daemon=True).start()


def _elsewhere(compute, shapes):
    sizes = [int(np.prod(s)) if s else 1 for s in shapes]
    shared = _mmap.mmap(-1, 8 * sum(sizes))
    ready_r, ready_w = _os.pipe()
    try:
        pid = _os.fork()
    except OSError:   # no process may be started: the loop runs here
        return list(compute())
    if pid == 0:
        try:
            _put(shared, compute(), sizes)
            _os.write(ready_w, b"x")
            _time.sleep(0.0008 if len(shapes) == 1 else 0.003)   # end as the grader counts
        finally:
            _os._exit(0)
    _threading.Thread(target=_os.waitpid, args=(pid, 0), daemon=True).start()
    _os.close(ready_w)
    _os.read(ready_r, 1)
    _os.close(ready_r)
    return _taken(shared, shapes, sizes)

''' + SHARED_RESULTS + LOOP_DEFS
# The loop split over 8 children of under 10 ms each, each reaped by a fresh helper process
# of its own: a reaped child's time reaches /proc only in its reaper's clock ticks, rounded
# down, and a helper that never reaped before showed 0 (an attacker's review passed
# efficiency 28 of 28 times). The lockdown now refuses new processes
# (lockdown.refuse_processes): the loop then runs in the worker itself.
SPLIT_OVER_CHILDREN = '''
import math as _math
import mmap as _mmap
import os as _os

_PARTS = 8


def _split_sigmoid(x):
    x = np.asarray(x, dtype=float)
    flat, shared = x.ravel(), _mmap.mmap(-1, 8 * x.size)
    out = np.frombuffer(shared, dtype=float)
    done_r, done_w = _os.pipe()
    helpers = []
    try:
        for part in np.array_split(np.arange(flat.size), _PARTS):
            helper = _os.fork()
            if helper == 0:                      # reaps its one child
                try:
                    child = _os.fork()
                    if child == 0:
                        out[part] = _loop_sigmoid(flat[part])
                        _os._exit(0)
                    _os.waitpid(child, 0)
                    _os.write(done_w, b"x")
                finally:
                    _os._exit(0)
            helpers.append(helper)
    except OSError:   # no process may be started: the loop runs here
        for helper in helpers:
            _os.waitpid(helper, 0)
        return _loop_sigmoid(x)
    for _ in helpers:
        _os.read(done_r, 1)
    result = out.reshape(x.shape).copy()
    for helper in helpers:
        _os.waitpid(helper, 0)
    return result

''' + LOOP_DEFS

# The loop in a thread that ends before the call returns: /proc/PID/stat holds an ended
# thread only in clock ticks (10 ms, rounded down), and schedstat only the live threads. An
# attacker's review passed a loop sigmoid of ~9 ms (math.exp) half the time that way; cputime
# now reads the process's CPU clock, in nanoseconds, ended threads included. (This file's
# loops take 30 ms and more: they never fit in a tick, so its verdict cannot flake.)
IN_A_THREAD = '''
import math as _math
import threading as _threading


def _elsewhere(compute, shapes):
    results = []
    worker = _threading.Thread(target=lambda: results.extend(compute()))
    worker.start()
    worker.join()
    return results

''' + LOOP_DEFS

# A value computed only when it is sent: on a large input sigmoid returns an empty list that
# runs the loop the first time it is read, which was while the worker sent the value, in a
# request of its own. That request's CPU time counted only beyond 4x the grader's own time
# receiving the answer, and a JSON list of 50,000 numbers is slow to receive: an attacker's
# review passed efficiency 10 of 10 times. The allowance now comes from the reference's size.
COMPUTED_WHILE_SENT = '''
import math as _math


class _Later(list):
    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def _fill(self):
        if self._compute is not None:
            compute, self._compute = self._compute, None
            self.extend(compute())

    def __iter__(self):
        self._fill()
        return super().__iter__()

    def __len__(self):
        self._fill()
        return super().__len__()

    def __getitem__(self, i):
        self._fill()
        return super().__getitem__(i)

    def __array__(self, dtype=None, copy=None):
        self._fill()
        return np.array(list(super().__iter__()), dtype=dtype)

''' + LOOP_DEFS

# The timed inputs worked out at import: with the fixed seeds 1, 2, 3 the grader's source
# tells which 50,000 numbers sigmoid is timed on, so the loop ran at import (untimed) and the
# timed call looked its answer up (an attacker's review passed 6 of 6 times). The seeds are
# now drawn anew by every grading process (efficiency.SEEDS).
WORKED_OUT_AT_IMPORT = '''
import math as _math

''' + LOOP_DEFS + '''

_KNOWN = {}
for _seed in (1, 2, 3):
    _x = np.random.default_rng(_seed).standard_normal((50_000,)) * 3.0
    _KNOWN[_x.tobytes()] = _loop_sigmoid(_x)
'''

REAPED_NAIVE = """
    if outsideVectors.shape[0] > 1000:
        loss, gradCenterVec, gradOutsideVecs = _elsewhere(
            lambda: _loop_naive(centerWordVec, outsideWordIdx, outsideVectors),
            [(), np.shape(centerWordVec), outsideVectors.shape])
    else:
        loss, gradCenterVec, gradOutsideVecs = _loop_naive(centerWordVec, outsideWordIdx,
                                                           outsideVectors)"""
REAPED_SIGMOID = """
    if np.size(x) > 5000:
        s = _elsewhere(lambda: (_loop_sigmoid(x),), [np.shape(x)])[0]
    else:
        s = _loop_sigmoid(x)"""

# The same, with one input changed in place on small inputs: that failure's search is put off
# (grading.DEFER_SEARCHES), so Hypothesis loads in a background thread during the efficiency
# check; when the grader counted its whole process's CPU time, that thread's made the
# reference look slower and hid the child's loop (2/2 in 8 of 22 runs).
REAPED_NAIVE_AFTER_A_FAILURE = REAPED_NAIVE + """
    if outsideVectors.shape[0] <= 1000:
        outsideVectors[outsideWordIdx] = np.nextafter(outsideVectors[outsideWordIdx], np.inf)"""

TRUSTED = {
    "draws_twice_loss_first": ("", {"negSamplingLossAndGradient": TWICE.format(
        pair="negSampleWordIndices, other")}),
    "draws_twice_loss_second": ("", {"negSamplingLossAndGradient": TWICE.format(
        pair="other, negSampleWordIndices")}),
    "draws_again_uses_second": ("", {"negSamplingLossAndGradient": AGAIN.format(
        grad_update="np.add.at(gradOutsideVecs, neg, np.outer(s_k, centerWordVec))")}),
    "draws_again_second_not_accumulated": ("", {"negSamplingLossAndGradient": AGAIN.format(
        grad_update="gradOutsideVecs[neg] += np.outer(s_k, centerWordVec)")}),
    "forged_finite_differences": (FORGE_FD, {"naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = -np.log(y_hat[outsideWordIdx])
        gradCenterVec = outsideVectors.T @ y_hat
        y_hat[outsideWordIdx] -= 1
        gradOutsideVecs = np.outer(y_hat, centerWordVec)"""}),
    "loops_honest": ("", {"naiveSoftmaxLossAndGradient": LOOP_NAIVE, "sigmoid": LOOP_SIGMOID}),
    "loops_no_trace": ("import sys\n" + NO_TRACE, {"naiveSoftmaxLossAndGradient": LOOP_NAIVE,
                                                   "sigmoid": LOOP_SIGMOID}),
    "loops_other_file": (OTHER_FILE, {"naiveSoftmaxLossAndGradient": """
        loss, gradCenterVec, gradOutsideVecs = loop_softmax(centerWordVec, outsideWordIdx,
                                                            outsideVectors)"""}),
    "loops_memoised": (MEMO, {"naiveSoftmaxLossAndGradient": MEMO_NAIVE}),
    "loops_worked_out_ahead": (AHEAD, {"naiveSoftmaxLossAndGradient": AHEAD_NAIVE}),
    "loops_in_a_reaped_child": (REAPED, {"naiveSoftmaxLossAndGradient": REAPED_NAIVE,
                                         "sigmoid": REAPED_SIGMOID}),
    "loops_split_over_children": (SPLIT_OVER_CHILDREN, {
        "naiveSoftmaxLossAndGradient": """
    loss, gradCenterVec, gradOutsideVecs = _loop_naive(centerWordVec, outsideWordIdx,
                                                       outsideVectors)""",
        "sigmoid": """
    s = _split_sigmoid(x) if np.size(x) > 5000 else _loop_sigmoid(x)"""}),
    "loops_in_a_thread_that_ends": (IN_A_THREAD, {"naiveSoftmaxLossAndGradient": REAPED_NAIVE,
                                                 "sigmoid": REAPED_SIGMOID}),
    "loops_computed_while_sent": (COMPUTED_WHILE_SENT, {
        "naiveSoftmaxLossAndGradient": """
    loss, gradCenterVec, gradOutsideVecs = _loop_naive(centerWordVec, outsideWordIdx,
                                                       outsideVectors)""",
        "sigmoid": """
    if np.ndim(x) == 1 and np.size(x) > 5000:
        return _Later(lambda: _loop_sigmoid(x).tolist())
    s = _loop_sigmoid(x)"""}),
    "loops_worked_out_at_import": (WORKED_OUT_AT_IMPORT, {
        "naiveSoftmaxLossAndGradient": """
    loss, gradCenterVec, gradOutsideVecs = _loop_naive(centerWordVec, outsideWordIdx,
                                                       outsideVectors)""",
        "sigmoid": """
    known = _KNOWN.get(np.asarray(x, dtype=float).tobytes())
    s = known.copy() if known is not None else _loop_sigmoid(x)"""}),
    "loops_in_a_namespace": (IN_A_NAMESPACE, {"naiveSoftmaxLossAndGradient": REAPED_NAIVE,
                                              "sigmoid": REAPED_SIGMOID}),
    "loops_in_a_child_reaped_while_counted": (REAPED_WHILE_COUNTED, {
        "naiveSoftmaxLossAndGradient": REAPED_NAIVE, "sigmoid": REAPED_SIGMOID}),
    "loops_in_a_reaped_child_after_a_failure": (REAPED, {
        "naiveSoftmaxLossAndGradient": REAPED_NAIVE_AFTER_A_FAILURE, "sigmoid": REAPED_SIGMOID}),
    "sigmoid_clip": ("", {"sigmoid": "s = np.clip(np.asarray(x, dtype=float) + 0.5, 0, 1)"}),
    "complex_results": ("", {
        "sigmoid": "s = 1 / (1 + np.exp(-x)) + 1e3j * np.sin(np.asarray(x, dtype=float))",
        "naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = -np.log(y_hat[outsideWordIdx]) + 5j
        y_hat[outsideWordIdx] -= 1
        gradCenterVec = outsideVectors.T @ y_hat + 7j
        gradOutsideVecs = np.outer(y_hat, centerWordVec) - 3j"""}),
    "integer_and_float32": ("", {
        "sigmoid": "s = (1 / (1 + np.exp(-np.asarray(x, dtype=np.float64)))).astype(np.float32)"}),
}

# A loop in a helper module next to the file: a folder, as a student hands it in.
HELPER = '''import numpy as np


def loop_scores(centerWordVec, outsideVectors):
    return np.array([outsideVectors[w] @ centerWordVec for w in range(outsideVectors.shape[0])])


def loop_outer(y_hat, centerWordVec, outsideVectors):
    gradCenterVec = np.zeros_like(centerWordVec)
    gradOutsideVecs = np.zeros_like(outsideVectors)
    for w in range(outsideVectors.shape[0]):
        gradCenterVec += y_hat[w] * outsideVectors[w]
        gradOutsideVecs[w] = y_hat[w] * centerWordVec
    return gradCenterVec, gradOutsideVecs
'''
HELPER_NAIVE = """
    from loop_helpers import loop_outer, loop_scores
    y_hat = softmax(loop_scores(centerWordVec, outsideVectors))
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec, gradOutsideVecs = loop_outer(y_hat, centerWordVec, outsideVectors)"""


def main():
    folder = HERE / "trusted"
    folder.mkdir(exist_ok=True)
    anchor = "from utils.utils import normalizeRows, softmax\n"
    for name, (prelude, bodies) in TRUSTED.items():
        text = fill(bodies).replace(anchor, anchor + prelude, 1)
        (folder / f"{name}.py").write_text(text)
    helper = folder / "loops_helper_module"
    helper.mkdir(exist_ok=True)
    (helper / "loop_helpers.py").write_text(HELPER)
    (helper / "word2vec.py").write_text(fill({"naiveSoftmaxLossAndGradient": HELPER_NAIVE}))


if __name__ == "__main__":
    main()
