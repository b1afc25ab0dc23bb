"""The training loop: the course's batching, the student's sgd, checkpoints, progress, Ctrl-C.

Checkpoints are the course's (saved_params_<iter>.npy and saved_state_<iter>.pickle, written
by the sgd module's save_params) in the run folder, which is the current directory while sgd
runs, so `sgd(..., useSaved=True)` resumes from the newest one as in the course. The first
Ctrl-C stops at the start of the next iteration and saves that exact state first (parameters
and random state), so nothing is lost; a second Ctrl-C stops at once, keeping the last
checkpoint sgd saved.
"""

import contextlib
import glob
import hashlib
import json
import os
import random
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Settings:
    """What a run does; a run folder resumes only a run with the same settings and code."""
    iterations: int = 2000      # course: 40000
    step: float = 3.0           # course: 0.3 (its corpus is 100 times larger)
    dim: int = 10
    window: int = 5
    batch: int = 50
    seed: int = 314
    save_every: int = 250       # course: 5000


@dataclass
class RunResult:
    vectors: np.ndarray          # (2V, D): center vectors, then outside vectors
    initial: np.ndarray          # the vectors before the first iteration
    losses: np.ndarray           # (n, 2): iteration, batch loss; every iteration of the run so far
    start_iteration: int         # where this session started (0, or a checkpoint's)
    iteration: int               # the last iteration whose parameters `vectors` are
    interrupted: bool = False
    seconds: float = 0.0
    notes: list = field(default_factory=list)


class TrainingError(Exception):
    """The student's code raised during training; the message says where, in one sentence."""


