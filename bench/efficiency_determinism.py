"""The efficiency verdict under load: grade a loop-based and a vectorised file N times each
while other gradings run in parallel, and count the verdicts (issue 11).

    .venv/bin/python bench/efficiency_determinism.py [--runs 20] [--load 2]

The loop-based files (tests/corpus/trusted/loops_honest.py: naive softmax and sigmoid loop
in Python; loops_in_a_reaped_child.py, loops_in_a_namespace.py,
loops_in_a_child_reaped_while_counted.py, loops_split_over_children.py,
loops_in_a_thread_that_ends.py, loops_computed_while_sent.py and
loops_worked_out_at_import.py: the same loops where the kernel, a race, clock-tick rounding,
an untimed request or known inputs would hide them)
must fail those two efficiency checks in every run and pass the others; the reference must
pass every one. Each run's student/reference CPU-time ratio is recorded too,
to show the margin on each side of the limit. Exits 1 if any verdict differed.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import grading  # noqa: E402
from grader.checks import efficiency  # noqa: E402

LOOPS = tuple(ROOT / "tests" / "corpus" / "trusted" / name
              for name in ("loops_honest.py", "loops_in_a_reaped_child.py",
                           "loops_in_a_namespace.py", "loops_in_a_child_reaped_while_counted.py",
                           "loops_split_over_children.py", "loops_in_a_thread_that_ends.py",
                           "loops_computed_while_sent.py", "loops_worked_out_at_import.py"))
VECTORISED = ROOT / "solutions" / "word2vec.py"
SLOW = {"sigmoid", "naiveSoftmaxLossAndGradient"}   # the functions LOOPS writes with loops
LOAD = """
import sys, time
sys.path.insert(0, {root!r})
from grader import grading
files = {files!r}
while True:
    for f in files:
        grading.grade(f)
"""

_ratios = []


def _spy():
    """Record student/reference CPU-time ratios (for the margins) without changing them."""
    student, reference = efficiency.student_seconds, efficiency.reference_seconds

    def student_seconds(ctx, timed, arity, expected):
        mine = student(ctx, timed, arity, expected)
        ref, _ = reference(timed)
        _ratios.append((ctx.function, mine / max(ref, 1e-9)))
        return mine
    efficiency.student_seconds = student_seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", type=int, default=2, help="parallel gradings as load")
    opts = parser.parse_args()
    _spy()
    others = sorted(str(p) for p in (ROOT / "tests" / "corpus" / "buggy").glob("*.py"))[:6]
    load = [subprocess.Popen([sys.executable, "-c", LOAD.format(root=str(ROOT), files=others)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(opts.load)]
    verdicts, feedback, ratios = {}, {}, {}
    started = time.monotonic()
    try:
        time.sleep(1.0)   # let the load start
        for run in range(opts.runs):
            for path in (*LOOPS, VECTORISED):
                del _ratios[:]
                report = grading.grade(path)
                for fn in report.functions:
                    check = next(c for c in fn.checks if c.efficiency)
                    verdicts.setdefault((path.name, fn.name), []).append(check.passed)
                    feedback.setdefault((path.name, fn.name), set()).add(check.feedback)
                for fn, ratio in _ratios:
                    ratios.setdefault((path.name, fn), []).append(ratio)
            print(f"run {run + 1}/{opts.runs} done ({time.monotonic() - started:.0f} s)",
                  flush=True)
    finally:
        for process in load:
            process.kill()
            process.wait()
    ok = True
    print(f"\n{'file':40} {'function':28} {'passed':>8} {'texts':>5}  ratio min / median / max")
    for (name, fn), passed in sorted(verdicts.items()):
        want = not (name in {p.name for p in LOOPS} and fn in SLOW)
        ok &= all(p == want for p in passed) and len(feedback[(name, fn)]) == 1
        r = ratios.get((name, fn)) or [float("nan")]
        print(f"{name:40} {fn:28} {sum(passed):>3}/{len(passed):<4} {len(feedback[(name, fn)]):>5}"
              f"  {min(r):6.1f} / {statistics.median(r):6.1f} / {max(r):6.1f}"
              f"{'' if all(p == want for p in passed) else '   <-- verdict changed'}")
    print(f"\nlimit: {efficiency.MAX_RATIO:g}x the reference's CPU time (+{efficiency.OVERHEAD_SECONDS * 1e3:g} ms); "
          f"{opts.load} parallel gradings as load; {time.monotonic() - started:.0f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
