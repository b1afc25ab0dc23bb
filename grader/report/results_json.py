"""Write results.json (Gradescope's schema) atomically: a reader never sees half a file."""

import json
import os
import tempfile
from pathlib import Path


def write(report, path):
    write_data(report.to_gradescope(), path)


def write_data(results, path):
    """Write a results dictionary (already in Gradescope's schema)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(results, indent=2, allow_nan=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(data + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
