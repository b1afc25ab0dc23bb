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
import signal
import sys
import time
import traceback
import types
import warnings

import capture
import codec
import harness
import loading
import stopped

class TimeUp(BaseException):
    """Raised inside student code at the request's soft deadline (BaseException: a student's
    `except Exception` does not swallow it), so the worker can say where the code was before
    the grader's hard time limit would kill it."""


def _time_up(signum, frame):
    raise TimeUp()


def soft_deadline(seconds):
    """Arm SIGALRM to raise TimeUp after `seconds` (None: no soft deadline); returns a disarm
    function. Only Python code is interrupted; a long numpy call finishes first."""
    if not seconds or not hasattr(signal, "setitimer"):
        return lambda: None
    previous = signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 0.01))

    def disarm():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return disarm


class Worker:
    def __init__(self):
        self.roots = []
        self.time_up = False
        self.module = None
        self.filename = "<submission>"
        self.student_files = set()

    # -- loading -------------------------------------------------------------------------
    def load(self, request):
        """Execute the submission's code (cells in order) as module `word2vec`.

        A notebook (stop_on_error false) runs each cell statement by statement, so one failing
        import does not skip the rest of its cell. Missing course helpers get stand-ins (see
        loading.py); functions found under near-miss names are reported, and graded under the
        exercise's name when the request allows it.
        """
        self.filename = request["filename"]
        # The submission's folder first (its own utils/ wins), then the course helpers.
        sys.path[0:0] = [p for p in request.get("sys_path", []) if p not in sys.path]
        self.roots = [os.path.abspath(p) for p in request.get("sys_path", [])]
        finder = loading.install()
        finder.locate = self._student_line
        module = types.ModuleType(request.get("module_name", "word2vec"))
        module.__file__ = self.filename
        sys.modules[module.__name__] = module
        self.module = module
        cell_errors = []
        stop = request.get("stop_on_error", True)
        self.student_files = {cell.get("filename", self.filename) for cell in request["cells"]}
        self.cell_labels = {cell.get("filename", self.filename): cell.get("label")
                            for cell in request["cells"]}
        self.skipped = {}   # name -> (cell label, statement it was to come from, later
        #                     statements of that cell skipped for lack of it)
        for cell in request["cells"]:
            filename = cell.get("filename", self.filename)
            # A notebook cell is no file on disk: without this its tracebacks show no code.
            linecache.cache[filename] = (len(cell["source"]), None,
                                         cell["source"].splitlines(True), filename)
            try:
                if stop:
                    exec(compile(cell["source"], filename, "exec"), module.__dict__)
                    continue
                parts = loading.statements(cell["source"], filename)
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything
                cell_errors.append(dict(self.describe_error(exc), cell=cell.get("label")))
                if stop:
                    break
                continue
            for lineno, code, names, text in parts:
                try:
                    exec(code, module.__dict__)
                except BaseException as exc:  # noqa: BLE001
                    cause = self.skipped.get(getattr(exc, "name", None))
                    if isinstance(exc, NameError) and cause and cause[0] == cell.get("label"):
                        # follows from a statement of this same cell: one note says both
                        cause[2].append(text)
                    else:
                        error = self.describe_error(exc, cell_file=filename)
                        cell_errors.append(dict(error, cell=cell.get("label"), statement=text,
                                                statement_line=lineno, then_skipped=[]))
                        cause = (cell.get("label"), text, cell_errors[-1]["then_skipped"])
                    for name in names:
                        if name not in module.__dict__:
                            self.skipped[name] = cause
        namespace = module.__dict__
        aliases = {}
        # the worker cannot read the grader's registry: the request names the graded functions
        graded = tuple(request.get("functions") or ())
        for name in dict.fromkeys(graded + loading.ALIASED):
            if callable(namespace.get(name)) and not loading.is_standin(namespace[name]):
                continue
            found = loading.near_miss(namespace, name, self._mine)
            if found:
                aliases[name] = found
                if request.get("aliases", True):
                    namespace[name] = namespace[found]
        self.aliases = aliases if request.get("aliases", True) else {}
        present = {name: callable(namespace.get(name)) and not loading.is_standin(namespace[name])
                   for name in graded}
        return {"ok": True, "present": present, "cell_errors": cell_errors,
                "aliases": {k: v for k, v in aliases.items() if k in graded},
                "standins": list(finder.made)}

    def _student_line(self):
        """`cell 3, line 1` (or `line 1`) of the innermost student frame running now."""
        frame = sys._getframe()
        while frame is not None and frame.f_code.co_filename not in self.student_files:
            frame = frame.f_back
        if frame is None:
            return ""
        label = self.cell_labels.get(frame.f_code.co_filename)
        return (f"cell {label}, " if label else "") + f"line {frame.f_lineno}"

    def _mine(self, value):
        """True for a function written in the submission's own code (cells or file)."""
        code = getattr(value, "__code__", None)
        return code is not None and code.co_filename in self.student_files

    # -- calling -------------------------------------------------------------------------
    def call(self, request):
        """Call one graded function as the request says (protocol.CallRequest) with the
        stand-ins it names; the answer is its value and what was seen during the call."""
        fn = self.module.__dict__.get(request["fn"]) if self.module else None
        if not callable(fn):
            return {"ok": False, "error": {"type": "MissingFunction", "message": request["fn"]}}
        dataset, loss = self._given(request)
        objective, post = self._objective(request)
        given = {"dataset": dataset, "loss": loss, "f": objective, "postprocessing": post}
        try:
            args = [self.resolve(a, given) for a in request.get("args", [])]
            kwargs = {k: self.resolve(v, given) for k, v in request.get("kwargs", {}).items()}
        except (ValueError, TypeError, KeyError) as exc:
            return _bad_request(exc)
        # Copies to spot changes in place only where a check reads them: not for timing runs,
        # nor for finite-difference calls (`pick`: only the loss comes back).
        watch = not request.get("timing") and request.get("pick") is None
        before = [a.copy() if watch and hasattr(a, "copy") and hasattr(a, "shape") else None
                  for a in args]
        patches, sampler = self._patches(request)
        saved = {name: self.module.__dict__.get(name) for name in patches}
        self.module.__dict__.update(patches)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value, lines = self._run(fn, args, kwargs, request)
        except TimeUp as exc:
            self.time_up = True
            return {"ok": False, "error": dict(self.describe_error(exc, at_time_limit=True),
                                               type="TimeLimit",
                                               message="stopped at the time limit")}
        except BaseException as exc:  # noqa: BLE001
            return {"ok": False, "error": self.describe_error(exc)}
        finally:
            self._restore(saved)

        pick = request.get("pick")   # only this output is wanted (a loss, for finite differences)
        if pick is not None and isinstance(value, (tuple, list)) and len(value) > pick:
            value = value[pick]
        import numpy as np
        mutated = [i for i, (a, b) in enumerate(zip(args, before))
                   if b is not None and not _unchanged(np, a, b)]
        warned = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:5]
        return _said({
            "ok": True,
            "value": value,
            "mutated": mutated,
            "warnings": warned,
            "lines": lines,
            "sampler_calls": sampler.calls[:20] if sampler else None,
            "dataset_draws": dataset.draws if dataset else None,
            "loss_calls": getattr(loss, "calls", [])[:200] if loss else None,
            "objective": ({"calls": objective.calls, "kept": objective.kept,
                           "post_calls": post.calls if post else None} if objective else None),
        })

    def _objective(self, request):
        """(f, postprocessing) given to sgd (harness.Objective, harness.Postprocessing), or
        None for each not asked for."""
        spec = request.get("objective")
        if not spec:
            return None, None
        post = harness.Postprocessing(spec["bound"]) if spec.get("bound") else None
        return harness.Objective(spec["a"], spec["c"], spec.get("keep", ())), post

    def _given(self, request):
        """(dataset, loss): the stand-ins passed as arguments ({"$ref": ...}), or None."""
        dataset = harness.GradingDataset(**request["dataset"]) if request.get("dataset") else None
        loss = None
        if request.get("loss") and request.get("timing"):
            loss = harness.TOY_LOSSES[request["loss"]["name"]]  # timed like the reference's
        elif request.get("loss"):
            spec = request["loss"]
            loss = harness.RecordingLoss(spec["name"], spec["center"], spec["outside"], dataset)
        return dataset, loss

    def _patches(self, request):
        """({name: stand-in} to put in the student's module for the call, the sampler or None)."""
        patches = {}
        if request.get("good_sigmoid"):
            patches["sigmoid"] = harness.good_sigmoid
        sampler = None
        if request.get("samples") is not None:
            spec = request.get("dataset") or {}
            sampler = patches["getNegativeSamples"] = harness.ControlledSampler(
                request["samples"], V=spec.get("V"), seed=spec.get("seed", 0))
        for name, found in getattr(self, "aliases", {}).items():
            if name in patches:   # the student's code calls it by its own name
                patches[found] = patches[name]
        return patches, sampler

    def _run(self, fn, args, kwargs, request):
        """(value, lines run or None): the call itself, repeated or traced if asked. (Its time
        is measured by the grader, from outside: see grader.checks.efficiency.)"""
        lines = None
        if request.get("count_lines"):
            value, lines = self.count_lines(fn, args, kwargs)
        else:
            for _ in range(int(request.get("repeat", 1))):
                value = fn(*args, **kwargs)
        return value, lines

    def _restore(self, saved):
        for name, original in saved.items():
            if original is None:
                self.module.__dict__.pop(name, None)
            else:
                self.module.__dict__[name] = original

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

    def resolve(self, arg, given):
        """An argument as passed: {"$ref": name} stands for the stand-in `given[name]`,
        {"$normal": recipe} for the array harness.seeded_normal(recipe) draws."""
        if isinstance(arg, dict) and arg.get("$ref") in given:
            return given[arg["$ref"]]
        if isinstance(arg, dict) and isinstance(arg.get("$normal"), dict):
            return harness.seeded_normal(arg["$normal"])
        return arg

    def describe_error(self, exc, cell_file=None, at_time_limit=False):
        """Name the error and the student's own lines it passed through (none of ours).

        In a notebook each line is named with its cell, since a function defined in one cell
        often fails when called from another; `lineno` is the line in `cell_file` (the cell
        that was running) when given. A NameError for a name that a failed statement was to
        bind says which statement that was. A call stopped `at_time_limit` names the loop its
        innermost line is in (_at_loop), the same on every run.
        """
        tb = exc.__traceback__
        entries = [(frame.f_code, summary) for (frame, _), summary
                   in zip(traceback.walk_tb(tb), traceback.extract_tb(tb))
                   if self._students(summary)]
        if at_time_limit:   # the loop it was in, not the line it happened to be at
            entries = _at_loop(entries)
        frames = [summary for _, summary in entries]
        lines = [self._where(f) for f in frames][-4:]
        if isinstance(exc, SyntaxError):
            lines = [f"line {exc.lineno}: {(exc.text or '').strip()[:300]}"]
        message = str(exc) if not isinstance(exc, SystemExit) else f"exit code {exc.code!r}"
        name = getattr(exc, "name", None) if isinstance(exc, NameError) else None
        if name in getattr(self, "skipped", {}):
            label, statement, _ = self.skipped[name]
            message += (f" (it was to come from cell {label}, `{statement}`, which failed "
                        "when the notebook ran)" if label is not None else
                        f" (it was to come from `{statement}`, which was skipped when your "
                        "file was loaded)")
        own = [f for f in frames if f.filename == cell_file] if cell_file else frames
        return {"type": type(exc).__name__, "message": message[:500], "where": lines,
                "name": getattr(exc, "name", None) if isinstance(exc, ImportError) else None,
                "lineno": own[-1].lineno if own else getattr(exc, "lineno", None)}

    def _students(self, frame):
        """True for a frame of the submission's own code: its cells or files in its folder (or
        the course helpers it calls), never numpy's, the standard library's or the worker's."""
        if frame.filename in self.student_files:
            return True
        if frame.filename.startswith(os.path.dirname(os.path.abspath(__file__))):
            return False
        return any(frame.filename.startswith(root + os.sep) for root in self.roots
                   if "site-packages" not in frame.filename)

    def _where(self, frame):
        """`line 12, in f: code` (`cell 3, line 12, ...` in a notebook); a statement spread
        over several lines is quoted whole (up to 6 lines), keywords included."""
        # Quoted lines are cut here already: one 3 MB line would travel with every answer.
        code = (frame.line or "").strip()[:400]
        end = getattr(frame, "end_lineno", None) or frame.lineno
        if frame.lineno and end > frame.lineno:
            more = [linecache.getline(frame.filename, n).strip()
                    for n in range(frame.lineno, min(end, frame.lineno + 5) + 1)]
            code = " ".join(part for part in more if part) or code
            code = code[:400] + (" ..." if end > frame.lineno + 5 or len(code) > 400 else "")
        label = getattr(self, "cell_labels", {}).get(frame.filename)
        cell = f"cell {label}, " if label else ""
        if frame.filename not in self.student_files:   # a helper module of theirs or the course's
            cell = f"{os.path.basename(frame.filename)}, "
        func = f", in {frame.name}"
        return f"{cell}line {frame.lineno}{func}: {code}"

    def batch(self, request):
        """Several calls in one round trip (a batch may hold batches).

        With a `base` call, each entry says only what differs from it: `move`, [position,
        flat index, step], the finite differences' move chosen by the grader, applied to a
        float copy of that argument as the base call brought it; every other argument is the
        call's own copy too (_own), as if each call came alone. The call travels once. Each
        call has its own soft deadline (`call_soft_seconds`) inside the batch's
        (`soft_seconds`); calls past the batch's are not run, and the grader asks for them
        one by one."""
        base = request.get("base")
        pristine = {}   # position -> the base's argument as floats (converted once)
        results, per_call = [], request.get("call_soft_seconds")
        ends = time.monotonic() + float(request.get("soft_seconds") or 1e9)
        for c in request["calls"]:
            left = ends - time.monotonic()
            if left <= 0:
                break
            if c.get("op") == "batch":
                results.append(self.batch(dict(c, soft_seconds=left, call_soft_seconds=per_call)))
                continue
            if per_call and hasattr(signal, "setitimer"):   # each call its own deadline
                signal.setitimer(signal.ITIMER_REAL, max(min(float(per_call), left), 0.01))
            self.time_up = False
            if base is not None:   # each call its own inputs, as if each came alone
                args = [_own(arg) for arg in base.get("args", [])]
                if c.get("move") is not None:
                    try:
                        args[c["move"][0]] = _moved(base["args"], pristine, *c["move"])
                    except (ValueError, TypeError, IndexError, KeyError) as exc:
                        results.append(_bad_request(exc))
                        continue
                c = dict(base, args=args)
            results.append(self.call(c))
        return {"ok": True, "results": results}

    # -- timing --------------------------------------------------------------------------
    def keep(self, request):
        """Hold on to a call request, so repeated timing runs need not send its arrays again.
        Seeded arrays are drawn now: drawing them is no part of the timed call. The draw in
        the background (harness.predraw_soon) has ended first, whatever is kept: no thread
        of the worker's own runs beside a timed call."""
        harness.predrawn()
        kept = request["request"]
        try:
            self.kept = dict(kept, args=[self.resolve(a, {}) for a in kept.get("args", [])])
        except (ValueError, TypeError, KeyError) as exc:
            self.kept = None
            return _bad_request(exc)
        harness.warm_allocator(max((getattr(a, "nbytes", 0) for a in self.kept["args"]),
                                   default=0))
        return {"ok": True}

    def call_kept(self, request):
        """Run the kept call. `fresh`: once, on the kept inputs themselves with `args_at`
        ([[position, value]]: the arguments that arrive only now, so that nothing can work
        out the answer before the timed call), and its value comes back (the grader checks
        it); otherwise `repeat` times on copies, and only whether it worked comes back."""
        if getattr(self, "kept", None) is None:
            return {"ok": False, "error": {"type": "GraderError", "message": "nothing kept",
                                           "where": []}}
        if request.get("fresh"):
            kept, self.kept = self.kept, None
            args = list(kept.get("args", []))
            try:
                for position, value in request.get("args_at") or []:
                    args[int(position)] = value
            except (ValueError, TypeError, IndexError) as exc:
                return _bad_request(exc)
            answer = self.call(dict(kept, args=args, timing=True))
            self.value_kept = answer.pop("value", None)
            return answer
        answer = self.call(dict(copy.deepcopy(self.kept), repeat=request.get("repeat", 1),
                                timing=True))
        answer.pop("value", None)
        return answer


    def kept_value(self, request):
        """The value of the last fresh kept call, sent apart so that its timing leaves out the
        cost of sending it. `rows`: [output, indices]: of that output only those rows."""
        value, self.value_kept = getattr(self, "value_kept", None), None
        if request.get("rows") and isinstance(value, (tuple, list)):
            output, indices = request["rows"]
            try:
                import numpy as np
                value = tuple(np.asarray(v)[list(indices)] if i == output else v
                              for i, v in enumerate(value))
            except Exception:  # noqa: BLE001 - the student's value: sent as it is, judged there
                pass
        return {"ok": True, "value": value}


