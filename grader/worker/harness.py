"""Known-good stand-ins the worker hands to student code, so each function is graded alone.

- `good_sigmoid` replaces the student's sigmoid while their negative sampling is graded.
- `ControlledSampler` replaces getNegativeSamples: its first call returns the samples the
  grader chose, every later call a fresh draw (as the course's sampler would give), so code
  that draws twice is as wrong here as in training. Calls are recorded for feedback only.
- `GradingDataset` is the `dataset` argument: its draws are recorded too.
- The toy losses are what skipgram is graded with. They are deliberately not word2vec
  losses, so handing them to student code gives nothing away, and a skipgram that ignores
  `word2vecLossAndGradient` cannot match them.
"""

import threading

import numpy as np


def good_sigmoid(x):
    """sigma(x) = 1 / (1 + exp(-x)), elementwise, without overflow."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class GradingDataset:
    """A `dataset` with the course's methods; every draw is recorded."""

    def __init__(self, V, seed=0):
        self.V = int(V)
        self._seed = seed
        self._generator = None  # made on the first draw: most calls never draw
        self.draws = 0

    def _rng(self):
        if self._generator is None:
            self._generator = np.random.default_rng(self._seed)
        return self._generator

    def sampleTokenIdx(self):
        self.draws += 1
        return int(self._rng().integers(0, self.V))

    def tokens(self):
        return {f"w{i}": i for i in range(self.V)}

    def getRandomContext(self, C=5):
        words = list(self.tokens())
        pick = self._rng().integers(0, self.V, size=2 * C + 1)
        return words[pick[0]], [words[i] for i in pick[1:]]


class ControlledSampler:
    """getNegativeSamples(outsideWordIdx, dataset, K): the grader's samples, then fresh draws.

    The first call, asked for the K the grader expects, returns exactly the grader's samples
    (the repeated-sample and any-K checks need them); asked for another K (a hard-coded 10,
    say), it still answers with K valid samples so the student's code runs on. Every later
    call returns a new draw, `fresh_draw(seed, n, ...)`, which the grader can recompute: the
    course's sampler never returns the same list twice on purpose, and neither does this one.
    """

    def __init__(self, samples, V=None, seed=0):
        self.samples = [int(s) for s in samples]
        self.V, self.seed = V, seed
        self.calls = []

    def __call__(self, outsideWordIdx, dataset, K=10):
        self.calls.append({"outsideWordIdx": _as_int(outsideWordIdx), "K": _as_int(K),
                           "dataset_ok": isinstance(dataset, GradingDataset)})
        K, n = int(K), len(self.calls) - 1
        V = self.V if self.V is not None else getattr(dataset, "V", None)
        if n and V:
            return fresh_draw(self.seed, n, int(outsideWordIdx), int(V), K)
        if K == len(self.samples):
            return list(self.samples)
        base = self.samples or [(int(outsideWordIdx) + 1) % 2]
        return [base[i % len(base)] for i in range(K)]


def fresh_draw(seed, n, outsideWordIdx, V, K):
    """Draw n (n >= 1) of the stand-in sampler: K words of range(V) other than the outside
    word, deterministic in (seed, n), so the grader can recompute what the student got."""
    if V < 2:
        return [outsideWordIdx] * K
    offsets = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(n)]).integers(1, V, size=K)
    return [int((outsideWordIdx + r) % V) for r in offsets]


MAX_SEEDED_NUMBERS = 4_000_000   # 32 MB of float64: the efficiency checks' largest is 1M


def seeded_normal(spec):
    """The array {"seed": s, "skip": k, "shape": [...]} stands for: default_rng(s)'s standard
    normals after its first k. The efficiency checks' large outsideVectors travel as this
    recipe and are drawn where they are used (the grader draws the same numbers for the
    reference), instead of 8 MB crossing the pipe each way. ValueError for a bad recipe."""
    shape = tuple(int(n) for n in spec["shape"])
    if not shape or min(shape) < 1 or int(np.prod(shape)) > MAX_SEEDED_NUMBERS:
        raise ValueError(f"bad seeded array shape {shape}")
    key = (int(spec["seed"]), int(spec.get("skip", 0)), shape)
    predrawn()   # never two draws at once
    return _drawn(key).copy()   # a copy: code that changes its input changes only its own


def predrawn() -> None:
    """Wait for predraw_soon's draw to end. The worker calls it before every timed call's
    inputs are kept (Worker.keep): no thread of its own may run beside a timed call."""
    while _predrawing:
        _predrawing.pop().join()


