"""`make train`: train word vectors with the student's own skipgram, negative sampling and sgd.

corpus.py    a deterministic synthetic corpus with planted word categories (no download)
dataset.py   the course's dataset object over any list of sentences, and sentence-file reading
functions.py loading the student's functions (the reference only where one is not written yet)
loop.py      the course's batching, checkpoints in a run folder, progress bar, Ctrl-C and resume
evaluate.py  nearest neighbours, the verdict, and which function to look at when it failed
plot.py      the course-style 2-D SVD plot, word_vectors.png
cli.py       the command line that ties them together (`python -m training`)
"""

import sys as _sys
from pathlib import Path as _Path

# `make train` installs matplotlib and tqdm here, beside the grading venv's packages but not
# among them, so grading (and the workers that run submissions) never import them.
_TRAIN_SITE = _Path(_sys.prefix) / "train-site"
if _TRAIN_SITE.is_dir() and str(_TRAIN_SITE) not in _sys.path:
    _sys.path.append(str(_TRAIN_SITE))
