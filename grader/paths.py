"""Where the kit's parts live, found from this file so any working directory works."""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = KIT_ROOT / "solutions"
EXERCISES_DIR = KIT_ROOT / "exercises"
REFERENCE_FILE = SOLUTIONS_DIR / "word2vec.py"
