"""Command line: `python -m grader grade PATH [--json OUT]` (one module per verb behind it).

Usage errors (a path that is missing or of the wrong kind, an output that would overwrite the
submission, an unreadable rubric) are checked before anything is graded or written: one
sentence on stderr and exit status 2, never a traceback.
"""

import argparse
import importlib.util
import sys
import zipfile
from pathlib import Path


class UsageError(Exception):
    """A command line that cannot be carried out; its message is the one sentence shown."""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader", description="word2vec exercise grader")
    verbs = parser.add_subparsers(dest="verb", required=True)
    grade = verbs.add_parser("grade", help="grade one submission (.py or .ipynb)")
    grade.add_argument("path", help="the submission file")
    grade.add_argument("--json", metavar="OUT", help="also write results.json (Gradescope schema) here")
    grade.add_argument("--annotate", metavar="OUT.ipynb",
                       help="also write a copy of the notebook with feedback after each function's cell")
    grade.add_argument("--verbose", action="store_true", help="show details of passing checks too")
    grade.add_argument("--rubric", metavar="PATH", help="rubric file (default: the kit's rubric.toml)")
    if importlib.util.find_spec("grader.batch"):  # instructors' tool: not in the student release
        _add_batch(verbs)
    args = parser.parse_args(argv)
    try:
        if args.verb == "grade":
            return _grade(args)
        if args.verb == "batch":
            return _batch(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


def load_rubric(path):
    """The rubric at `path` (None: the kit's own); UsageError when it cannot be used."""
    from grader import rubric as rubric_mod
    if path is None:
        return rubric_mod.load()
    if not Path(path).is_file():
        raise UsageError(f"no such rubric file: {path}")
    try:
        return rubric_mod.load(path)
    except (OSError, ValueError, TypeError, rubric_mod.RubricError) as exc:
        # ValueError covers TOML syntax and undecodable bytes; TypeError an unknown item key
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise UsageError(f"the rubric {path} cannot be used ({reason})") from None


def _check_output(option, out, submission):
    """An output file must not be a folder, nor the submission itself (it would be lost)."""
    if out is None:
        return
    out = Path(out)
    if out.is_dir():
        raise UsageError(f"{option} {out} is a folder: give a file name for the output")
    if out.resolve() == submission.resolve():
        raise UsageError(f"{option} {out} is the submission itself, which it would overwrite")


def _grade(args):
    path = Path(args.path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give the submission file in it "
                         "(word2vec.py or a notebook)")
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    if path.suffix not in (".py", ".ipynb"):
        raise UsageError(f"{path} is neither a .py file nor a notebook (.ipynb)")
    if args.annotate and path.suffix != ".ipynb":
        raise UsageError("--annotate needs a notebook (.ipynb) to annotate")
    _check_output("--json", args.json, path)
    _check_output("--annotate", args.annotate, path)
    if args.json and args.annotate and Path(args.json).resolve() == Path(args.annotate).resolve():
        raise UsageError("--json and --annotate name the same file: give each its own")
    from grader.sandbox import templates
    templates.prestart()   # the worker's Python and numpy load while the grader's own do
    rubric = load_rubric(args.rubric)
    from grader import grading
    from grader.report import results_json, terminal
    from grader.report.progress import ProgressLine
    with ProgressLine(len(rubric.items)) as progress:
        report = grading.grade(path, rubric, progress=progress.step)
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
    submissions, out = Path(args.submissions), Path(args.out)
    if not submissions.exists():
        raise UsageError(f"no such file or folder: {submissions}")
    if submissions.is_file():
        if submissions.suffix.lower() != ".zip":
            raise UsageError(f"{submissions} is neither a folder nor a .zip of submissions "
                             "(to grade one file: python -m grader grade FILE)")
        try:
            with zipfile.ZipFile(submissions) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise UsageError(f"{submissions} is not a readable .zip file ({exc})") from None
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("-j needs a positive number")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file: give a folder for the report")
    if submissions.is_dir() and out.resolve().is_relative_to(submissions.resolve()):
        raise UsageError(f"--out {out} is inside {submissions}: the report would be taken "
                         "for a submission, so put it elsewhere")
    load_rubric(args.rubric)  # checked now, before anything is unpacked or written
    from grader.batch import command
    return command.run(args.submissions, args.out, jobs=args.jobs, regrade=args.regrade,
                       rubric_path=args.rubric)
