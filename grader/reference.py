"""The hidden reference, loaded in the grader's own (trusted) process only."""

import importlib.util
import sys
from contextlib import contextmanager

from grader.paths import EXERCISES_DIR, REFERENCE_FILE
from grader.worker.harness import ControlledSampler

_module = None


def module():
    """The reference word2vec module (loaded once)."""
    global _module
    if _module is None:
        if str(EXERCISES_DIR) not in sys.path:
            sys.path.append(str(EXERCISES_DIR))  # the reference imports utils.* like students do
        spec = importlib.util.spec_from_file_location("_word2vec_reference", REFERENCE_FILE)
        _module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_module)
    return _module


@contextmanager
def controlled_samples(samples):
    """Make the reference's getNegativeSamples return exactly `samples`."""
    ref = module()
    original = ref.getNegativeSamples
    ref.getNegativeSamples = ControlledSampler(samples)
    try:
        yield ref
    finally:
        ref.getNegativeSamples = original
