"""Regenerate the notebook submissions: the exercise notebook as students hand it back.

    .venv/bin/python tests/corpus/notebooks/build_notebooks.py

Each starts from the exercise notebook as generated (grader.build.notebook; never the working
exercises/word2vec.ipynb, which may hold a student's work) with the corpus's correct bodies filled in
(build_corpus.GOOD), then adds what real notebooks carry:
- magics.ipynb: JupyterLab (format 4.5) with line and cell magics, shell escapes, help, the
  get_ipython() lines nbconvert writes, a %%bash cell. Full marks, no notes.
- broken_scratch.ipynb: scratch cells between the good ones that raise (a name left from an
  old session, a package we don't have) or do not parse. Full marks, each bad cell named.
- colab.ipynb: saved by Colab (format 4.0, sources as line lists, no cell ids, Colab and
  widget metadata, outputs with images and widgets, a markdown attachment, a Drive mount).
- malformed/*.ipynb: files that are not notebooks we can read.
"""

import copy
import json
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
from build_corpus import GOOD  # noqa: E402
from grader.build.notebook import build_text  # noqa: E402  (build_corpus put the kit on the path)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def solve(nb, bodies):
    """The notebook dict with each `raise NotImplementedError(...)` stub line replaced by the
    function's body (dedented text, indented here to the stub line's depth)."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        for function, body in bodies.items():
            marker = f'raise NotImplementedError("{function}: replace this line with your code")'
            for line in text.splitlines():
                if line.strip() == marker:
                    indent = line[: len(line) - len(line.lstrip())]
                    body = textwrap.dedent(body).strip("\n")
                    text = text.replace(line, textwrap.indent(body, indent))
        cell["source"] = text
    return nb


def code(source, cell_id=None, outputs=(), count=None):
    cell = {"cell_type": "code", "execution_count": count, "metadata": {},
            "outputs": list(outputs), "source": source}
    if cell_id:
        cell["id"] = cell_id
    return cell


def insert_after(nb, cell_id, *cells):
    index = next(i for i, c in enumerate(nb["cells"]) if c.get("id") == cell_id)
    nb["cells"][index + 1:index + 1] = cells


def stream(text):
    return {"name": "stdout", "output_type": "stream", "text": text}


def magics(solved):
    nb = copy.deepcopy(solved)
    nb["cells"].insert(0, code("%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n"
                               "!pip install --quiet numpy \\\n    hypothesis\n"
                               "get_ipython().run_line_magic('config', \"InlineBackend.figure_format = 'retina'\")",
                               "setup", [stream("Requirement already satisfied: numpy\n")], 1))
    insert_after(nb, "imports-code",
                 code("np.random.randn?\n?np.outer\nfiles = !ls\nfor i in range(2):\n    !echo {i}\n",
                      "looking-around"),
                 code("%%bash\necho this is not Python\n", "bash-cell"))
    skipgram = next(c for c in nb["cells"] if c.get("id") == "skipgram-code")
    skipgram["source"] = "%%time\n" + skipgram["source"]
    insert_after(nb, "sigmoid-code", code("%timeit sigmoid(np.arange(1000.0))\n"
                                          "x = sigmoid(0.0)\nx", "timing", count=4))
    return nb


def broken_scratch(solved):
    nb = copy.deepcopy(solved)
    insert_after(nb, "sigmoid-code", code("# trying things from yesterday\n"
                                          "print(sigmoid(np.array([1.0, 2.0])))\n"
                                          "print(old_result + 1)\n", "scratch-name"))
    insert_after(nb, "naiveSoftmaxLossAndGradient-code",
                 code("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n", "scratch-plot"))
    insert_after(nb, "negSamplingLossAndGradient-code",
                 code("def half_written(x:\n    return x\n", "scratch-syntax"))
    return nb


def colab(solved):
    """As Colab saves it: format 4.0, no cell ids, sources as lists of lines."""
    nb = copy.deepcopy(solved)
    nb["nbformat_minor"] = 0
    nb["metadata"] = {
        "colab": {"provenance": [], "collapsed_sections": [], "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "name": "python3"},
        "language_info": {"name": "python"},
        "accelerator": "GPU",
        "widgets": {"application/vnd.jupyter.widget-state+json": {
            "3f1c": {"model_module": "@jupyter-widgets/controls", "model_name": "FloatProgressModel",
                     "model_module_version": "1.5.0", "state": {"value": 1.0, "max": 1.0}}}},
    }
    nb["cells"].insert(0, code("from google.colab import drive\ndrive.mount('/content/drive')\n",
                               outputs=[stream("Mounted at /content/drive\n")], count=1))
    nb["cells"].insert(1, {"cell_type": "markdown", "metadata": {"id": "pic"},
                           "source": "My notes: ![grad.png](attachment:grad.png)",
                           "attachments": {"grad.png": {"image/png": PNG}}})
    for n, cell in enumerate(nb["cells"]):
        cell.pop("id", None)
        cell["source"] = cell["source"].splitlines(True) if isinstance(cell["source"], str) else cell["source"]
        if cell["cell_type"] == "code":
            cell["metadata"] = {"id": f"c{n:03d}", "colab": {"base_uri": "https://localhost:8080/",
                                                            "height": 35}, "outputId": f"o{n:03d}"}
    sigmoid = next(c for c in nb["cells"] if "def sigmoid" in "".join(c["source"]))
    sigmoid["execution_count"] = 3
    sigmoid["outputs"] = [
        {"output_type": "display_data", "metadata": {},
         "data": {"application/vnd.jupyter.widget-view+json":
                  {"model_id": "3f1c", "version_major": 2, "version_minor": 0},
                  "text/plain": "FloatProgress(value=1.0)"}},
        {"output_type": "execute_result", "execution_count": 3, "metadata": {},
         "data": {"image/png": PNG, "text/plain": ["<Figure size 640x480 with 1 Axes>"]}},
        {"output_type": "error", "ename": "NameError", "evalue": "name 'x' is not defined",
         "traceback": ["\u001b[0;31mNameError\u001b[0m: name 'x' is not defined"]},
    ]
    return nb


def write(path, nb):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main():
    solved = solve(json.loads(build_text(hints="guided")), GOOD)
    write(HERE / "magics.ipynb", magics(solved))
    write(HERE / "broken_scratch.ipynb", broken_scratch(solved))
    write(HERE / "colab.ipynb", colab(solved))
    good_text = (HERE / "magics.ipynb").read_text()
    malformed = HERE / "malformed"
    malformed.mkdir(exist_ok=True)
    (malformed / "not_json.ipynb").write_text("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
    (malformed / "truncated.ipynb").write_text(good_text[: len(good_text) // 2])
    write(malformed / "no_cells.ipynb", {"metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    write(malformed / "source_not_text.ipynb", {
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        "cells": [{"cell_type": "code", "id": "a", "metadata": {}, "outputs": [],
                   "execution_count": None, "source": 42}]})
    write(malformed / "format3.ipynb", {"metadata": {}, "nbformat": 3, "nbformat_minor": 0,
                                        "worksheets": [{"cells": []}]})


if __name__ == "__main__":
    main()
