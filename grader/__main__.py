"""`python -m grader ...`: see grader/cli.py.

Three things happen here, around the command, because only the entry point can do them:
- numpy's transparent huge pages are turned off (its documented switch, read when numpy is
  imported): the first touch of a fresh 8 MB array (the efficiency check's inputs, the
  reference's outputs on them) then costs a few ms instead of 20-60 ms of the kernel
  compacting memory; the worker runs with the same switch (sandbox.launch.worker_env);
- `grade` starts its worker's template first, so that Python and numpy load there while
  argparse and the grader's own modules load here (grader.sandbox.templates);
- at the end, once the output is flushed and the exit handlers have run (the template is
  ended and reaped, a batch's pool joined), the process leaves without tearing down its
  modules one by one, which took 20-40 ms and does nothing a student can see (except under
  a profiler or a coverage tool, which write their results at the usual exit).
"""

import atexit
import os
import sys

os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
if sys.argv[1:2] == ["grade"]:
    from grader.sandbox import templates
    templates.prestart()

from grader.cli import main  # noqa: E402

code = main()
if sys.getprofile() is not None or sys.gettrace() is not None:
    sys.exit(code)   # under a profiler or a coverage tool: let it write its results at exit
atexit._run_exitfuncs()
for stream in (sys.stdout, sys.stderr):
    try:
        if stream is not None:
            stream.flush()
    except (OSError, ValueError):   # a closed pipe: the output is gone, the exit status is not
        pass
os._exit(code if isinstance(code, int) else 0)
