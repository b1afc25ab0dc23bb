"""One finding per mistake: a function's failed checks grouped by what caused them.

A student with one bug (a missing one-hot, say) fails several checks: the reference comparison
of that output, the large-scores check, the gradient check, a property of that output, the
speed check that needs a right answer. The first check that shows the bug explains it (input,
expected vs actual, diagnosis, fix); the others point to it in one line. What counts as the
same cause, in this order:
  1. the same error raised (type and place in the student's code) or a time-out at one place;
  2. the same catalogued mistake;
  3. a failure about an output whose reference comparison already failed (the comparison
     shows the root cause; the gradient check or a property of that output only repeats it);
  4. a speed check that could not judge because the result is wrong.
"""

import re

from grader import layout
from grader.results import FAILED, NOT_COUNTED, PASSED, SAME_CAUSE, CheckResult, Finding

# failures that are not about a value: one finding per kind (a budget spent, a crash)
WORKER_TROUBLE = ("budget", "not_implemented", "missing", "time_limit", "crashed", "exited",
                  "protocol", "internal", "too_large", "reload")
INPUT_HEADING = re.compile(r"(Smallest input that shows it|On this input|Public case \d+ shows it):$")

# The outputs each function returns, as named in the feedback (first named = the one at fault)
OUTPUTS = {
    "naiveSoftmaxLossAndGradient": ("loss", "gradCenterVec", "gradOutsideVecs"),
    "negSamplingLossAndGradient": ("loss", "gradCenterVec", "gradOutsideVecs"),
    "skipgram": ("loss", "gradCenterVecs", "gradOutsideVectors"),
}


def assemble(fn, graded, mode="hidden"):
    """CheckResults and Findings of one function.

    `graded`: (check, outcome, item, earned, all_core_needed, seconds) per check, in the
    rubric's order. Returns (checks, findings); each failed check's `finding` indexes
    `findings`, and only the first check of a finding carries its full text.
    """
    checks, findings = [], []
    by_key = {}           # cause key -> finding index
    by_output = {}        # output name -> finding index of its failed reference comparison
    layout_told = False   # the (V, D) layout is explained once per function, whatever the error
    for check, outcome, item, earned, all_needed, seconds in graded:
        text, state, index = outcome.feedback, PASSED if earned else FAILED, -1
        if outcome.passed and not earned:
            target = "the public cases" if mode == "public" else "the reference"
            which = "all" if all_needed else "at least one"
            text = (f"Passed, but not counted yet: this check earns its points once {fn} "
                    f"matches {target} in {which} of its outputs.")
            state = NOT_COUNTED
        elif not outcome.passed:
            error = error_part(text)
            keys = _cause_keys(fn, outcome, error)
            output = _output_named(fn, error)
            index = next((by_key[k] for k in keys if k in by_key), -1)
            if index < 0 and output in by_output and not item.core:
                index = by_output[output]
            if (index < 0 and check.id == "efficiency" and findings
                    and "does not match the reference" in text):
                index = 0
            if index >= 0:
                finding = findings[index]
                finding.checks.append(check.id)
                state = SAME_CAUSE
                text = f"Same cause as above: {finding.summary}."
            else:
                if outcome.kind in ("exception", "timeout") and not layout_told:
                    hint = (layout.transpose_hint(fn, error) or layout.layout_hint(fn, error)
                            or loss_contract_hint(fn, error))
                    layout_told = bool(hint)
                    text += f"\n{hint}" if hint else ""
                index = len(findings)
                findings.append(Finding(summary=_summary(fn, outcome, error), text=text,
                                        mistake=outcome.mistake, checks=[check.id]))
                for key in keys:
                    by_key.setdefault(key, index)
            # a reference comparison, or a named mistake, explains its output's later failures
            if (item.core or outcome.mistake) and output and output not in by_output:
                by_output[output] = index
        checks.append(CheckResult(
            function=fn, check=check.id, title=check.title, score=item.points if earned else 0,
            max_score=item.points, passed=bool(earned), feedback=text, mistake=outcome.mistake,
            visibility=item.visibility, efficiency=check.efficiency, seconds=round(seconds, 3),
            state=state, finding=index))
    return checks, findings


