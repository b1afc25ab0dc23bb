"""The worker's own operations for speed: timing runs of a kept call. Run here on the reference (trusted code), in-process."""

import importlib.util
import sys

import numpy as np
import pytest

from conftest import ROOT
from grader.checks.inputs import LossProblem


@pytest.fixture(scope="module")
def worker():
    sys.path.insert(0, str(ROOT / "grader" / "worker"))
    spec = importlib.util.spec_from_file_location("worker_main", ROOT / "grader" / "worker" / "main.py")
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    w = main.Worker()
    answer = w.load({"filename": str(ROOT / "solutions" / "word2vec.py"),
                     "cells": [{"source": (ROOT / "solutions" / "word2vec.py").read_text()}],
                     "sys_path": [str(ROOT / "exercises")]})
    assert not answer["cell_errors"]
    return w


def test_timing_runs_use_fresh_inputs_and_send_no_value(worker):
    def doubles_in_place(x):
        x *= 2
        return x

    worker.module.__dict__["doubles_in_place"] = doubles_in_place
    worker.keep({"request": {"op": "call", "fn": "doubles_in_place", "args": [np.ones(3)]}})
    for _ in range(2):
        answer = worker.call_kept({"repeat": 3})
        assert answer["ok"] and "value" not in answer
    np.testing.assert_array_equal(worker.kept["args"][0], np.ones(3))


def test_seeded_arrays_are_the_problems_own_drawn_before_the_timed_call(worker):
    """The efficiency checks' outsideVectors cross as a recipe: the worker draws exactly what
    LossProblem(V, D, seed).arrays holds (the generated inputs are unchanged), at `keep`, so
    drawing them is not timed; each call gets its own copy."""
    from grader.checks import loss_reference
    V, D, seed = 300, 7, 5
    recipe = loss_reference._outside_recipe(V, D, seed)
    expected = LossProblem(V=V, D=D, o=0, seed=seed).arrays[1]
    np.testing.assert_array_equal(loss_reference._outside_vectors(V, D, seed), expected)

    def overwrites(U):
        U[:] = 0
        return U.sum()

    worker.module.__dict__["overwrites"] = overwrites
    worker.keep({"request": {"op": "call", "fn": "overwrites", "args": [{"$normal": recipe}]}})
    np.testing.assert_array_equal(worker.kept["args"][0], expected)   # drawn at keep
    assert worker.call_kept({"fresh": True})["ok"]
    again = worker.call({"op": "call", "fn": "overwrites", "args": [{"$normal": recipe}]})
    assert again["ok"] and again["value"] == 0.0 and again["mutated"] == [0]
    fresh = worker.call({"op": "call", "fn": "sigmoid", "args": [{"$normal": recipe}]})
    np.testing.assert_allclose(fresh["value"], 1 / (1 + np.exp(-expected)))


@pytest.mark.parametrize("shape", [[0, 3], [], [3000, 3000]])
def test_a_seeded_array_has_a_bounded_shape(worker, shape):
    answer = worker.call({"op": "call", "fn": "sigmoid",
                          "args": [{"$normal": {"seed": 1, "skip": 0, "shape": shape}}]})
    assert not answer["ok"] and answer["error"]["type"] == "GraderError"
    assert "bad seeded array shape" in answer["error"]["message"]


def test_a_request_the_worker_cannot_carry_out_is_not_blamed_on_the_student():
    from grader.checks.framework import error_failure
    failure = error_failure("sigmoid", {"type": "GraderError", "message": "bad request: x"})
    assert failure.kind == "internal" and "not your code's fault" in failure.message
    assert "GraderError" not in failure.message and "bad request" not in failure.message


def test_the_timed_call_gets_its_late_arguments_with_it(worker):
    """What the answer depends on arrives with the timed call (args_at), never with `keep`."""
    worker.keep({"request": {"op": "call", "fn": "sigmoid", "args": [None]}})
    answer = worker.call_kept({"fresh": True, "args_at": [[0, np.zeros(3)]]})
    assert answer["ok"]
    np.testing.assert_array_equal(worker.kept_value({})["value"], np.full(3, 0.5))


def test_only_the_named_rows_of_a_large_output_come_back(worker):
    """A V x D gradient comes back as the rows the grader names (a few KB, not 8 MB), which
    include the outside word's and the samples' rows (loss_reference._rows_back)."""
    from grader.checks import loss_reference
    problem = LossProblem(V=500, D=4, o=7, seed=3, samples=(480, 481))
    rows = loss_reference._rows_back(problem, also=[(499, 3)])
    assert {7, 480, 481, 499, 3, 0} <= set(rows) and len(rows) < 80
    v, U = problem.arrays
    worker.keep({"request": {"op": "call", "fn": "naiveSoftmaxLossAndGradient",
                             "args": [None, problem.o, U, None]}})
    assert worker.call_kept({"fresh": True, "args_at": [[0, v]]})["ok"]
    loss, grad_center, grad_rows = worker.kept_value({"rows": [2, list(rows)]})["value"]
    full = worker.module.naiveSoftmaxLossAndGradient(v, problem.o, U, None)
    np.testing.assert_allclose(grad_rows, full[2][list(rows)])
    np.testing.assert_allclose(grad_center, full[1])


def test_finite_difference_moves_start_from_the_inputs_as_they_came(worker):
    """The grader sends each move (argument, entry, step); the worker applies it to a float
    copy of the argument as the base call brought it, and gives every call its own copy of
    the others, so code that changes its inputs in place cannot shift the next call's, and
    each moved input is what the grader's own move gives (the same float addition: the
    differences computed there are exact)."""
    seen = []

    def sums_and_scribbles(x, y):
        seen.append((np.array(x), np.array(y)))
        total = float(np.sum(x) + np.sum(y))
        x[...] = 99.0
        y += 1.0   # the argument not moved: a reviewer's correct loss that then did this
        return total  # failed the gradient check too, in batches only

    worker.module.__dict__["sums_and_scribbles"] = sums_and_scribbles
    x, y = np.array([[0.3, -0.2], [0.1, 0.7]]), np.array([0.5, 0.25])
    moves = [(flat, step) for flat in range(4) for step in (1e-4, -1e-4)]
    answer = worker.batch({"op": "batch", "calls": [{"move": [0, f, s]} for f, s in moves],
                           "base": {"op": "call", "fn": "sums_and_scribbles", "args": [x, y],
                                    "pick": 0}})
    assert all(result["ok"] for result in answer["results"])
    for (flat, step), (got_x, got_y) in zip(moves, seen, strict=True):
        expected = x.copy()
        expected[np.unravel_index(flat, x.shape)] += step
        assert np.array_equal(got_x, expected)
        assert np.array_equal(got_y, [0.5, 0.25])


@pytest.mark.parametrize("move", [[3, 0, 1e-4], [0, 99, 1e-4], [0, 0, "up"], [0]])
def test_a_move_the_worker_cannot_make_is_the_graders_error(worker, move):
    answer = worker.batch({"op": "batch", "calls": [{"move": move}],
                           "base": {"op": "call", "fn": "sigmoid", "args": [np.zeros(2)]}})
    assert answer["results"][0]["error"]["type"] == "GraderError"
