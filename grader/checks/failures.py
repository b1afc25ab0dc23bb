"""Every kind of failure a check can meet, with what grading does about it, in one table.

A Failure (grader.checks.framework) or a WorkerFailure (grader.sandbox.client) carries one of
these kinds as its plain string value; the sets the grader acts on are derived from POLICY
below, never written out by hand. Review a new kind here, in one row.

    stop      the search stops at once (Hypothesis does not shrink through it: each try would
              cost a time limit or a dead worker) and no mistake is diagnosed
    gone      the worker did not answer (the call is not cached: it is asked again)
    skip      the function's later checks are not run (they would fail the same way)
    input     the feedback shows the input that fails (False: the failure is the same on any)
    early     the very first failure settles the check (nothing to search for)
    folded    an error message: shown once per function, later checks point back to it
"""

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    WRONG = "wrong"                   # an output differs from what it should be
    VALUE = "value"                   # the timed call's value is wrong (efficiency)
    TYPE = "type"                     # not a number / not a tuple / None returned
    SHAPE = "shape"                   # wrong shape
    NONFINITE = "nonfinite"           # inf or nan where a finite number is expected
    MUTATION = "mutation"             # an input changed in place
    GRADIENT = "gradient"             # gradient disagrees with finite differences
    EXCEPTION = "exception"           # the student's code raised
    MEMORY_LIMIT = "memory_limit"     # MemoryError in the worker (which lives on)
    TIMEOUT = "timeout"               # the worker stopped the call at its soft deadline
    TIME_LIMIT = "time_limit"         # no answer by the hard deadline: worker killed
    CRASHED = "crashed"               # the worker died (signal)
    EXITED = "exited"                 # the student's code ended the process
    RELOAD = "reload"                 # after a restart, the file did not load as it first did
    PROTOCOL = "protocol"             # an answer the grader will not read
    BUDGET = "budget"                 # the function's time budget is spent
    TOO_LARGE = "too_large"           # its answers outgrew what the grader holds for one function
    NOT_IMPLEMENTED = "not_implemented"
    MISSING = "missing"               # no such function in the file
    INTERNAL = "internal"             # the grader's own error on a check


@dataclass(frozen=True)
class Policy:
    stop: bool = False
    gone: bool = False
    skip: bool = False
    input: bool = True
    early: bool = False
    folded: bool = False


_ANSWERED = Policy()
POLICY = {
    Kind.WRONG: _ANSWERED, Kind.VALUE: _ANSWERED,
    Kind.TYPE: _ANSWERED, Kind.SHAPE: _ANSWERED, Kind.NONFINITE: _ANSWERED,
    Kind.MUTATION: _ANSWERED,
    Kind.GRADIENT: _ANSWERED, Kind.MEMORY_LIMIT: _ANSWERED,
    Kind.EXCEPTION: Policy(folded=True),
    Kind.TIMEOUT: Policy(stop=True, folded=True),
    Kind.TIME_LIMIT: Policy(stop=True, gone=True),
    Kind.CRASHED: Policy(stop=True, gone=True),
    Kind.EXITED: Policy(stop=True, gone=True),
    Kind.RELOAD: Policy(stop=True, gone=True, skip=True, input=False),
    Kind.PROTOCOL: Policy(stop=True, gone=True),
    Kind.BUDGET: Policy(stop=True, gone=True, skip=True, input=False),
    Kind.TOO_LARGE: Policy(stop=True, skip=True, input=False),
    Kind.NOT_IMPLEMENTED: Policy(stop=True, skip=True, input=False, early=True),
    Kind.MISSING: Policy(stop=True, skip=True, input=False, early=True),
    Kind.INTERNAL: Policy(input=False),
}


def kinds(**wanted) -> frozenset:
    """The kinds' string values whose policy has every given flag, e.g. kinds(stop=True)."""
    return frozenset(k.value for k, p in POLICY.items()
                     if all(getattr(p, flag) == value for flag, value in wanted.items()))


STOP = kinds(stop=True)           # was framework.FATAL
GONE = kinds(gone=True)           # was framework.WORKER_GONE
SKIP = kinds(skip=True)           # was grading.SKIPPING
NO_INPUT = kinds(input=False) - {Kind.INTERNAL.value}   # feedback without an input
EARLY = kinds(early=True)
FOLDED = kinds(folded=True)
