"""`make bench`: how long grading takes and how much memory it needs, against this machine's floor.

    .venv/bin/python bench/run.py [--runs N] [--quick] [--train] [--baseline DIR]

Every figure is the median of N runs (min and max beside it) of a fresh process, as a student
or an instructor would start it, and also a ratio to the floor (`python -c "import numpy"`,
measured in the same run), so runs on different machines and under different load compare.
Beside wall time, each row has the CPU time of the whole process tree, sandboxed workers
included (the kernel's rusage of everything the row's process and its descendants waited
for: the sandbox's trusted parents reap the workers, so their CPU reaches us).
Runs of the different rows are interleaved, so a burst of load on the shared machine hits all
rows alike. A batch row also samples the memory of its whole process tree (PSS, every 0.2 s).
Writes the table as JSON to bench/results/latest.json and prints it (Markdown), then issue
17's targets, met or not in this run (TARGETS: set for a batch of 100 on a quiet machine;
its seconds of wall time are counted as floors of this run).

--baseline DIR adds rows grading the reference, loops.py and the two buggy files with another
checkout's grader (e.g. `git archive OLD | tar -x -C DIR`), measured in the same interleaved run.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
BATCH_SIZE = 100
BUGGY = "tests/corpus/buggy/naive_outside_from_y_hat.py"       # wrong from the first input on
SHRUNK = "tests/corpus/buggy/skipgram_overwrite.py"   # right on some inputs: Hypothesis shrinks

# Grades one file in-process and prints peak RSS (KiB): the grader's own, and the largest
# worker's (workers are its waited-for children).
RSS_PROBE = """
import json, resource, sys
from grader import grading
grading.grade(sys.argv[1])
try:  # the workers are forked from a template: reap it, so they count as children
    from grader.sandbox import templates
    templates.close_shared()
except ImportError:
    pass
