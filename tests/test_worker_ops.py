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
