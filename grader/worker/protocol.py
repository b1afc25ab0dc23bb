"""The messages between the grader and the worker, declared in one place.

Every request is a JSON header (plus raw arrays, see codec.py) with an `op`; every answer
has `ok`. The worker (main.py) handles the ops in OPS; the grader builds requests in
grader.sandbox.client (load), grader.checks.* (call, batch) and grader.checks.efficiency (keep,
call_kept, kept_value). Limits on what crosses are enforced by codec.py where the bytes are
read: MAX_MESSAGE_BYTES (a request), MAX_ANSWER_BYTES, MAX_HEADER_BYTES, MAX_DEPTH and
MAX_NODES (an answer: it comes from code that may be hostile).

Standard library only: the worker imports this module too (as `protocol`). tests/
test_registry.py checks that every key the grader and the worker use is declared here.
"""

from typing import Any, TypedDict

OPS = ("load", "call", "batch", "keep", "call_kept", "kept_value", "ping")


class LoadRequest(TypedDict, total=False):
    op: str                  # "load"
    filename: str            # the submission as the student named it (their tracebacks)
    cells: list              # [{"source", "label", "filename", "first_line"}]
    sys_path: list           # folders searched for imports, first wins
    stop_on_error: bool      # a .py file stops at its first error; a notebook runs on
    module_name: str         # "word2vec"
    aliases: bool            # graded functions found under other editions' names
    functions: list          # the graded functions' names (the rubric's)
    soft_seconds: float      # the worker's own deadline (it says where the code was)


class CallRequest(TypedDict, total=False):
    op: str                  # "call"
    fn: str                  # one of LoadRequest.functions
    args: list               # arrays and plain values; {"$ref": "dataset" | "loss" | "f" | "postprocessing"};
                             # {"$normal": {"seed", "skip", "shape"}}: harness.seeded_normal's array
    kwargs: dict
    dataset: dict            # {"V", "seed"}: a GradingDataset stand-in
    loss: dict               # {"name", "center", "outside"}: a RecordingLoss (toy loss)
    samples: list            # the grader's negative samples (ControlledSampler)
    objective: dict          # {"a", "c", "keep", "bound"}: sgd's f and postprocessing
    good_sigmoid: bool       # the known-good sigmoid while another function is graded
    pick: int                # send back only this output (a loss, for finite differences)
    timing: bool             # a timed call: no copies to spot mutation, toy loss unrecorded
    repeat: int              # run it this many times (timing)
    count_lines: bool        # count the submission's lines run (efficiency's explanation)
    soft_seconds: float
    weight: int              # grader side only: how many calls it stands for (batching)


class BatchRequest(TypedDict, total=False):
    op: str                  # "batch"
    calls: list              # CallRequests, or batches, or with `base`: {"move": [i, flat, step]}
    base: dict               # the CallRequest the entries differ from
    soft_seconds: float      # the whole batch's deadline
    call_soft_seconds: float # each call's deadline
    weight: int


class KeepRequest(TypedDict, total=False):
    op: str                  # "keep": hold `request` for timed calls; "call_kept": run it
    request: dict
    rows: list               # kept_value: [output, row indices]: only those rows of it
    fresh: bool              # call_kept: once on the kept inputs, value kept for kept_value
                             # (with "args_at": [[i, value]], the arguments sent only now)
    repeat: int
    soft_seconds: float


class Error(TypedDict, total=False):
    type: str                # the exception's class name, or TimeLimit / MissingFunction
    message: str             # at most 500 characters
    where: list              # the student's own frames, "line 3, in f: code"
    name: str                # ImportError.name
    lineno: int
    cell: str                # load: the notebook cell
    statement: str
    statement_line: int
    then_skipped: list


class Answer(TypedDict, total=False):
    """A call's answer leaves out keys whose value is None, and mutated and warnings when
    empty: read them with .get()."""
    ok: bool
    error: Error
    # call
    value: Any
    mutated: list            # positions of arguments changed in place
    warnings: list
    lines: int
    sampler_calls: list      # [{"outsideWordIdx", "K", "dataset_ok"}]
    dataset_draws: int
    loss_calls: list         # [{"outsideWordIdx", "center_ok", "outside_ok", "dataset_ok"}]
    objective: dict          # sgd's f: {"calls", "kept": {call number: x}, "post_calls"}
    # batch
    results: list
    # load
    present: dict            # {function: defined and callable}
    cell_errors: list        # Errors with their cell
    aliases: dict            # {function: the name it was found under}
    standins: list           # [{"module", "where"}]


class SamplerCall(TypedDict):
    """One call of the stand-in getNegativeSamples, as the worker recorded it."""
    outsideWordIdx: int
    K: int
    dataset_ok: bool


class LossCall(TypedDict):
    """One call of the toy loss given to skipgram or cbow, as the worker recorded it."""
    outsideWordIdx: int
    center_ok: bool
    outside_ok: bool
    dataset_ok: bool


def keys(*types) -> frozenset:
    """The keys the given message types declare."""
    return frozenset(k for t in types for k in t.__annotations__)


REQUEST_KEYS = keys(LoadRequest, CallRequest, BatchRequest, KeepRequest) | {"args_at", "move"}
class ObjectiveCalls(TypedDict):
    """What sgd's f and postprocessing saw, as the worker recorded it."""
    calls: int
    kept: dict
    post_calls: int


ANSWER_KEYS = keys(Answer, SamplerCall, LossCall, ObjectiveCalls)
ERROR_KEYS = keys(Error)
