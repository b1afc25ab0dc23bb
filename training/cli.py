"""`make train` / `python -m training`: train word vectors with your own functions and look at them.

    python -m training [--corpus PATH] [--iterations N] [--step S] [--out DIR] [--fresh] ...

Exit status: 0 training worked (or, on a corpus without planted words, the loss went down),
1 it did not, 2 it could not start, 130 stopped with Ctrl-C (run again to resume).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from training import corpus, evaluate, functions, loop, plot
from training.dataset import SentenceDataset, read_sentences

KIT_ROOT = functions.KIT_ROOT
COURSE_WORDS = ["great", "cool", "brilliant", "wonderful", "well", "amazing", "worth", "sweet",
                "enjoyable", "boring", "bad", "dumb", "annoying", "female", "male", "queen", "king",
                "man", "woman", "rain", "snow", "hail", "coffee", "tea"]
PLOTTED_PER_CATEGORY = 5


def shown(path):
    """A path as the student would type it: relative to the current folder when inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse(argv):
    d = loop.Settings()
    p = argparse.ArgumentParser(prog="python -m training", description=__doc__.split("\n")[0])
    p.add_argument("--corpus", help="a sentence file (the course's datasetSentences.txt, one sentence "
                   "a line, or any UTF-8 text); default: the kit's synthetic corpus")
    p.add_argument("--word2vec", help="your word2vec.py (default exercises/word2vec.py)")
    p.add_argument("--sgd", help="your sgd.py (default exercises/sgd.py)")
    p.add_argument("--out", default=str(KIT_ROOT / "training_run"),
                   help="run folder: checkpoints, losses, word_vectors.png (default training_run/)")
    p.add_argument("--iterations", type=int, default=d.iterations)
    p.add_argument("--step", type=float, default=d.step)
    p.add_argument("--dim", type=int, default=d.dim)
    p.add_argument("--window", type=int, default=d.window)
    p.add_argument("--batch", type=int, default=d.batch)
    p.add_argument("--save-every", type=int, default=d.save_every)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--fresh", action="store_true", help="forget saved checkpoints, start again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    opts = p.parse_args(argv)
    for name in ("iterations", "dim", "window", "batch", "save_every"):
        if getattr(opts, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if not np.isfinite(opts.step) or opts.step <= 0:
        p.error("--step must be a positive number")
    return opts


def load_corpus(opts):
    """(dataset, {planted word: category} or {}, a one-line description)."""
    if opts.corpus:
        sentences = read_sentences(opts.corpus)
        data = SentenceDataset(sentences)
        what = f"{shown(opts.corpus)}"
        planted = {}
    else:
        sentences = corpus.generate()
        data = SentenceDataset(sentences)
        what = "the kit's synthetic corpus"
        planted = corpus.category_of()
    words = sum(map(len, data.sentences))
    return data, planted, f"{what}: {len(data.sentences):,} sentences, {words:,} words, " \
                          f"{len(data.tokens()):,} distinct"


def chosen_words(data, planted):
    """(words to show neighbours of, words to plot, their groups)."""
    tokens = data.tokens()
    if planted:
        per = {}
        for w, c in planted.items():
            if w in tokens:
                per.setdefault(c, []).append(w)
        probe = [ws[0] for ws in per.values()]
        plotted = [w for ws in per.values() for w in ws[:PLOTTED_PER_CATEGORY]]
        return probe, plotted, [planted[w] for w in plotted]
    by_count = sorted(tokens, key=lambda w: -data.counts[tokens[w]])
    content = [w for w in by_count[20:] if w.isalpha() and len(w) > 3]
    plotted = [w for w in COURSE_WORDS if w in tokens]
    if len(plotted) < 10:
        plotted = content[:24]
    return content[:6], plotted, [None] * len(plotted)


def main(argv=None):
    opts = parse(sys.argv[1:] if argv is None else argv)
    settings = loop.Settings(opts.iterations, opts.step, opts.dim, opts.window, opts.batch,
                             opts.seed, opts.save_every)
    out = Path(opts.out)
    if opts.fresh and out.exists():
        for p in list(out.glob("saved_*")) + list(out.glob("losses.npy")):
            p.unlink()
    try:
        chosen = functions.load(opts.word2vec, opts.sgd)
        data, planted, description = load_corpus(opts)
    except functions.NotReady as error:
        print(str(error).replace(str(KIT_ROOT) + "/", ""), file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"Cannot read the corpus: {error}", file=sys.stderr)
        return 2
    print(f"Training word vectors with your skipgram, negSamplingLossAndGradient and sgd on {description}.")
    print(f"  {settings.iterations} iterations of {settings.batch} center words, vectors of "
          f"{settings.dim}, window {settings.window}, step {settings.step:g}; run folder {shown(out)}/")
    for note in chosen.notes:
        print(note)
    try:
        result = loop.train(chosen, data, settings, out, show_progress=not opts.no_progress)
    except loop.TrainingError as error:
        print(error, file=sys.stderr)
        return 1
    for note in result.notes:
        print(note)
    if result.start_iteration:
        print(f"Resumed from the checkpoint of iteration {result.start_iteration}.")
    if result.interrupted:
        print(f"Stopped at iteration {result.iteration}: its parameters are saved in {shown(out)}/. "
              "Run the same command again to continue from there.")
        return 130
    return report(result, data, planted, chosen, out)


def report(result, data, planted, chosen, out):
    tokens = data.tokens()
    V = len(tokens)
    centers = result.vectors[:V]
    probe, plotted, groups = chosen_words(data, planted)
    finite = bool(np.all(np.isfinite(centers)))
    if finite:
        print("\nNearest neighbours (cosine similarity of the center vectors):")
        for word in probe:
            print(f"  {word:>10}: {', '.join(evaluate.nearest(centers, tokens, word))}")
    if planted:
        found = evaluate.recovery(centers, tokens, planted)
        worked, sentence = evaluate.verdict(result, found, chosen)
    else:
        worked, sentence = _loss_verdict(result, chosen)
    if finite and plotted:
        picture = out / "word_vectors.png"
        plot.plot_words(centers[[tokens[w] for w in plotted]], plotted, groups, picture,
                        title=f"center vectors after {result.iteration} iterations")
        print(f"\nPlot: {shown(picture)}")
    print(f"\n{sentence}")
    print(f"({result.iteration - result.start_iteration} iterations in {result.seconds:.0f} s; "
          f"what your sgd printed is in {shown(out / 'sgd_log.txt')})")
    return 0 if worked else 1


def _loss_verdict(result, chosen):
    """On a corpus without planted words all we can judge is whether the loss went down."""
    what = evaluate.symptom(result)
    if what.startswith("the loss went down"):
        return True, ("Training ran: " + what.split(" but ")[0] + ". This corpus has no planted "
                      "categories to check; look at the neighbours and the plot.")
    return evaluate.verdict(result, None, chosen)


if __name__ == "__main__":
    sys.exit(main())