def _drawn(key):
    if _last_seeded[0] != key:   # both loss functions' checks ask for the same one
        rng = np.random.default_rng(key[0])
        rng.standard_normal(key[1])
        _last_seeded[:] = [key, rng.standard_normal(key[2])]
    return _last_seeded[1]


_last_seeded = [None, None]

# The efficiency checks' outsideVectors (both loss functions' V = 20000, D = 50; the recipe of
# grader.checks.loss_reference): the template draws it once (predraw), so that the workers
# forked from it find it drawn, in memory they share and only read, instead of each drawing
# 1M numbers (~35 ms) for its first efficiency check.
PREDRAWN = {"seed": 1, "skip": 50, "shape": [20000, 50]}


def predraw() -> None:
    """Draw PREDRAWN now (in the template: never in a worker's timed call)."""
    seeded_normal(PREDRAWN)


def predraw_soon() -> None:
    """Draw PREDRAWN in a thread, unless it is drawn already (a worker forked from the
    template before its second fork finds it drawn). Called by the worker before it reads its
    first request: numpy draws without holding the interpreter, so the draw runs beside the
    file's loading and the first checks instead of delaying the first efficiency check by
    ~40 ms. Worker.keep waits for it (predrawn), so every timed call comes after it has
    ended, and so does seeded_normal."""
    key = (PREDRAWN["seed"], PREDRAWN["skip"], tuple(PREDRAWN["shape"]))
    if _last_seeded[0] == key or _predrawing:
        return
    thread = threading.Thread(target=_drawn, args=(key,), name="predraw", daemon=True)
    thread.start()
    _predrawing.append(thread)


_predrawing = []   # predraw_soon's thread, until predrawn() has waited for it


WARM_TIMES = 3          # a call's new arrays: its output and a temporary or two, input-sized
WARM_LIMIT = 32 << 20  # glibc raises its mmap threshold only up to 32 MB (64-bit)
_warmed = [0]