def loss_contract_hint(fn, error):
    """skipgram refusing the loss it was given (an assert or a check on which one it is)."""
    if fn != "skipgram" or "raised " not in error:
        return ""
    quoted = [line for line in error.splitlines()[1:] if line.startswith("    ")]
    if not any("word2vecLossAndGradient" in q and re.search(r"\bassert\b|==|!=|\bis\b|__name__|raise", q)
               for q in quoted):
        return ""
    return ("skipgram must work with any loss function it is given, not only the two in this "
            "file: it is graded with other losses of the same signature too. Call the "
            "word2vecLossAndGradient you receive without checking which one it is.")


def _cause_keys(fn, outcome, error):
    keys = []
    if outcome.kind in ("exception", "timeout"):
        keys.append(("error",) + error_key(error, fn))
    elif outcome.kind in WORKER_TROUBLE:   # the same sentence for every check it stopped
        keys.append(("trouble", outcome.kind, error_key(error, fn)[0]))
    if outcome.mistake:
        keys.append(("mistake", outcome.mistake))
    return keys


def _summary(fn, outcome, error):
    """One line naming a finding, for the checks that point to it."""
    if outcome.mistake:
        return outcome.mistake
    what, where = error_key(error, fn)
    if outcome.kind in ("exception", "timeout"):
        place = where[-1].split(":")[0].removesuffix(f", in {fn}") if where else ""
        if what.startswith("raised "):   # "ValueError on line 85": short, and the term to search
            return what[len("raised "):][:120] + (f" on {place}" if place else "")
        return f"{what[:180]}" + (f" ({place})" if place else "")
    return error.split("\n")[0].rstrip(".:")[:180]


def _output_named(fn, error):
    """The output the failure is about: the first of the function's outputs its text names."""
    head = "\n".join(error.split("\n")[:2])
    found = [(m.start(), name) for name in OUTPUTS.get(fn, ())
             for m in [re.search(rf"\b{name}\b", head)] if m]
    return min(found)[1] if found else ""


def error_part(feedback):
    """The feedback without its input block: what went wrong, whatever the input."""
    lines = feedback.split("\n")
    if lines and INPUT_HEADING.match(lines[0]):
        lines = lines[1:]
        while lines and lines[0].startswith("    "):
            lines = lines[1:]
    return "\n".join(lines)


def error_key(error, fn):
    """What makes two errors "the same" for the student: what happened (the exception's type,
    or a time-out) and where in their code (sizes in numpy's messages vary with the input; a
    loop stopped at a time limit is caught on any of its lines, so only the outermost counts)."""
    lines = error.split("\n")
    first = next((line[line.find(f"{fn} raised "):] for line in lines
                  if f"{fn} raised " in line), lines[0])   # also after "On a realistic size: "
    first = first[len(fn) + 1:] if first.startswith(f"{fn} ") else first
    where = tuple(line.strip() for line in lines if line.startswith("    "))
    if first.startswith("raised "):
        return first.split(":", 1)[0], where
    return first.split(";")[0].split(". ")[0].rstrip(".")[:160], where[:1]


def shape_notes(notes, checks):
    """The function's notes without "accepted, since only singleton dimensions differ" for an
    output whose comparison failed: a wrong output's shape was not accepted (a transposed
    (D, V) gradient only looks like a singleton difference when D = 1)."""
    failed = {c.check for c in checks if c.state in (FAILED, SAME_CAUSE)}
    failed |= {c.title.split(" ")[0] for c in checks if c.state in (FAILED, SAME_CAUSE)
               and c.title.endswith("matches the reference")}

    def about_failed(note):
        match = re.match(r"\w+: (\w+) has shape ", note)
        return bool(match) and match.group(1) in failed
    return [note for note in notes if not about_failed(note)]
