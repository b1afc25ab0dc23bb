"""The reference sgd keeps the contract its docstring states (the future sgd checks rest on it)."""

import importlib.util
import random

import numpy as np
import pytest

from conftest import ROOT


@pytest.fixture
def sgd_module():
    spec = importlib.util.spec_from_file_location("reference_sgd", ROOT / "solutions" / "sgd.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_f_once_per_iteration_step_annealed_and_postprocessing_after_each_update(sgd_module, capsys):
    seen, post = [], []

    def f(x):
        seen.append(x.copy())
        return 0.0, np.ones_like(x)

    def postprocessing(x):
        post.append(x.copy())
        return x

    # ANNEAL_EVERY is 20000 in the course; 40001 iterations cross it twice.
    x = sgd_module.sgd(f, np.zeros(1), 1.0, 40001, postprocessing, PRINT_EVERY=10 ** 9)
    assert len(seen) == len(post) == 40001
    steps = np.diff(np.array(post)[:, 0])
    assert steps[0] == -1.0 and steps[19998] == -1.0          # iterations 2..20000: step 1
    assert steps[19999] == -0.5 and steps[39998] == -0.5      # 20001..40000: step 1/2
    assert steps[39999] == -0.25                              # 40001: step 1/4
    assert x[0] == pytest.approx(-(20000 + 10000 + 0.25))


def test_resume_from_checkpoint_matches_an_uninterrupted_run(sgd_module, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sgd_module, "SAVE_PARAMS_EVERY", 7)

    def f(x):
        return float(np.sum(x ** 2)), 2 * x + random.random()

    random.seed(1)
    whole = sgd_module.sgd(f, np.ones(3), 0.1, 20, useSaved=False, PRINT_EVERY=10 ** 9)
    random.seed(1)
    sgd_module.sgd(f, np.ones(3), 0.1, 14, useSaved=True, PRINT_EVERY=10 ** 9)
    assert sorted(p.name for p in tmp_path.glob("saved_params_*.npy")) == \
        ["saved_params_14.npy", "saved_params_7.npy"]
    random.seed(99)  # the checkpoint's random state must win over this
    resumed = sgd_module.sgd(f, np.ones(3), 0.1, 20, useSaved=True, PRINT_EVERY=10 ** 9)
    np.testing.assert_allclose(resumed, whole)
    assert not list(tmp_path.glob("*.tmp"))