QUIET_WHEN_EMPTY = {"mutated", "warnings"}   # [] there says nothing ([] loss_calls does)


def _said(answer):
    """A call's answer without the keys that have nothing to say (None; or [] where that is
    what no key means): a third fewer values to encode and decode per call."""
    return {k: v for k, v in answer.items()
            if k == "value" or not (v is None or (k in QUIET_WHEN_EMPTY and not v))}


def _bad_request(exc):
    """The answer to a request this worker cannot carry out (a grader bug, never the student's)."""
    return {"ok": False, "error": {"type": "GraderError", "where": [],
                                   "message": f"bad request: {type(exc).__name__}: {exc}"[:300]}}


def _own(arg):
    """A call's own copy of a base argument (an array, a list, a dict: what code may change
    in place; one level deep), so that a call that changes its inputs leaves the next
    call's as they came (a correct loss that then adds to its centerWordVec failed the
    gradient check as well as the unchanged-inputs one)."""
    if hasattr(arg, "copy") and hasattr(arg, "shape"):
        return arg.copy()
    if isinstance(arg, (list, dict)):
        return copy.copy(arg)
    return arg


def _moved(args, pristine, position, flat, step):
    """A new float array: argument `position` of `args` (as floats, kept in `pristine`)
    with its entry `flat` (C order) moved by `step`."""
    import numpy as np
    if position not in pristine:
        pristine[position] = np.array(args[int(position)], dtype=float)
    moved = pristine[position].copy()
    moved.flat[int(flat)] += float(step)
    return moved