def warm_allocator(nbytes: int) -> None:
    """Make the next allocations of up to WARM_TIMES x `nbytes` bytes in all (at most
    WARM_LIMIT) reuse memory this process has touched already. Called by the worker at
    `keep`, before an efficiency check times one call whose arrays are `nbytes` large (the
    grader times the reference's fastest of several runs, which reuse each other's memory).

    Why: a fresh process's first large allocation faults in new pages, and with numpy's
    transparent huge pages the kernel may stop to compact memory first: on a busy machine
    15-20 ms of system time, 10x the reference's whole call. Correct code then failed its
    efficiency check, or a slow reference raised the limit until a loop passed. This warms
    the allocator, never the student's code, so a loop earns nothing from it.
    How (glibc): freeing an mmapped block raises the mmap threshold to its size, so the next
    block of that size comes from the heap, and stays there once freed (it is below the trim
    threshold, twice the size). With other allocators it only costs the two allocations."""
    nbytes = min(WARM_TIMES * int(nbytes), WARM_LIMIT)
    if nbytes <= _warmed[0]:
        return
    np.empty(nbytes, np.uint8)          # mmapped, and freed at once
    block = np.empty(nbytes, np.uint8)  # now from the heap
    block.fill(1)                       # every page faulted in, untimed
    del block
    _warmed[0] = nbytes


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def toy_loss_quadratic(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    """J = 1/2 ||v_c - u_o||^2 + 1/10 sum_w u_w . v_c; touches every row of U."""
    v, U = np.asarray(centerWordVec, float), np.asarray(outsideVectors, float)
    diff = v - U[outsideWordIdx]
    loss = 0.5 * diff @ diff + 0.1 * np.sum(U @ v)
    gradCenter = diff + 0.1 * U.sum(axis=0)
    gradOutside = np.tile(0.1 * v, (U.shape[0], 1))
    gradOutside[outsideWordIdx] -= diff
    return loss, gradCenter, gradOutside


def toy_loss_square(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    """J = (u_o . v_c)^2 + o; only row o of U gets a gradient."""
    v, U = np.asarray(centerWordVec, float), np.asarray(outsideVectors, float)
    score = U[outsideWordIdx] @ v
    gradOutside = np.zeros_like(U)
    gradOutside[outsideWordIdx] = 2 * score * v
    return score ** 2 + outsideWordIdx, 2 * score * U[outsideWordIdx], gradOutside


TOY_LOSSES = {"quadratic": toy_loss_quadratic, "square": toy_loss_square}


class RecordingLoss:
    """Wraps a toy loss and records each call's arguments (as the grader will judge them)."""

    __name__ = "word2vecLossAndGradient"

    def __repr__(self):
        return "<function word2vecLossAndGradient (the loss given to skipgram)>"

    def __init__(self, name, expected_center, expected_outside, dataset):
        self.fn = TOY_LOSSES[name]
        self.expected_center = expected_center
        self.expected_outside = expected_outside
        self.dataset = dataset
        self.calls = []

    def __call__(self, *args, **kwargs):
        centerWordVec, outsideWordIdx, outsideVectors, dataset = _loss_arguments(args, kwargs)
        self.calls.append({
            "outsideWordIdx": _as_int(outsideWordIdx),
            "center_ok": _same(centerWordVec, self.expected_center),
            "outside_ok": _same(outsideVectors, self.expected_outside),
            "dataset_ok": dataset is self.dataset,
        })
        return self.fn(centerWordVec, outsideWordIdx, outsideVectors, dataset)


class Objective:
    """The f given to sgd: f(x) = 1/2 sum a * (x - c)^2, returning (cost, grad); it records
    how often it is called and, for the call numbers in `keep` (1-based), a copy of the x it
    was called at (x may be updated in place later), so the grader can recompute the steps."""

    __name__ = "f"

    def __init__(self, a, c, keep=()):
        self.a, self.c = np.asarray(a, float), np.asarray(c, float)
        self.keep, self.calls, self.kept = set(keep), 0, {}

    def __call__(self, x):
        self.calls += 1
        x = np.asarray(x, float)
        if self.calls in self.keep:
            self.kept[str(self.calls)] = x.copy()
        diff = x - self.c
        return 0.5 * float(np.sum(self.a * diff * diff)), self.a * diff


class Postprocessing:
    """The postprocessing given to sgd: clips x to [-bound, bound], counting its calls."""

    __name__ = "postprocessing"

    def __init__(self, bound):
        self.bound, self.calls = float(bound), 0

    def __call__(self, x):
        self.calls += 1
        return np.clip(x, -self.bound, self.bound)


LOSS_PARAMETERS = ("centerWordVec", "outsideWordIdx", "outsideVectors", "dataset")
_LOSS_CALL = "word2vecLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset)"


def _loss_arguments(args, kwargs):
    """The four contract arguments of a call to the given loss, or a TypeError in the
    student's terms (keyword names of another naming style, a missing argument)."""
    unknown = [k for k in kwargs if k not in LOSS_PARAMETERS and k != "K"]
    if unknown:
        raise TypeError(
            "the loss function given to skipgram was called with keyword names its contract "
            f"does not have ({', '.join(unknown[:4])}); call it with the contract's names or "
            f"by position: {_LOSS_CALL}")
    values = dict(zip(LOSS_PARAMETERS, args[:4]))
    for name, value in kwargs.items():
        if name in values:
            raise TypeError(f"the loss function given to skipgram got {name} twice (by "
                            f"position and by keyword); call it as {_LOSS_CALL}")
        values[name] = value
    missing = [p for p in LOSS_PARAMETERS if p not in values]
    if missing:
        raise TypeError(f"the loss function given to skipgram was called without "
                        f"{', '.join(missing)}; call it as {_LOSS_CALL}")
    return tuple(values[p] for p in LOSS_PARAMETERS)


def _same(a, b):
    try:
        a = np.asarray(a, dtype=float)
        return a.shape == b.shape and bool(np.array_equal(a, b))
    except (TypeError, ValueError):
        return False


# Student code sees these objects, and Python names their class in its own messages
# ("'GradingDataset' object is not subscriptable"): they go by the names a student knows.
# What student code prints of them is short and the same on every run (no memory address).
def _dataset_repr(self):
    return f"<dataset of {self.V} word{'s' if self.V != 1 else ''}>"


def _dataset_getattr(self, name):
    raise AttributeError(f"the dataset has no attribute {name!r} (it has sampleTokenIdx(), "
                         "tokens() and getRandomContext(C))")


GradingDataset.__repr__ = _dataset_repr
GradingDataset.__getattr__ = _dataset_getattr
ControlledSampler.__repr__ = lambda self: "<function getNegativeSamples>"
GradingDataset.__name__ = GradingDataset.__qualname__ = "dataset"
ControlledSampler.__name__ = ControlledSampler.__qualname__ = "function"
RecordingLoss.__name__ = RecordingLoss.__qualname__ = "function"
Objective.__qualname__ = Postprocessing.__qualname__ = "function"