print(json.dumps({"grader": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

# Reads every file of a class folder and runs the similarity comparison (no grading).
SIMILARITY_PROBE = """
import sys
from pathlib import Path
from grader.batch import similarity
read = {p.parent.name: similarity.read(p) for p in sorted(Path(sys.argv[1]).glob("*/word2vec.py"))}
found = similarity.compare({s: d for s, (d, _) in read.items()})
assert not found.not_compared, found.not_compared
"""
SIMILARITY_SIZE = 500

# `make train`'s default run with the reference functions, in one process as the student starts
# it; exits 1 unless training worked, and prints its peak RSS (KiB).
TRAIN_PROBE = """
import json, resource, sys
from training.cli import main
rc = main(["--fresh", "--no-progress", "--word2vec", "solutions/word2vec.py",
           "--sgd", "solutions/sgd.py", "--out", sys.argv[1]])
print(json.dumps({"rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
sys.exit(rc)
"""

# Seconds per iteration at the course's settings (step 0.3, batch 50, dim 10, window 5, K=10) on
# the synthetic corpus, and on a Zipf corpus with the course's vocabulary size (the Stanford
# Sentiment Treebank's 21,701 words), where each iteration costs more: the course's 40,000
# iterations are estimated from these (a full run would take too long for a bench).
COURSE_PROBE = """
import json, random, sys, tempfile, time
import numpy as np
from training import corpus, dataset, functions, loop
chosen = functions.load("solutions/word2vec.py", "solutions/sgd.py")
settings = loop.Settings(iterations=int(sys.argv[1]), step=0.3)
rng = random.Random(0)
words = ["w%d" % i for i in range(21701)]
weights = [1 / r for r in range(1, len(words) + 1)]
big = [words[i:i + 20] for i in range(0, len(words), 20)] + [rng.choices(words, weights, k=rng.randint(5, 35)) for _ in range(12000)]
out = {}
for name, sentences in (("synthetic", corpus.generate()), ("sst_sized", big)):
    data = dataset.SentenceDataset(sentences)
    with tempfile.TemporaryDirectory() as tmp:
        result = loop.train(chosen, data, settings, tmp, show_progress=False)
    out[name] = result.seconds / settings.iterations
    out[name + "_vocabulary"] = len(data.tokens())
print(json.dumps(out))
"""
COURSE_ITERATIONS = 40000

HANG = '''

def sigmoid(x):
    """Never returns: the grader must give up on it within its time limits."""
    while True:
        pass
'''


class Row:
    def __init__(self, name, argv, cwd=ROOT, per=1, note=""):
        self.name, self.argv, self.cwd, self.per, self.note = name, argv, cwd, per, note
        self.times, self.cpu = [], []

    def run_once(self):
        before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(self.argv, cwd=self.cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"bench: {self.name} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        self.times.append(seconds / self.per)
        self.cpu.append((_children_cpu() - before) / self.per)


def _children_cpu():
    """User + system CPU seconds of every waited-for descendant so far (rows run one at a
    time, so the difference around one run is that run's whole tree)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_available():
    done = subprocess.run([PYTHON, "-m", "grader", "batch", "--help"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.returncode == 0 and "--jobs" in done.stdout, "--regrade" in done.stdout


def make_class(folder):
    """BATCH_SIZE submissions: the corpus's correct and buggy files, round robin."""
    corpus = ROOT / "tests" / "corpus"
    sources = sorted(p for sub in ("correct", "buggy") for p in (corpus / sub).glob("*.py"))
    folder.mkdir()
    for i in range(BATCH_SIZE):
        shutil.copy(sources[i % len(sources)], folder / f"student_{i:03d}.py")
    return folder


def generated_exercises(work):
    """The exercise (.py and, when the kit can build it, .ipynb) as the generator makes it, in
    `work`: exercises/ is where a student works, so its files may be filled in."""
    sys.path.insert(0, str(ROOT))
    from grader.build import stubs
    (work / "word2vec.py").write_text(stubs.stub_text())
    try:
        from grader.build import notebook
        (work / "word2vec.ipynb").write_text(notebook.build_text())
    except ImportError:
        pass
    return work / "word2vec.py"


def notebook_file(work):
    """The generated exercise notebook if the kit has one, else None (with the reason)."""
    nb = work / "word2vec.ipynb"
    if not nb.exists():
        return None, "skipped: this checkout cannot generate the exercise notebook"
    if not (ROOT / "grader" / "notebook.py").exists():
        return None, "skipped: this grader has no notebook support (grader/notebook.py)"
    return nb, "the untouched exercise notebook"


def build_rows(work, baseline, quick, train_only=False):
    py = [PYTHON]
    rows = [Row("floor: python start-up", py + ["-c", "pass"]),
            Row("floor: import numpy", py + ["-c", "import numpy"]),
            Row("floor: grade reference, whole pipeline in one process (no sandbox)",
                py + [str(ROOT / "bench" / "inprocess.py"), "solutions/word2vec.py"],
                note="bench/inprocess.py: the worker answers in the grader's process")]
    if train_only:
        return rows + [train_row(work)], []
    grade = py + ["-m", "grader", "grade"]
    rows += [Row("grade reference (solutions/word2vec.py)", grade + ["solutions/word2vec.py"]),
             Row("grade loop-based correct (tests/corpus/correct/loops.py)",
                 grade + ["tests/corpus/correct/loops.py"]),
             Row(f"grade buggy ({BUGGY})", grade + [BUGGY],
                 note="wrong on every input: its searches end without Hypothesis"),
             Row(f"grade buggy, shrunk by Hypothesis ({SHRUNK})", grade + [SHRUNK],
                 note="right on some inputs: Hypothesis is imported and shrinks"),
             Row("grade untouched stubs (exercises/word2vec.py)",
                 grade + [str(generated_exercises(work))])]
    skipped = []
    nb, why = notebook_file(work)
    if nb is not None:
        rows.append(Row("grade notebook (exercises/word2vec.ipynb)", grade + [str(nb)], note=why))
    else:
        skipped.append(("grade notebook", why))
    for name in (["solutions/word2vec.py", "tests/corpus/correct/loops.py", BUGGY, SHRUNK]
                 if baseline else []):
        rows.append(Row(f"baseline grader ({Path(baseline).name}): grade {name}",
                        grade + [str(ROOT / name)], cwd=baseline))
    if not quick:
        hang = work / "hang" / "word2vec.py"
        hang.parent.mkdir()
        hang.write_text((ROOT / "solutions" / "word2vec.py").read_text() + HANG)
        rows.append(Row("grade infinite loop in sigmoid (bounded by time limits)", grade + [str(hang)],
                        note="reference with a sigmoid that never returns"))
    if not quick and (ROOT / "grader" / "batch" / "fingerprint.py").is_file():
        folder = similarity_class(work / "similarity")
        rows.append(Row(f"similarity: {SIMILARITY_SIZE} generated files (read + compare)",
                        py + ["-c", SIMILARITY_PROBE, str(folder)],
                        note="every author's bodies mixed at random, plus one renamed copy"))
    if not quick:
        rows.append(train_row(work))
    has_batch, has_regrade = batch_available()
    if not has_batch:
        skipped.append(("batch", "skipped: this grader has no `batch` command yet"))
    elif not quick:
        klass = make_class(work / "class")
        for jobs in (1, 2):
            rows.append(BatchRow(f"batch {BATCH_SIZE} submissions -j {jobs} (per submission)",
                                 klass, jobs, work, has_regrade))
        if baseline:
            rows.append(BatchRow(f"baseline grader ({Path(baseline).name}): batch {BATCH_SIZE} "
                                 "submissions -j 2 (per submission)", klass, 2, work, has_regrade,
                                 cwd=baseline))
    return rows, skipped


def similarity_class(folder):
    """SIMILARITY_SIZE generated submissions (tests/test_batch_similarity.py's class_of)."""
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "corpus")]
    import test_batch_similarity  # noqa: E402  (test helpers, not a package)
    for student, source in test_batch_similarity.class_of(SIMILARITY_SIZE).items():
        (folder / student).mkdir(parents=True)
        (folder / student / "word2vec.py").write_text(source)
    return folder

def train_row(work):
    return Row("train: default run, reference functions (make train)",
               [PYTHON, "-c", TRAIN_PROBE, str(work / "train")],
               note="2000 iterations on the synthetic corpus; fails unless training worked")


class BatchRow(Row):
    """One batch run per measurement, into a fresh report folder (nothing reused); the
    memory of its whole process tree, workers included, is sampled meanwhile."""

    def __init__(self, name, klass, jobs, work, regrade, cwd=ROOT):
        super().__init__(name, None, cwd=cwd, per=BATCH_SIZE)
        self.klass, self.jobs, self.work, self.regrade = klass, jobs, work, regrade
        self.count = 0
        self.memory = []   # MB: the largest sum of the tree's PSS seen, per run

    def run_once(self):
        self.count += 1
        out = self.work / f"batch-j{self.jobs}-{self.count}-{id(self)}"
        self.argv = [PYTHON, "-m", "grader", "batch", str(self.klass), "--out", str(out),
                     "-j", str(self.jobs)] + (["--regrade"] if self.regrade else [])
        peak, done = [0], threading.Event()

        def sample():
            while not done.wait(MEMORY_SAMPLE_SECONDS):
                peak[0] = max(peak[0], sum(map(_pss_kib, _tree(os.getpid()))))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            super().run_once()
        finally:
            done.set()
            sampler.join()
        self.memory.append(peak[0] / 1024)
        shutil.rmtree(out, ignore_errors=True)


MEMORY_SAMPLE_SECONDS = 0.2


def _tree(root):
    """The pids of `root`'s descendants (not root itself), from /proc."""
    parents = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                parents[int(name)] = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree = [root]
    for pid in tree:
        tree += [child for child, parent in parents.items() if parent == pid]
    return tree[1:]


def _pss_kib(pid):
    """A process's proportional set size in KiB (its shared pages split among their users,
    so forked workers sharing the template's pages are not counted twice); 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except (OSError, ValueError):
        return 0


def peak_rss(runs):
    """Median peak RSS in MB of the grader and of its largest worker, grading the reference."""
    grader, worker = [], []
    for _ in range(runs):
        done = subprocess.run([PYTHON, "-c", RSS_PROBE, "solutions/word2vec.py"], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        grader.append(figures["grader"] / 1024)
        worker.append(figures["worker"] / 1024)
    return {"grader_mb": _summary(grader), "worker_mb": _summary(worker)}


def train_figures(runs, default_seconds):
    """Peak RSS of the default training run, and the course-length estimates (see COURSE_PROBE)."""
    rss = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="w2v-train-") as tmp:
            done = subprocess.run([PYTHON, "-c", TRAIN_PROBE, tmp], cwd=ROOT, capture_output=True,
                                  text=True, check=True)
        rss.append(json.loads(done.stdout.strip().splitlines()[-1])["rss"] / 1024)
    done = subprocess.run([PYTHON, "-c", COURSE_PROBE, "40"], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    course = json.loads(done.stdout.strip().splitlines()[-1])
    return {"rss_mb": _summary(rss), "default_seconds": default_seconds,
            "course_iterations": COURSE_ITERATIONS, **course,
            "course_seconds_synthetic": course["synthetic"] * COURSE_ITERATIONS,
            "course_seconds_sst_sized": course["sst_sized"] * COURSE_ITERATIONS}


def train_lines(train):
    if not train:
        return []
    d = train["default_seconds"]
    return ["", f"Training: peak RSS of the default run {train['rss_mb']['median']:.0f} MB. The course's "
            f"run length ({train['course_iterations']:,} iterations, batch 50, dim 10, window 5, K=10) "
            f"would take about {train['course_seconds_synthetic']:.0f} s on the synthetic corpus "
            f"({train['synthetic'] * 1000:.1f} ms per iteration) and about "
            f"{train['course_seconds_sst_sized'] / 3600:.1f} h at the course corpus' vocabulary size "
            f"({train['sst_sized_vocabulary']:,} words, {train['sst_sized'] * 1000:.0f} ms per iteration): "
            f"the default run ({d:.0f} s) is {train['course_seconds_synthetic'] / d:.0f}x and "
            f"{train['course_seconds_sst_sized'] / d:.0f}x faster."]


def _summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}


# Issue 17's targets, set for one run on a quiet machine, where `import numpy` took
# QUIET_FLOOR: a target in seconds of wall time is checked as that many floors of this run.
QUIET_FLOOR = 0.092
TARGET_BATCH_SIZE = 100
TARGETS = {   # key: (what, limit, unit)
    "correct": ("grade a correct file (the reference), wall", 0.6 / QUIET_FLOOR, "x floor"),
    "buggy": (f"grade a buggy file ({Path(BUGGY).name}), over the reference", 1.2, "x"),
    "shrunk": (f"grade a buggy file ({Path(SHRUNK).name}), over the reference", 1.2, "x"),
    "batch_wall": ("batch at -j 2, wall per submission", 0.25 / QUIET_FLOOR, "x floor"),
    "batch_cpu": ("batch at -j 2, CPU per submission (workers incl.)", 0.5, "s"),
    "batch_memory": ("batch at -j 2, peak memory of the whole tree (PSS)", 400, "MB"),
    "worker_memory": ("peak RSS of the worker", 150, "MB"),
}


def target_figures(result):
    """{target key: the figure this run measured for it}, for the rows this run had."""
    floor = result["floor_seconds"]
    rows = {row["name"]: row for row in result["rows"]}

    def row(start):
        return next((r for name, r in rows.items() if name.startswith(start)), None)

    reference, batch = row("grade reference"), row(f"batch {BATCH_SIZE} submissions -j 2")
    figures = {"worker_memory": result["peak_rss"]["worker_mb"]["median"]}
    if reference:
        figures["correct"] = reference["median"] / floor
        for key, start in (("buggy", "grade buggy ("), ("shrunk", "grade buggy, shrunk")):
            if row(start):
                figures[key] = row(start)["median"] / reference["median"]
    if batch:
        figures["batch_wall"] = batch["median"] / floor
        figures["batch_cpu"] = batch["cpu_median"]
        if batch.get("memory_mb"):
            figures["batch_memory"] = batch["memory_mb"]["median"]
    return figures


def target_lines(result):
    figures = target_figures(result)
    lines = ["", f"Targets (issue 17; seconds on a quiet machine are counted as floors of this "
             f"run, the quiet floor being {QUIET_FLOOR} s):", "",
             "| target | this run | limit | met |", "|---|---:|---:|---|"]
    for key, (what, limit, unit) in TARGETS.items():
        if key in figures:
            digits = {"MB": 0, "s": 3}.get(unit, 2)
            lines.append(f"| {what} | {figures[key]:.{digits}f} {unit} | {limit:.{digits}f} "
                         f"{unit} | {'yes' if figures[key] <= limit else 'NO'} |")
    if "batch_wall" in figures and BATCH_SIZE != TARGET_BATCH_SIZE:
        lines += ["", f"The batch targets were set for {TARGET_BATCH_SIZE} submissions; this run's "
                  f"batches had {BATCH_SIZE}."]
    return lines


def table(result):
    floor = result["floor_seconds"]
    lines = ["| what | median s | min s | max s | x floor | CPU s (workers incl.) |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in result["rows"]:
        cpu = row.get("cpu_median")
        lines.append(f"| {row['name']} | {row['median']:.3f} | {row['min']:.3f} | "
                     f"{row['max']:.3f} | {row['median'] / floor:.1f} | "
                     f"{'-' if cpu is None else f'{cpu:.3f}'} |")
    for row in result["rows"]:
        if row.get("memory_mb"):
            fig = row["memory_mb"]
            lines.append(f"| {row['name'].split(' (per')[0]}: peak memory of the whole tree, "
                         f"PSS (MB) | {fig['median']:.0f} | {fig['min']:.0f} | {fig['max']:.0f} | | |")
    for name, why in result["skipped"]:
        lines.append(f"| {name} | - | - | - | {why} | |")
    rss = result["peak_rss"]
    for who in ("grader", "worker"):
        fig = rss[f"{who}_mb"]
        lines.append(f"| peak RSS of the {who} (MB) | {fig['median']:.0f} | {fig['min']:.0f} | "
                     f"{fig['max']:.0f} | | |")
    lines.append("")
    lines.append(f"Floor = `python -c \"import numpy\"`, median {floor:.3f} s; {result['runs']} runs "
                 f"each, interleaved; {result['machine']}.")
    lines += target_lines(result)
    lines += train_lines(result.get("train"))
    return "\n".join(lines)


def compile_sources(checkouts):
    """Byte-compile each checkout's grader, as a student's first `make grade` leaves it: with
    PYTHONDONTWRITEBYTECODE set (some shells and CI images set it) every run would compile
    the grader from source again, a cost no student's second run pays."""
    import compileall
    for checkout in checkouts:
        for folder in ("grader", "solutions", "bench"):
            if (checkout / folder).is_dir():
                compileall.compile_dir(checkout / folder, quiet=1)


def main(argv=None):
    global BATCH_SIZE
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row (default 5)")
    parser.add_argument("--quick", action="store_true", help="skip the slow rows (hang, batch)")
    parser.add_argument("--baseline", metavar="DIR", help="another checkout to compare with")
    parser.add_argument("--train", action="store_true", help="only the floor and `make train` rows")
    parser.add_argument("--only", action="append", metavar="WORDS",
                        help="keep only the rows whose name holds WORDS (repeatable; the "
                             "floor rows always stay)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"submissions per batch row (default {BATCH_SIZE})")
    parser.add_argument("--out", default=str(RESULTS / "latest.json"), help="JSON output")
    opts = parser.parse_args(argv)
    BATCH_SIZE = opts.batch_size
    baseline = str(Path(opts.baseline).resolve()) if opts.baseline else None
    compile_sources([ROOT] + ([Path(baseline)] if baseline else []))
    with tempfile.TemporaryDirectory(prefix="w2v-bench-") as tmp:
        rows, skipped = build_rows(Path(tmp), baseline, opts.quick, opts.train)
        if opts.only:
            rows = [r for r in rows if r.name.startswith("floor")
                    or any(words in r.name for words in opts.only)]
        for run in range(opts.runs):
            for row in rows:
                row.run_once()
            print(f"run {run + 1}/{opts.runs} done", file=sys.stderr)
    rss = peak_rss(opts.runs)
    floor = statistics.median(rows[1].times)
    trained = [r for r in rows if r.name.startswith("train: default run")]
    train = train_figures(1, statistics.median(trained[0].times)) if trained else None
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": opts.runs, "floor_seconds": floor,
        "rows": [dict(name=r.name, note=r.note, times=r.times, **_summary(r.times),
                      ratio_to_floor=statistics.median(r.times) / floor, cpu=r.cpu,
                      cpu_median=statistics.median(r.cpu),
                      **({"memory_mb": _summary(r.memory)} if getattr(r, "memory", None) else {}))
                 for r in rows],
        "skipped": skipped, "peak_rss": rss, "train": train,
    }
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(table(result))
    print(f"\n(written to {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
