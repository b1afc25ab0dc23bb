"""The student's skipgram, negative sampling and sgd, loaded from their own files.

This runs the student's code in this process, on their machine, as the course's run.py does.
A function that is not written yet (it raises NotImplementedError) is replaced by the
reference from solutions/ when the kit has one (the instructor's kit), with a note;
otherwise training cannot start and the student is told which function to write.
"""

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

KIT_ROOT = Path(__file__).resolve().parent.parent
EXERCISES = KIT_ROOT / "exercises"
SOLUTIONS = KIT_ROOT / "solutions"
NAMES = ("skipgram", "negSamplingLossAndGradient", "sgd")
FILE_OF = {"skipgram": "word2vec.py", "negSamplingLossAndGradient": "word2vec.py", "sgd": "sgd.py"}


class NotReady(Exception):
    """Training cannot start; the message is one sentence for the student."""


@dataclass
class Functions:
    skipgram: object
    negSamplingLossAndGradient: object
    sgd: object
    sgd_module: object                   # its SAVE_PARAMS_EVERY and save_params are used too
    files: dict                          # {"word2vec.py": Path, "sgd.py": Path} of the student's files
    from_reference: list = field(default_factory=list)   # names replaced by the reference
    notes: list = field(default_factory=list)


def load_module(path, name):
    """Import the file at `path` as a fresh module called `name` (the course's helpers importable).

    Raises NotReady with one sentence when the file is missing or fails to import.
    """
    path = Path(path)
    if not path.is_file():
        raise NotReady(f"{path} does not exist.")
    saved_path = list(sys.path)
    # Its own folder first, then the course helpers (utils/), as when run from exercises/;
    # only while it is imported, so loading one file never changes what the next one imports.
    sys.path[0:0] = [str(path.parent.resolve()), str(EXERCISES)]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the student's file: say what went wrong, in one sentence
        where = f" (line {error.lineno})" if isinstance(error, SyntaxError) and error.lineno else ""
        raise NotReady(f"{path} could not be loaded: {type(error).__name__}{where}: {error}") from None
    finally:
        sys.path[:] = saved_path
    return module


class _TinyDataset:
    """Samples cycle through 0, 1, 2: getNegativeSamples redraws the outside word, never forever."""

    def __init__(self):
        self.draws = 0

    def sampleTokenIdx(self):
        self.draws += 1
        return self.draws % 3

    def getRandomContext(self, C=5):
        return "a", ["b"]


def _not_implemented(call):
    """True when call() raises NotImplementedError (other errors surface later, in training)."""
    try:
        call()
    except NotImplementedError:
        return True
    except Exception:
        return False
    return False


def _probe(name, function, neg):
    tiny, rng = _TinyDataset(), np.random.default_rng(0)
    vectors = rng.standard_normal((3, 2))
    if name == "negSamplingLossAndGradient":
        return lambda: function(vectors[0], 0, vectors, tiny, K=2)
    if name == "skipgram":
        return lambda: function("a", 1, ["b"], {"a": 0, "b": 1, "c": 2}, vectors, vectors.copy(),
                                tiny, neg)
    return lambda: function(lambda x: (0.0, 0 * x), np.zeros(1), 0.1, 1, PRINT_EVERY=10 ** 9)


def load(word2vec_path=None, sgd_path=None, solutions=SOLUTIONS):
    """The three functions training needs: the student's, or the reference's for unwritten ones.

    Raises NotReady when a file cannot be loaded, or a function is missing or not written
    and there is no reference to stand in for it.
    """
    files = {"word2vec.py": Path(word2vec_path or EXERCISES / "word2vec.py"),
             "sgd.py": Path(sgd_path or EXERCISES / "sgd.py")}
    modules = {"word2vec.py": load_module(files["word2vec.py"], "student_word2vec"),
               "sgd.py": load_module(files["sgd.py"], "student_sgd")}
    references = {}
    found = {}
    for name in NAMES:
        function = getattr(modules[FILE_OF[name]], name, None)
        if not callable(function):
            raise NotReady(f"{files[FILE_OF[name]]} has no function {name}.")
        found[name] = function
    chosen = Functions(found["skipgram"], found["negSamplingLossAndGradient"], found["sgd"],
                       modules["sgd.py"], files)
    # Negative sampling first: skipgram is probed with the one training will use.
    for name in ("negSamplingLossAndGradient", "skipgram", "sgd"):
        if not _not_implemented(_probe(name, getattr(chosen, name), chosen.negSamplingLossAndGradient)):
            continue
        reference_file = Path(solutions) / FILE_OF[name]
        if not reference_file.is_file():
            raise NotReady(f"{name} is not written yet (it raises NotImplementedError): fill it in "
                           f"{files[FILE_OF[name]]}, then train again.")
        if reference_file not in references:
            references[reference_file] = load_module(reference_file, f"reference_{reference_file.stem}")
        setattr(chosen, name, getattr(references[reference_file], name))
        if name == "sgd":
            chosen.sgd_module = references[reference_file]
        chosen.from_reference.append(name)
        chosen.notes.append(f"Note: your {name} is not written yet, so this run uses the reference "
                            f"{name} from solutions/ in its place.")
    return chosen
