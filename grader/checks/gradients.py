"""Finite-difference gradient checks of a student's gradients against their own loss.

numgrad_i = (J(x + h e_i) - J(x - h e_i)) / 2h with h = 1e-4, and an entry fails when
|numgrad_i - grad_i| / max(1, |numgrad_i|, |grad_i|) > 1e-5: the course's own gradcheck_naive.
All perturbed calls for one input travel to the worker in a single batch.
"""

import numpy as np

from grader.checks.compare import as_array, fmt
from grader.checks.framework import Failure, error_failure

H, TOLERANCE = 1e-4, 1e-5


def scalar(value, label="the loss"):
    arr = as_array(value)
    if arr is None or arr.size != 1:
        raise Failure(f"{label} should be a single number, got "
                      f"{'a value of shape ' + str(arr.shape) if arr is not None else repr(value)}.",
                      kind="type")
    return float(arr.reshape(-1)[0])


def check(ctx, make_request, params, analytic, labels, loss_index=0):
    """Compare analytic gradients with central differences of the student's loss.

    make_request(arrays) -> request for the student's function at those parameter values;
    params: the parameter arrays; analytic: the student's gradient for each; labels: names.
    """
    calls, where = [], []
    for p, base in enumerate(params):
        for index in np.ndindex(base.shape):
            for sign in (1, -1):
                moved = [a.copy() for a in params]
                moved[p][index] += sign * H
                calls.append(make_request(moved))
            where.append((p, index))
    answer = ctx.call({"op": "batch", "calls": calls},
                      timeout=ctx.rubric.limits.call_seconds * 2 + 0.01 * len(calls))
    losses = []
    for result in answer["results"]:
        if not result.get("ok"):
            raise error_failure(ctx.function, result.get("error") or {})
        value = result["value"]
        losses.append(scalar(value[loss_index] if isinstance(value, (tuple, list)) else value))
    for n, (p, index) in enumerate(where):
        numeric = (losses[2 * n] - losses[2 * n + 1]) / (2 * H)
        grad = analytic_entry(analytic[p], params[p].shape, index, labels[p])
        reldiff = abs(numeric - grad) / max(1.0, abs(numeric), abs(grad))
        if not reldiff <= TOLERANCE:
            raise Failure(
                f"Gradient check failed for {labels[p]} at index {index}: your gradient is "
                f"{fmt(grad)}, but your own loss changes at the rate {fmt(numeric)} "
                f"(central differences, h = {H:g}). Your loss and your {labels[p]} disagree.",
                kind="gradient")


def analytic_entry(value, shape, index, label):
    arr = as_array(value)
    if arr is None or arr.size != int(np.prod(shape)):
        got = f"shape {arr.shape}" if arr is not None else repr(value)
        raise Failure(f"{label} should have shape {shape} (got {got}), so it cannot be checked "
                      "against finite differences.", kind="shape")
    if arr.shape != shape and np.squeeze(arr).shape != np.squeeze(np.zeros(shape)).shape:
        raise Failure(f"{label} should have shape {shape}, got {arr.shape}.", kind="shape")
    return float(arr.reshape(shape)[index])