def _at_loop(entries):
    """The student's frames of a stopped call, [(code, traceback.FrameSummary)], said the same
    way on every run: from the innermost outward, the first frame whose line is in a loop
    of its function is moved to that loop's header (stopped.loop_header) and the frames it
    called are left out (a helper called in the loop, a comprehension, a lambda: whether
    the stop landed in them or in the loop's own lines varied from run to run). With no
    frame in a loop, the frames stay as they are."""
    for at in range(len(entries) - 1, -1, -1):
        code, frame = entries[at]
        if code.co_name in stopped.INLINE:
            continue
        header = stopped.loop_header(frame.filename, frame.lineno,
                                     None if code.co_name == "<module>" else code.co_firstlineno)
        if header is None:
            continue
        if header[0] != frame.lineno:
            frame = traceback.FrameSummary(frame.filename, header[0], frame.name)
            if hasattr(frame, "end_lineno"):   # 3.11+: a header over lines is quoted whole
                frame.end_lineno = header[1]
        return entries[:at] + [(code, frame)]
    return entries


def _unchanged(np, after, before):
    try:
        if after.shape != before.shape:
            return False
        if after.dtype == before.dtype and after.tobytes() == before.tobytes():
            return True   # the usual case, at memcmp speed (NaN payloads and -0.0 go below)
        return bool(np.array_equal(after, before, equal_nan=True))
    except (TypeError, ValueError):
        return False


