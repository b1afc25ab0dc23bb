"""The worker process: loads one submission and answers the grader's calls, one at a time.

Run as a script (`python -E -s -B main.py --requests FD --responses FD`); it talks only over
those two pipe descriptors. Student output goes to this process's stdout/stderr, which the
grader points at a capped capture file. Every verdict is made by the grader, not here: this
process only runs the student's code and reports what happened.
"""

import argparse
import builtins
import copy
import linecache
import os
import sys
import time
import traceback
import types
import warnings

import capture
import codec
import harness

GRADED = ("sigmoid", "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient", "skipgram")


class Worker:
    def __init__(self):
        self.module = None
        self.filename = "<submission>"
        self.student_files = set()

    # -- loading -------------------------------------------------------------------------
    def load(self, request):
        """Execute the submission's code (cells in order) as module `word2vec`."""
        self.filename = request["filename"]
        # The submission's folder first (its own utils/ wins), then the course helpers.
        sys.path[0:0] = [p for p in request.get("sys_path", []) if p not in sys.path]
        module = types.ModuleType(request.get("module_name", "word2vec"))
        module.__file__ = self.filename
        sys.modules[module.__name__] = module
        self.module = module
        cell_errors = []
        self.student_files = {cell.get("filename", self.filename) for cell in request["cells"]}
        for cell in request["cells"]:
            filename = cell.get("filename", self.filename)
            # A notebook cell is no file on disk: without this its tracebacks show no code.
            linecache.cache[filename] = (len(cell["source"]), None,
                                         cell["source"].splitlines(True), filename)
            try:
                code = compile(cell["source"], filename, "exec")
                exec(code, module.__dict__)
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything
                error = self.describe_error(exc)
                error["cell"] = cell.get("label")
                cell_errors.append(error)
                if request.get("stop_on_error", True):
                    break
        present = {name: callable(module.__dict__.get(name)) for name in GRADED}
        return {"ok": True, "present": present, "cell_errors": cell_errors}

    # -- calling -------------------------------------------------------------------------
    def call(self, request):
        fn = self.module.__dict__.get(request["fn"]) if self.module else None
        if not callable(fn):
            return {"ok": False, "error": {"type": "MissingFunction", "message": request["fn"]}}
        dataset = harness.GradingDataset(**request["dataset"]) if request.get("dataset") else None
        loss = None
        if request.get("loss") and request.get("timing"):
            loss = harness.TOY_LOSSES[request["loss"]["name"]]  # timed like the reference's
        elif request.get("loss"):
            spec = request["loss"]
            loss = harness.RecordingLoss(spec["name"], spec["center"], spec["outside"], dataset)
        args = [self.resolve(a, dataset, loss) for a in request.get("args", [])]
        kwargs = {k: self.resolve(v, dataset, loss) for k, v in request.get("kwargs", {}).items()}
        watch = not request.get("timing")  # timing runs skip the copies made to spot mutation
        before = [a.copy() if watch and hasattr(a, "copy") and hasattr(a, "shape") else None
                  for a in args]

        patches = {}
        if request.get("good_sigmoid"):
            patches["sigmoid"] = harness.good_sigmoid
        sampler = None
        if request.get("samples") is not None:
            spec = request.get("dataset") or {}
            sampler = patches["getNegativeSamples"] = harness.ControlledSampler(
                request["samples"], V=spec.get("V"), seed=spec.get("seed", 0))
        saved = {name: self.module.__dict__.get(name) for name in patches}
        self.module.__dict__.update(patches)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                started = time.perf_counter()
                lines = None
                if request.get("count_lines"):
                    value, lines = self.count_lines(fn, args, kwargs)
                else:
                    for _ in range(int(request.get("repeat", 1))):
                        value = fn(*args, **kwargs)
                elapsed = time.perf_counter() - started
        except BaseException as exc:  # noqa: BLE001
            return {"ok": False, "error": self.describe_error(exc)}
        finally:
            for name, original in saved.items():
                if original is None:
                    self.module.__dict__.pop(name, None)
                else:
                    self.module.__dict__[name] = original

        pick = request.get("pick")   # only this output is wanted (a loss, for finite differences)
        if pick is not None and isinstance(value, (tuple, list)) and len(value) > pick:
            value = value[pick]
        import numpy as np
        mutated = [i for i, (a, b) in enumerate(zip(args, before))
                   if b is not None and not _unchanged(np, a, b)]
        warned = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:5]
        return {
            "ok": True,
            "value": value,
            "mutated": mutated,
            "warnings": warned,
            "elapsed": elapsed,
            "lines": lines,
            "sampler_calls": sampler.calls[:20] if sampler else None,
            "dataset_draws": dataset.draws if dataset else None,
            "loss_calls": getattr(loss, "calls", [])[:200] if loss else None,
        }

    def count_lines(self, fn, args, kwargs):
        """Call fn once, counting the lines of the submission's own code that run.

        A Python loop over the vocabulary runs its body once per word, so this count grows
        with V; vectorised code runs the same lines whatever the size. Only frames of the
        submission's files are traced: numpy's own Python code does not count.
        """
        files, count = self.student_files, 0

        def local(frame, event, arg):
            nonlocal count
            if event == "line":
                count += 1
            return local

        def tracer(frame, event, arg):
            return local if frame.f_code.co_filename in files else None

        sys.settrace(tracer)
        try:
            value = fn(*args, **kwargs)
        finally:
            sys.settrace(None)
        return value, count

    def resolve(self, arg, dataset, loss):
        if isinstance(arg, dict) and arg.get("$ref") == "dataset":
            return dataset
        if isinstance(arg, dict) and arg.get("$ref") == "loss":
            return loss
        return arg

    def describe_error(self, exc):
        """Name the error and the student's own lines it passed through (none of ours)."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if not f.filename.startswith(os.path.dirname(os.path.abspath(__file__)))]
        lines = [f'line {f.lineno}, in {f.name}: {(f.line or "").strip()}' for f in frames][-4:]
        if isinstance(exc, SyntaxError):
            lines = [f"line {exc.lineno}: {(exc.text or '').strip()}"]
        message = str(exc) if not isinstance(exc, SystemExit) else f"exit code {exc.code!r}"
        return {"type": type(exc).__name__, "message": message[:500], "where": lines,
                "name": getattr(exc, "name", None) if isinstance(exc, ImportError) else None,
                "lineno": frames[-1].lineno if frames else getattr(exc, "lineno", None)}

    def batch(self, request):
        """Several calls in one round trip (a batch may hold batches).

        With a `base` call, each entry says only what differs from it: `args_at`, a list of
        [position, array] replacing those arguments (the finite differences' moved inputs,
        chosen and sent by the grader; the rest of the call travels once)."""
        base = request.get("base")
        results = []
        for c in request["calls"]:
            if c.get("op") == "batch":
                results.append(self.batch(c))
                continue
            if base is not None:
                args = list(base.get("args", []))
                for position, array in c.get("args_at", []):
                    args[position] = array
                c = dict(base, args=args)
            results.append(self.call(c))
        return {"ok": True, "results": results}

    # -- timing --------------------------------------------------------------------------
    def keep(self, request):
        """Hold on to a call request, so repeated timing runs need not send its arrays again."""
        self.kept = request["request"]
        return {"ok": True}

    def call_kept(self, request):
        """Run the kept call. `fresh`: once, on the kept inputs themselves, and its value comes
        back (the grader checks it); otherwise `repeat` times on copies, and only whether it
        worked comes back."""
        if getattr(self, "kept", None) is None:
            return {"ok": False, "error": {"type": "GraderError", "message": "nothing kept",
                                           "where": []}}
        if request.get("fresh"):
            kept, self.kept = self.kept, None
            answer = self.call(dict(kept, timing=True))
            self.kept_value = answer.pop("value", None)
            return answer
        answer = self.call(dict(copy.deepcopy(self.kept), repeat=request.get("repeat", 1),
                                timing=True))
        answer.pop("value", None)
        return answer


    def kept_value(self, request):
        """The value of the last fresh kept call, sent apart so that its timing leaves out the
        cost of sending it."""
        value, self.kept_value = getattr(self, "kept_value", None), None
        return {"ok": True, "value": value}


def _unchanged(np, after, before):
    try:
        return after.shape == before.shape and bool(np.array_equal(after, before, equal_nan=True))
    except (TypeError, ValueError):
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--output-cap", type=int, default=None)
    opts = parser.parse_args()
    if opts.output_cap is not None:
        capture.cap_output(opts.output_cap)
    worker = Worker()
    handlers = {"load": worker.load, "call": worker.call, "batch": worker.batch,
                "keep": worker.keep, "call_kept": worker.call_kept,
                "kept_value": worker.kept_value,
                "ping": lambda r: {"ok": True}}
    namespace = vars(builtins)
    pristine = dict(namespace)
    while True:
        try:
            request = codec.read_message(opts.requests)
        except EOFError:
            return
        response = handlers[request["op"]](request)
        # Student code may have replaced builtins (isinstance, abs...); the answer is encoded
        # with the real ones, and every request starts with them.
        namespace.clear()
        namespace.update(pristine)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            codec.write_message(opts.responses, response)
        except (ValueError, TypeError, OverflowError) as exc:
            codec.write_message(opts.responses, {"ok": False, "error": {
                "type": "UnsendableResult", "message": str(exc)[:300], "where": []}})


if __name__ == "__main__":
    main()
