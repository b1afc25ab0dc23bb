"""The course-style plot: chosen words at the first two principal directions of their vectors."""

from pathlib import Path

import numpy as np

WIDTH_IN, HEIGHT_IN, DPI = 8, 6, 100     # word_vectors.png is 800 x 600 pixels
COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]


def svd_coordinates(vectors):
    """2-D coordinates of the rows of `vectors` (n, D), as the course's run.py computes them.

    The rows are centred, and projected on the top two singular vectors of their covariance.
    Returns an (n, 2) array; raises ValueError for fewer than two rows.
    """
    vectors = np.asarray(vectors, dtype=float)
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError("need at least two word vectors to plot")
    centred = vectors - vectors.mean(axis=0)
    covariance = centred.T @ centred / len(vectors)
    U, _, _ = np.linalg.svd(covariance)
    return centred @ U[:, :2]


def plot_words(vectors, words, groups, path, title="word vectors"):
    """Write a PNG of `words` (their rows in `vectors`) placed by svd_coordinates.

    `groups` gives each word's group name (its colour; None for grey). The file is
    WIDTH_IN x HEIGHT_IN inches at DPI dots per inch; matplotlib draws without a display.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    coords = svd_coordinates(vectors)
    names = sorted({g for g in groups if g is not None})
    colour = {g: COLOURS[i % len(COLOURS)] for i, g in enumerate(names)}
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for (x, y), word, group in zip(coords, words, groups):
        c = colour.get(group, "#999999")
        ax.scatter([x], [y], s=12, color=c)
        ax.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9, color=c)
    for g in names:
        ax.scatter([], [], color=colour[g], label=g)
    if names:
        ax.legend(loc="best", fontsize=8, frameon=False)
    pad = lambda lo, hi: ((lo - 0.08 * (hi - lo)), (hi + 0.12 * (hi - lo))) if hi > lo else (lo - 1, hi + 1)
    ax.set_xlim(*pad(coords[:, 0].min(), coords[:, 0].max()))
    ax.set_ylim(*pad(coords[:, 1].min(), coords[:, 1].max()))
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.savefig(Path(path), dpi=DPI)