# The worker's own work (reading a request, copying inputs) ran out of the memory the
# submission left; the grader reports a memory limit (client._out_of_memory)
OUT_OF_MEMORY = {"ok": False, "error": {"type": "MemoryError", "where": [],
                                        "message": "out of memory"}}


def main(argv=None):
    """Serve one submission's requests until the grader closes the pipe. `argv` (default:
    the command line) names the pipes; a worker forked from the template
    (grader/sandbox/template.py) gets here with numpy and these modules already imported."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--output-cap", type=int, default=None)
    opts = parser.parse_args(argv)
    if opts.output_cap is not None:
        capture.cap_output(opts.output_cap)
    worker = Worker()
    harness.predraw_soon()
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
        except MemoryError:
            # a large request, and the submission took the memory: said, then ended (part of
            # the request may be unread)
            codec.write_message(opts.responses, OUT_OF_MEMORY)
            return
        worker.time_up = False
        disarm = soft_deadline(request.get("soft_seconds"))
        try:
            response = handlers[request["op"]](request)
        except TimeUp:   # outside student code (copying inputs, say): no student frames
            response = {"ok": False, "error": {"type": "TimeLimit", "where": [],
                                               "message": "stopped at the time limit"}}
        except MemoryError:   # the same, out of memory the submission took: said, no traceback
            response = OUT_OF_MEMORY
        finally:
            disarm()
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
        except MemoryError:   # results too large to copy into a message: said, not a traceback
            response = None
            codec.write_message(opts.responses, {"ok": False, "error": {
                "type": "UnsendableResult", "where": [], "message": "the results were too "
                "large to send back within the memory your code may use"}})


if __name__ == "__main__":
    main()
