"""Build the student release (`make release`): dist/student/ and dist/student.zip.

What students get: the exercise (word2vec.py, and word2vec.ipynb when it has been generated),
the course helpers (exercises/utils), and the grader in public mode, with its own Makefile
(`make grade`, same as in the kit) and README. Public mode has no reference: its rubric says
`mode = "public"`, its checks are grader.checks.public, and the reference's outputs appear only
as the fixed public cases computed here (grader/public_cases.json).

Nothing hidden may ship: the reference (solutions/, grader/reference.py), the checks that
compare with it (their known-mistake catalogues compute near-right answers), the authoring
tools (grader/build). `leaks()` scans a built bundle for all of that, including solution lines
inside notebooks, and the build refuses to finish while it finds any.
"""

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

from grader.build import public_cases
from grader.build.stubs import make_stub, solution_blocks, stub_text
from grader.paths import EXERCISES_DIR, KIT_ROOT, REFERENCE_FILE

DIST = KIT_ROOT / "dist"
TEMPLATES = Path(__file__).resolve().parent / "student"
ZIP_ROOT = "word2vec-exercise"       # the folder the student zip unpacks to
# The grader files students get: an allow-list, so a module added later stays on the
# instructor's side until someone decides it may ship (a new check module holding a mistake
# catalogue once shipped through a hand-kept deny-list). The exercise functions' public check
# modules come from the registry (for the functions the rubric grades).
SHIPPED = ("__init__.py", "__main__.py", "autograder.py", "cli.py", "findings.py", "grading.py",
           "layout.py",
           "notebook.py", "paths.py", "registry.py", "results.py", "rubric.py", "safe_text.py",
           "side_files.py", "submission.py", "submitted.py", "untouched.py",
           "checks/__init__.py", "checks/compare.py", "checks/efficiency.py", "checks/failures.py",
           "checks/framework.py", "checks/generated.py", "checks/gradients.py",
           "checks/inputs.py", "checks/lossfns.py", "checks/properties.py", "checks/reference_free.py",
           "report/__init__.py", "report/annotate.py", "report/policy.py", "report/progress.py",
           "report/results_json.py", "report/terminal.py",
           "sandbox/__init__.py", "sandbox/client.py", "sandbox/cputime.py", "sandbox/launch.py",
           "sandbox/lockdown.py", "sandbox/private_copy.py", "sandbox/template.py",
           "sandbox/templates.py",
           "worker/__init__.py", "worker/capture.py", "worker/codec.py", "worker/harness.py",
           "worker/loading.py", "worker/main.py", "worker/protocol.py", "worker/stopped.py")
# The worker's known-good sigmoid (it isolates negative sampling from the student's sigmoid)
# is the stable sigmoid formula, which the exercise's contract gives anyway: accepted there.
ACCEPTED = {("sigmoid", "grader/worker/harness.py")}
# `make train` (issue 16): the training package, its pinned plotting/progress requirements, and
# the exercise files it needs whether or not the rubric grades them (training runs the
# student's sgd). Every file under training/ ships: it imports nothing from solutions/ or
# grader/, and without solutions/ it tells the student which function to write.
TRAINING_PACKAGE = "training"
TRAINING_REQUIREMENTS = "requirements-train.txt"
TRAINING_EXERCISES = ("sgd.py",)
TRAINING_FROM_DEV = ("packaging",)   # matplotlib imports it; the kit has it from requirements-dev
MIN_LINE = 16  # shorter solution lines (`c = 0`, `loss = 0.0`) are not distinctive


class LeakError(Exception):
    pass


def build(out=DIST):
    """Write out/student/ and out/student.zip; return the bundle's folder."""
    bundle = out / "student"
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    _copy_exercises(bundle / "exercises")
    _copy_grader(bundle / "grader")
    (bundle / "grader" / "rubric.toml").write_text(public_rubric((KIT_ROOT / "grader" / "rubric.toml").read_text()))
    public_cases.build(bundle / "grader" / "public_cases.json")
    shutil.copyfile(TEMPLATES / "Makefile", bundle / "Makefile")
    (bundle / "README.md").write_text(student_readme(bundle / "grader" / "rubric.toml"))
    (bundle / "requirements.txt").write_text(runtime_requirements())
    _copy_training(bundle)
    found = leaks(bundle)
    if found:
        raise LeakError("the student release would leak hidden material:\n  " + "\n  ".join(found))
    write_zip(bundle, out / "student.zip", ZIP_ROOT)
    return bundle


