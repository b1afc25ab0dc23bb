"""Command line: `python -m grader grade PATH [--json OUT]` (one module per verb behind it)."""

import argparse
import importlib.util
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader", description="word2vec exercise grader")
    verbs = parser.add_subparsers(dest="verb", required=True)
    grade = verbs.add_parser("grade", help="grade one submission (.py or .ipynb)")
    grade.add_argument("path", help="the submission file")
    grade.add_argument("--json", metavar="OUT", help="also write results.json (Gradescope schema) here")
    grade.add_argument("--annotate", metavar="OUT.ipynb",
                       help="also write a copy of the notebook with feedback after each function's cell")
    grade.add_argument("--verbose", action="store_true", help="show details of passing checks too")
    if importlib.util.find_spec("grader.batch"):  # instructors' tool: not in the student release
        _add_batch(verbs)
    args = parser.parse_args(argv)
    if args.verb == "grade":
        return _grade(args)
    if args.verb == "batch":
        return _batch(args)
    return 2


def _grade(args):
    path = Path(args.path)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    if path.suffix not in (".py", ".ipynb"):
        print(f"error: {path} is neither a .py file nor a notebook (.ipynb)", file=sys.stderr)
        return 2
    if args.annotate and path.suffix != ".ipynb":
        print("error: --annotate needs a notebook (.ipynb) to annotate", file=sys.stderr)
        return 2
    from grader import grading
    from grader.report import results_json, terminal
    report = grading.grade(path)
    if args.json:  # first, so the results exist even if the terminal goes away
        results_json.write(report, args.json)
    if args.annotate:  # before the terminal too: it is a file the student asked for
        from grader.report import annotate
        annotated = annotate.write(report, path, args.annotate)
    try:
        sys.stdout.write(terminal.render(report, sys.stdout, verbose=args.verbose))
        if args.json:
            print(f"results written to {args.json}")
        if args.annotate:
            print(annotated)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head` closed the pipe: the grading itself is done
        sys.stdout = None
    return 0


def _add_batch(verbs):
    batch = verbs.add_parser("batch", help="grade a whole class into a gradebook and a class report")
    batch.add_argument("submissions", help="folder of student folders or files, or a .zip of either")
    batch.add_argument("--out", required=True, metavar="REPORT_DIR", help="where the gradebook and pages go")
    batch.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                       help="submissions graded at once (default: one per core)")
    batch.add_argument("--regrade", action="store_true", help="grade again even when unchanged")
    batch.add_argument("--rubric", metavar="PATH", help="rubric file (default: the kit's rubric.toml)")


def _batch(args):
    if not Path(args.submissions).exists():
        print(f"error: no such file or folder: {args.submissions}", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("error: -j needs a positive number", file=sys.stderr)
        return 2
    from grader.batch import command
    return command.run(args.submissions, args.out, jobs=args.jobs, regrade=args.regrade,
                       rubric_path=args.rubric)
