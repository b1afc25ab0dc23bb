"""Build the Gradescope autograder (`make gradescope`): dist/autograder.zip.

Gradescope's format (gradescope-autograders.readthedocs.io, "Autograder Specifications"):
setup.sh and run_autograder at the root of the zip; the whole zip is unpacked into
/autograder/source; run_autograder must write /autograder/results/results.json. Here the zip
holds the full grader (hidden mode) with the reference, the course helpers and the pinned
runtime requirements (never the kit's test or build tools); setup.sh makes everything but the
worker's code, the helpers and the virtual environment root-only, so student code run as an
unprivileged user cannot read the reference.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from grader.build.release import DIST, runtime_requirements, write_zip
from grader.paths import EXERCISES_DIR, KIT_ROOT, REFERENCE_FILE

SCRIPTS = Path(__file__).resolve().parent / "gradescope"


def build(out=DIST):
    """Write out/autograder.zip and return its path."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        for name in ("setup.sh", "run_autograder"):
            shutil.copy2(SCRIPTS / name, stage / name)  # keeps the executable bit
        (stage / "requirements.txt").write_text(runtime_requirements())  # setup.sh installs it
        (stage / "solutions").mkdir()
        shutil.copyfile(REFERENCE_FILE, stage / "solutions" / REFERENCE_FILE.name)
        (stage / "exercises" / "utils").mkdir(parents=True)
        for helper in sorted((EXERCISES_DIR / "utils").glob("*.py")):
            shutil.copyfile(helper, stage / "exercises" / "utils" / helper.name)
        source = KIT_ROOT / "grader"
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            rel = path.relative_to(source)
            if rel.parts[0] == "build" or "__pycache__" in rel.parts or path.suffix == ".pyc":
                continue
            (stage / "grader" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, stage / "grader" / rel)
        target = out / "autograder.zip"
        write_zip(stage, target, root="")
    return target


def main(argv=None):
    target = build()
    print(f"wrote {target.relative_to(KIT_ROOT)}: upload it as the assignment's autograder on Gradescope")
    return 0


if __name__ == "__main__":
    sys.exit(main())
