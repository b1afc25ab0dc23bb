"""Finite-difference gradient checks of a student's gradients against their own loss.

numgrad_i = (J(x + h e_i) - J(x - h e_i)) / 2h with h = 1e-4, and an entry fails when
|numgrad_i - grad_i| / max(1, |numgrad_i|, |grad_i|) > 1e-5: the course's own gradcheck_naive.
The grader chooses each move (the argument, the entry, the step) and sends the call once
with the moves (batched): the worker applies each to its own float copy of that argument
as the call brought it (the same float addition as here) and only answers loss values, and
the differences are computed here, so code that patches the worker cannot report agreement
it does not have.
"""

import numpy as np

from grader.checks.compare import as_array, fmt
from grader.checks.framework import Failure, error_failure

H, TOLERANCE = 1e-4, 1e-5


def scalar(value, label="the loss"):
    arr = as_array(value, 1)
    if arr is None or arr.size != 1:
        raise Failure(f"{label} should be a single number, got "
                      f"{'a value of shape ' + str(arr.shape) if arr is not None else repr(value)}.",
                      kind="type")
    return float(arr.reshape(-1)[0])


def check(ctx, key, request, arg_indices, analytic, labels, loss_index=0):
    """Compare analytic gradients with central differences of the student's loss.

    key: names this input in the answer cache; request: the student's call, whose arguments
    at `arg_indices` are the parameter arrays; analytic: the student's gradient for each;
    labels: their names. Raises Failure at the first entry that disagrees.
    """
    shapes = [np.shape(request["args"][i]) for i in arg_indices]
    where, moves = [], []
    for n, shape in enumerate(shapes):
        for flat, index in enumerate(np.ndindex(shape)):   # C order, as numpy's .flat
            where.append((n, index))
            moves += [{"move": [arg_indices[n], flat, sign * H]} for sign in (1, -1)]
    # One request: the call travels once, then only each move; only losses come back.
    answer = ctx.cached_call(("finite differences", key), {
        "op": "batch", "base": dict(request, pick=loss_index), "calls": moves,
        "weight": len(moves)}, timeout=ctx.rubric.limits.call_seconds * 2 + 0.02 * len(where))
    losses = []
    for result in answer["results"]:
        if not result.get("ok"):
            raise error_failure(ctx.function, result.get("error") or {})
        losses.append(scalar(_pick(result["value"], loss_index)))
    for k, (n, index) in enumerate(where):
        numeric = (losses[2 * k] - losses[2 * k + 1]) / (2 * H)
        grad = analytic_entry(analytic[n], shapes[n], index, labels[n])
        reldiff = abs(numeric - grad) / max(1.0, abs(numeric), abs(grad))
        if not reldiff <= TOLERANCE:
            raise Failure(
                f"Gradient check failed for {labels[n]} at index {index}: your gradient is "
                f"{fmt(grad)}, but your own loss changes at the rate {fmt(numeric)} "
                f"(central differences, h = {H:g}). Your loss and your {labels[n]} disagree.",
                kind="gradient")


def _pick(value, loss_index):
    """The loss among a call's outputs (the worker sends only that one; a wrong arity is
    reported by the loss check)."""
    if isinstance(value, (tuple, list)) and len(value) > loss_index:
        return value[loss_index]
    return value


def analytic_entry(value, shape, index, label):
    arr = as_array(value, int(np.prod(shape)))
    if arr is None or arr.size != int(np.prod(shape)):
        got = f"shape {arr.shape}" if arr is not None else repr(value)
        raise Failure(f"{label} should have shape {shape} (got {got}), so it cannot be checked "
                      "against finite differences.", kind="shape")
    if arr.shape != shape and np.squeeze(arr).shape != np.squeeze(np.zeros(shape)).shape:
        raise Failure(f"{label} should have shape {shape}, got {arr.shape}.", kind="shape")
    return float(arr.reshape(shape)[index])