def student_readme(public_rubric_path):
    """The students' README with the public and the full totals filled in from the rubrics."""
    from grader import rubric as rubric_mod
    full, public = rubric_mod.load().max_score(), rubric_mod.load(public_rubric_path).max_score()
    return ((TEMPLATES / "README.md").read_text()
            .replace("@PUBLIC_POINTS@", f"{public:g}").replace("@FULL_POINTS@", f"{full:g}"))


def runtime_requirements():
    """The kit's requirements.txt (what grading needs: never the test or build tools) with a
    header for a bundle, which has no requirements-dev.txt to point to."""
    pins = [line for line in (KIT_ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    return ("# What the grader needs, pinned; `make grade` installs it into .venv/ on first use.\n"
            + "\n".join(pins) + "\n")


def _copy_exercises(target):
    """The exercise as the generator makes it, never the kit's exercises/ files: those are
    where a student or instructor may be working, and may be filled in."""
    from grader.build import notebook
    target.mkdir(parents=True)
    (target / "word2vec.py").write_text(stub_text())
    from grader import registry, rubric as rubric_mod
    from grader.paths import SOLUTIONS_DIR
    # Exercises in their own file: those graded, and sgd.py always (`make train` runs it).
    graded = {registry.get(fn).source_file for fn in rubric_mod.load().functions}
    for name in sorted((graded | set(TRAINING_EXERCISES)) - {"word2vec.py"}):
        (target / name).write_text(make_stub((SOLUTIONS_DIR / name).read_text()))
    try:
        (target / "word2vec.ipynb").write_text(notebook.build_text(public=True))
    except ImportError:  # nbformat is a development requirement
        print("note: nbformat is not installed; the release has the .py exercise only")
    (target / "utils").mkdir()
    for helper in sorted((EXERCISES_DIR / "utils").glob("*.py")):
        shutil.copyfile(helper, target / "utils" / helper.name)


def _copy_training(bundle):
    """The training package's modules (sources only, no caches) and its requirements file."""
    source = KIT_ROOT / TRAINING_PACKAGE
    (bundle / TRAINING_PACKAGE).mkdir()
    for module in sorted(source.glob("*.py")):
        shutil.copyfile(module, bundle / TRAINING_PACKAGE / module.name)
    (bundle / TRAINING_REQUIREMENTS).write_text(training_requirements())


def training_requirements():
    """The kit's requirements-train.txt plus the pins matplotlib needs that the kit takes from
    requirements-dev.txt (packaging): a student's venv has requirements.txt only, and training
    installs with --no-deps."""
    text = (KIT_ROOT / TRAINING_REQUIREMENTS).read_text()
    have = {_pinned_name(line) for line in
            (text + (KIT_ROOT / "requirements.txt").read_text()).splitlines()} - {None}
    extra = [line for line in (KIT_ROOT / "requirements-dev.txt").read_text().splitlines()
             if _pinned_name(line) in set(TRAINING_FROM_DEV) - have]
    if not extra:
        return text
    return (text.rstrip("\n") + "\n# The student release has no requirements-dev.txt: what matplotlib "
            "needs from it.\n" + "\n".join(extra) + "\n")


def _pinned_name(line):
    """The normalised package name a requirements line pins, or None for comments/blanks."""
    line = line.split("#", 1)[0].strip()
    return re.split(r"[=<>!~;\s]", line, 1)[0].lower().replace("_", "-") if line else None


def shipped_modules(functions=None) -> tuple:
    """Paths under grader/ that the release ships: SHIPPED and the public check modules of
    `functions` (default: those the kit's rubric grades)."""
    from grader import registry, rubric as rubric_mod
    functions = rubric_mod.load().functions if functions is None else functions
    public = [registry.get(f).public.split(".", 1)[1].replace(".", "/") + ".py"
              for f in functions]
    return tuple(dict.fromkeys(SHIPPED + tuple(public)))


def _copy_grader(target):
    source = KIT_ROOT / "grader"
    for rel in shipped_modules():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)


def public_rubric(text):
    """The kit's rubric in public mode: the same points, limits and case counts, minus the
    checks public mode cannot run (those missing from the public check modules), and minus
    optional exercises switched off (with their switches: the release is then exactly as
    without them)."""
    from grader import registry, rubric as rubric_mod
    from grader.checks import exercises
    graded = rubric_mod.load_text(text).functions
    public = {fn: {c.id for c in checks.CHECKS} for fn, checks in exercises("public", graded).items()}
    out, section = ['mode = "public"  # the student release: public checks only, no reference'], None
    for line in text.splitlines():
        header = re.match(r"\s*\[(\w+)\]", line)
        if header:
            section = header.group(1)
        switched_off = section in registry.OPTIONAL and section not in graded
        no_switch_on = section == "exercises" and not set(registry.OPTIONAL) & set(graded)
        if switched_off or no_switch_on:
            continue
        item = re.match(r"\s*(\w+)\s*=\s*\{", line)
        if item and section in public and item.group(1) not in public[section]:
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def write_zip(folder, path, root):
    """A reproducible zip: sorted entries, fixed timestamps, plain permissions."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = file.relative_to(folder).as_posix()
            info = zipfile.ZipInfo(f"{root}/{rel}" if root else rel, date_time=(1980, 1, 1, 0, 0, 0))
            executable = file.stat().st_mode & 0o100
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())


# -- the leak scan ---------------------------------------------------------------------------
def solution_lines():
    """{function: distinctive lines of its solution body} (stripped, comments dropped), minus
    lines the stubs or the course helpers provide anyway; over every solution file that has
    marked blocks (word2vec.py, and sgd.py, whose stub always ships for `make train`)."""
    references = [REFERENCE_FILE.read_text()] + [
        path.read_text() for path in sorted(REFERENCE_FILE.parent.glob("*.py"))
        if path != REFERENCE_FILE and "BEGIN SOLUTION" in path.read_text()]
    public = [make_stub(text) for text in references]
    public += [p.read_text() for p in (EXERCISES_DIR / "utils").glob("*.py")]
    provided = {_normal(line) for text in public for line in text.splitlines()}
    lines = {}
    for reference in references:
        for function, _, _, body in solution_blocks(reference):
            keep = {_normal(line) for line in body} - provided
            lines.setdefault(function, set()).update(line for line in keep if len(line) >= MIN_LINE)
    return lines


def _normal(line):
    return line.split("#", 1)[0].strip()


def bundle_texts(folder):
    """{relative path: text} for every file; a notebook's strings (sources and outputs) are
    unpacked so a solution line cannot hide in JSON escaping."""
    texts = {}
    for file in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        rel = file.relative_to(folder).as_posix()
        raw = file.read_bytes().decode("utf-8", errors="replace")
        if file.suffix == ".ipynb":
            try:
                raw = "\n".join(_strings(json.loads(raw)))
            except json.JSONDecodeError:
                pass
        texts[rel] = raw
    return texts


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        yield from ("".join(node),) if all(isinstance(v, str) for v in node) else ()
        for value in node:
            yield from _strings(value)


def leaks(folder):
    """Sentences naming every piece of hidden material found in a bundle (empty: clean)."""
    found = []
    texts = bundle_texts(folder)
    allowed = set(shipped_modules(_bundle_functions(folder)))
    for rel in texts:
        parts = rel.split("/")
        if parts[0] == "solutions" or "__pycache__" in parts or rel.endswith((".pyc", ".pyo")):
            found.append(f"{rel}: hidden or compiled file")
        if rel.startswith("grader/") and rel.endswith(".py") and "/".join(parts[1:]) not in allowed:
            found.append(f"{rel}: grader module not on the release's allow-list")
    per_function = solution_lines()
    for rel, text in texts.items():
        if "BEGIN SOLUTION" in text:
            found.append(f"{rel}: contains a solution marker")
        lines = {_normal(line) for line in text.splitlines()}
        for function, solution in per_function.items():
            if (function, rel) in ACCEPTED:
                continue
            hits = sorted(solution & lines)
            if hits:
                found.append(f"{rel}: {len(hits)} line(s) of the {function} solution, e.g. {hits[0]!r}")
    return found


def _bundle_functions(folder):
    """The functions a bundle's own rubric grades (the kit's when it has none)."""
    from grader import rubric as rubric_mod
    path = Path(folder) / "grader" / "rubric.toml"
    return rubric_mod.load(path).functions if path.is_file() else None


def main(argv=None):
    bundle = build()
    print(f"wrote {bundle.relative_to(KIT_ROOT)}/ and dist/student.zip (no reference inside: scanned)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