def batch_loss_and_gradient(skipgram, loss_function, word2Ind, wordVectors, dataset, windowSize,
                            batchsize):
    """The course's word2vec_sgd_wrapper with the batch size as a parameter.

    wordVectors (2V, D): rows 0..V-1 are the center vectors, V..2V-1 the outside vectors.
    Returns (mean loss over `batchsize` random contexts, gradient of shape (2V, D)).
    """
    loss = 0.0
    grad = np.zeros(wordVectors.shape)
    N = wordVectors.shape[0]
    centerWordVectors = wordVectors[:N // 2, :]
    outsideVectors = wordVectors[N // 2:, :]
    for _ in range(batchsize):
        windowSize1 = random.randint(1, windowSize)
        centerWord, context = dataset.getRandomContext(windowSize1)
        c, gin, gout = skipgram(centerWord, windowSize1, context, word2Ind, centerWordVectors,
                                outsideVectors, dataset, loss_function)
        loss += c / batchsize
        grad[:N // 2, :] += gin / batchsize
        grad[N // 2:, :] += gout / batchsize
    return loss, grad


def initial_vectors(vocabulary_size, settings):
    """The course's start: center vectors uniform in (-0.5, 0.5)/D, outside vectors zero."""
    rng = np.random.RandomState(settings.seed)
    V, D = vocabulary_size, settings.dim
    return np.concatenate(((rng.rand(V, D) - 0.5) / D, np.zeros((V, D))), axis=0)


def checkpoints(run_dir):
    """Iteration numbers of the complete checkpoints in run_dir, ascending."""
    found = []
    for name in glob.glob(str(Path(run_dir) / "saved_params_*.npy")):
        stem = Path(name).stem.split("_")[-1]
        if stem.isdigit() and (Path(run_dir) / f"saved_state_{stem}.pickle").exists():
            found.append(int(stem))
    return sorted(found)


def fingerprint(settings, dataset, files, replaced=()):
    """Hash of the settings, the corpus' vocabulary and the code that trains (a resume must match).

    `replaced` names the functions the reference stands in for (their files are not the code).
    """
    h = hashlib.sha256(json.dumps(asdict(settings), sort_keys=True).encode())
    h.update(",".join(replaced).encode())
    h.update("\n".join(dataset.tokens()).encode())
    h.update(str(len(dataset.sentences)).encode())
    for path in files:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def prepare_run_dir(run_dir, print_id):
    """Make run_dir; clear its checkpoints when they belong to another run. Returns notes."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    marker = run_dir / "run.json"
    notes = []
    old = json.loads(marker.read_text()).get("fingerprint") if marker.exists() else None
    if old != print_id:
        stale = [p for pattern in ("saved_params_*.npy", "saved_state_*.pickle", "losses.npy", "*.tmp")
                 for p in run_dir.glob(pattern)]
        for p in stale:
            p.unlink()
        if stale:
            notes.append("Your code or the settings changed since the last run: training starts afresh.")
        marker.write_text(json.dumps({"fingerprint": print_id}))
    return notes


@contextlib.contextmanager
def _in_directory(path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


class _StopRequest:
    """First Ctrl-C: ask to stop at the next iteration. Second: stop now (KeyboardInterrupt)."""

    def __init__(self):
        self.requested = False
        self.previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():  # signals reach only that one
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nStopping after this iteration (Ctrl-C again to stop at once)...", file=sys.stderr)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


def _progress_bar(settings, start, show):
    from tqdm import tqdm
    return tqdm(total=settings.iterations, initial=start, unit="it", desc="training",
                file=sys.stderr, disable=not show, dynamic_ncols=True, mininterval=0.5)


def train(functions, dataset, settings, run_dir, show_progress=True, stop=None):
    """Train with functions.sgd / skipgram / negSamplingLossAndGradient; resume from run_dir.

    `stop`, if given, is called with the iteration number before each iteration and stops the
    run as Ctrl-C does when it returns True (for tests). sgd's own printout goes to
    run_dir/sgd_log.txt. Returns a RunResult; raises TrainingError when the student's code raises.
    """
    run_dir = Path(run_dir).resolve()
    word2Ind = dataset.tokens()
    files = sorted(set(map(str, functions.files.values())))
    notes = prepare_run_dir(run_dir, fingerprint(settings, dataset, files, functions.from_reference))
    x0 = initial_vectors(len(word2Ind), settings)
    initial = x0.copy()
    random.seed(settings.seed)
    module = functions.sgd_module
    if hasattr(module, "SAVE_PARAMS_EVERY"):
        module.SAVE_PARAMS_EVERY = settings.save_every
    saved = checkpoints(run_dir)
    start = saved[-1] if saved else 0
    history_file = run_dir / "losses.npy"
    history = np.load(history_file) if history_file.exists() and start else np.zeros((0, 2))
    history = [tuple(r) for r in history if r[0] <= start]
    state = {"iteration": start, "x": None}
    bar = _progress_bar(settings, start, show_progress)
    ema = None

    def objective(x):
        nonlocal ema
        if (stop_request.requested or (stop is not None and stop(state["iteration"] + 1))):
            if hasattr(module, "save_params") and state["iteration"] > start:
                module.save_params(state["iteration"], x)  # the exact state: nothing is lost
            raise KeyboardInterrupt
        loss, grad = batch_loss_and_gradient(functions.skipgram, functions.negSamplingLossAndGradient,
                                             word2Ind, x, dataset, settings.window, settings.batch)
        state["iteration"] += 1
        history.append((state["iteration"], float(loss)))
        ema = float(loss) if ema is None else 0.95 * ema + 0.05 * float(loss)
        bar.update(1)
        if state["iteration"] % 10 == 0:
            bar.set_postfix(loss=f"{ema:.3f}", refresh=False)
        return loss, grad

    started = time.perf_counter()
    interrupted = False
    try:
        with _StopRequest() as stop_request, _in_directory(run_dir), \
                open(run_dir / "sgd_log.txt", "a", encoding="utf-8") as log, \
                contextlib.redirect_stdout(log):
            try:
                x = functions.sgd(objective, x0, settings.step, settings.iterations,
                                  postprocessing=None, useSaved=True, PRINT_EVERY=10)
                iteration = settings.iterations
                if hasattr(module, "save_params") and iteration not in checkpoints(run_dir):
                    module.save_params(iteration, np.asarray(x))
            except KeyboardInterrupt:
                interrupted = True
                kept = checkpoints(run_dir)
                iteration = kept[-1] if kept else 0
                x = np.load(run_dir / f"saved_params_{iteration}.npy") if kept else initial
                history[:] = [r for r in history if r[0] <= iteration]
            except Exception as error:
                raise TrainingError(describe_error(error, functions)) from error
    finally:
        bar.close()
        if history:  # through a temporary file: a kill mid-write keeps the previous history
            with open(run_dir / "losses.npy.tmp", "wb") as f:
                np.save(f, np.array(history, dtype=float))
            os.replace(run_dir / "losses.npy.tmp", history_file)
    return RunResult(np.asarray(x, dtype=float), initial, np.array(history, dtype=float).reshape(-1, 2),
                     start, iteration, interrupted, time.perf_counter() - started, notes)


def describe_error(error, functions):
    """One sentence: the error, and the innermost line of the student's own files it came from."""
    own = {str(Path(p).resolve()) for p in functions.files.values()}
    where = ""
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if str(Path(code.co_filename).resolve()) in own:
            where = f" in {code.co_name} ({Path(code.co_filename).name}, line {tb.tb_lineno})"
        tb = tb.tb_next
    message = str(error).splitlines()[0][:300] if str(error) else ""
    return f"Training stopped: your code raised {type(error).__name__}{where}" + \
        (f": {message}" if message else ".")
