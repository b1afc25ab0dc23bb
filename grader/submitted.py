"""What a submission is once read, before any of it runs: its code cells and what to say.

Its own module so that the readers of each format (grader.submission for .py files,
grader.notebook for notebooks) share it without importing each other.
"""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Submission:
    """A file read into cells: `problems` non-empty means nothing of it can be graded."""
    path: Path
    kind: str                                       # "py" or "ipynb"
    cells: list = field(default_factory=list)       # [{"source", "label", "filename"}]
    problems: list = field(default_factory=list)    # reasons it cannot be graded at all
    notes: list = field(default_factory=list)       # things worth telling the student
    side_problems: dict = field(default_factory=dict)  # {function: why its own file (sgd.py)
    #                                                     cannot be graded} (grader.side_files)
