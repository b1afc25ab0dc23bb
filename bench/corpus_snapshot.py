"""Grade the whole corpus and record every verdict, to compare the grader before and after a change.

    .venv/bin/python bench/corpus_snapshot.py OUT.json          # write a snapshot
    .venv/bin/python bench/corpus_snapshot.py --diff A.json B.json

A snapshot holds, per file and check, the score, the diagnosed mistake and the feedback text.
Efficiency feedback quotes measured times (and sizes), so only its verdict and diagnosis are
compared. Files are graded two at a time (2 cores), each in its own process.
"""

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import grading  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
EXTRA = [ROOT / "solutions" / "word2vec.py", ROOT / "exercises" / "word2vec.py"]


def files():
    return EXTRA + sorted(p for p in CORPUS.rglob("*.py")
                          if p.name != "build_corpus.py" and "utils" not in p.parts)


def snapshot_one(path):
    report = grading.grade(path)
    checks = {}
    for fn in report.functions:
        for c in fn.checks:
            text = "(timing)" if c.efficiency else c.feedback
            checks[f"{fn.name}.{c.check}"] = {"score": c.score, "mistake": c.mistake,
                                              "feedback": text}
    return str(path.relative_to(ROOT)), {
        "total": sum(f.score for f in report.functions), "problems": report.problems,
        "notes": report.notes, "checks": checks, "seconds": round(report.seconds, 2)}


def snapshot(out):
    with ProcessPoolExecutor(2) as pool:
        result = dict(pool.map(snapshot_one, files()))
    Path(out).write_text(json.dumps(result, indent=1, sort_keys=True))
    for name, entry in result.items():
        print(f"{entry['total']:6.1f}  {entry['seconds']:5.2f} s  {name}")


def diff(a, b):
    a, b = json.loads(Path(a).read_text()), json.loads(Path(b).read_text())
    differences = 0
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"{name}: only in {'after' if name not in a else 'before'}")
            differences += 1
            continue
        for key in ("total", "problems", "notes"):
            if a[name][key] != b[name][key]:
                print(f"{name}: {key}: {a[name][key]!r} -> {b[name][key]!r}")
                differences += 1
        for check in sorted(set(a[name]["checks"]) | set(b[name]["checks"])):
            before, after = a[name]["checks"].get(check), b[name]["checks"].get(check)
            if check.endswith(".efficiency") and before and after:
                before, after = ({k: v for k, v in c.items() if k != "feedback"}
                                 for c in (before, after))
            if before != after:
                print(f"{name}: {check}:\n  before: {before}\n  after:  {after}")
                differences += 1
    print(f"{differences} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--diff":
        sys.exit(diff(*args[1:]))
    if len(args) != 1 or args[0].startswith("-"):
        sys.exit(__doc__)
    snapshot(args[0])
