"""`make train`: the reference recovers the planted categories, a buggy skipgram is pointed at,
the plot is a PNG of the expected size, Ctrl-C keeps the checkpoint and a resumed run ends
where an uninterrupted one does. (Student code runs in-process here, as in `make train`:
only the reference and files from tests/corpus/buggy/, never hostile files.)"""

import os
import random
import signal
import struct

import numpy as np
import pytest

from conftest import CORPUS, ROOT
from training import corpus, dataset, evaluate, functions, loop, plot

REFERENCE_W2V, REFERENCE_SGD = ROOT / "solutions" / "word2vec.py", ROOT / "solutions" / "sgd.py"
# Fewer iterations than the default (2000, step 3) with a larger step: still recovers ~80-90%.
QUICK = loop.Settings(iterations=700, step=4.0)


@pytest.fixture(scope="module")
def synthetic():
    return dataset.SentenceDataset(corpus.generate())


@pytest.fixture(scope="module")
def reference_run(synthetic, tmp_path_factory):
    chosen = functions.load(REFERENCE_W2V, REFERENCE_SGD)
    result = loop.train(chosen, synthetic, QUICK, tmp_path_factory.mktemp("run"), show_progress=False)
    return chosen, result


def center_vectors(result, data):
    return result.vectors[:len(data.tokens())]


def test_reference_recovers_the_planted_categories(synthetic, reference_run):
    chosen, result = reference_run
    found = evaluate.recovery(center_vectors(result, synthetic), synthetic.tokens(), corpus.category_of())
    worked, sentence = evaluate.verdict(result, found, chosen)
    assert worked and found.fraction >= 0.8, sentence
    assert sentence.startswith("Training worked")
    # The same check on the untrained vectors finds nothing: the verdict can fail.
    before = evaluate.recovery(result.initial[:len(synthetic.tokens())], synthetic.tokens(),
                               corpus.category_of())
    assert before.fraction < 0.1 and not before.worked


def test_reference_neighbours_share_the_category(synthetic, reference_run):
    _, result = reference_run
    near = evaluate.nearest(center_vectors(result, synthetic), synthetic.tokens(), "dog")
    animals = set(corpus.CATEGORIES["animals"])
    assert len(near) == 5 and "dog" not in near
    assert sum(w in animals for w in near) >= 3, near


def test_buggy_skipgram_is_not_recovered_and_is_pointed_at(synthetic, tmp_path):
    chosen = functions.load(CORPUS / "buggy" / "skipgram_outside_row.py", REFERENCE_SGD)
    result = loop.train(chosen, synthetic, loop.Settings(iterations=150, step=4.0), tmp_path,
                        show_progress=False)
    found = evaluate.recovery(center_vectors(result, synthetic), synthetic.tokens(), corpus.category_of())
    worked, sentence = evaluate.verdict(result, found, chosen)
    assert not worked and not found.worked
    assert "Training did not work" in sentence
    assert "Look at skipgram in word2vec.py first" in sentence
    assert "rows of gradCenterVecs other than the center word's" in sentence


@pytest.mark.parametrize("bug, function, words", [
    ("skipgram_every_row.py", "skipgram", "other than the center word's"),
    ("skipgram_overwrite.py", "skipgram", "add up the loss"),
    ("neg_sign.py", "negSamplingLossAndGradient", "check the signs"),
    ("neg_not_accumulated.py", "negSamplingLossAndGradient", "drawn twice counts twice"),
])
def test_probes_point_at_the_buggy_function(bug, function, words):
    chosen = functions.load(CORPUS / "buggy" / bug, REFERENCE_SGD)
    name, sentence = evaluate.likely_fault(chosen)
    assert name == function and words in sentence


def test_probes_pass_the_reference_and_catch_a_wrong_sgd(tmp_path):
    assert evaluate.likely_fault(functions.load(REFERENCE_W2V, REFERENCE_SGD)) is None
    wrong = tmp_path / "sgd.py"
    wrong.write_text(REFERENCE_SGD.read_text().replace("x = x - step * grad", "x = x + step * grad"))
    name, sentence = evaluate.likely_fault(functions.load(REFERENCE_W2V, wrong))
    assert name == "sgd" and "up the gradient" in sentence


def test_symptoms_nan_and_unchanged_vectors():
    initial = np.ones((4, 2))
    nan = loop.RunResult(initial.copy(), initial, np.array([[1, 2.0], [2, np.nan]]), 0, 2)
    assert evaluate.symptom(nan) == "the loss or the vectors became NaN or infinite at iteration 2"
    same = loop.RunResult(initial.copy(), initial, np.array([[i, 2.0] for i in range(1, 30)]), 0, 29)
    assert evaluate.symptom(same) == "the word vectors did not change at all during training"
    flat = loop.RunResult(initial + 1, initial, np.array([[i, 2.0] for i in range(1, 30)]), 0, 29)
    assert evaluate.symptom(flat).startswith("the loss did not go down")


def test_word_vectors_png_is_valid_and_800_by_600(tmp_path):
    words = [w for ws in corpus.CATEGORIES.values() for w in ws[:3]]
    groups = [c for c, ws in corpus.CATEGORIES.items() for _ in ws[:3]]
    path = tmp_path / "word_vectors.png"
    plot.plot_words(np.random.default_rng(0).standard_normal((len(words), 10)), words, groups, path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (plot.WIDTH_IN * plot.DPI, plot.HEIGHT_IN * plot.DPI) == (800, 600)
    assert data.rstrip(b"\x00")[-8:-4] == b"IEND"


def test_svd_coordinates_follow_the_largest_spread():
    vectors = np.array([[0, 0, 0], [10, 0, 0.1], [20, 0, -0.1], [30, 0, 0]], dtype=float)
    coords = plot.svd_coordinates(vectors)
    assert coords.shape == (4, 2)
    assert np.allclose(np.abs(np.diff(coords[:, 0])), 10, atol=0.05)
    with pytest.raises(ValueError):
        plot.svd_coordinates(vectors[:1])


def test_ctrl_c_keeps_the_exact_state_and_resume_matches_an_uninterrupted_run(synthetic, tmp_path):
    chosen = functions.load(REFERENCE_W2V, REFERENCE_SGD)
    settings = loop.Settings(iterations=30, step=3.0, save_every=7)
    whole = loop.train(chosen, synthetic, settings, tmp_path / "whole", show_progress=False)

    def ctrl_c_at_10(iteration):
        if iteration == 10:
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, handled like the student's
        return False

    run = tmp_path / "stopped"
    stopped = loop.train(chosen, synthetic, settings, run, show_progress=False, stop=ctrl_c_at_10)
    assert stopped.interrupted and stopped.iteration == 10
    assert loop.checkpoints(run) == [7, 10]
    np.testing.assert_array_equal(stopped.vectors, np.load(run / "saved_params_10.npy"))
    resumed = loop.train(chosen, synthetic, settings, run, show_progress=False)
    assert resumed.start_iteration == 10 and resumed.iteration == 30 and not resumed.interrupted
    np.testing.assert_allclose(resumed.vectors, whole.vectors)
    assert resumed.losses[:, 0].tolist() == list(range(1, 31))
    np.testing.assert_allclose(resumed.losses, whole.losses)


def test_a_changed_setting_starts_afresh(synthetic, tmp_path):
    chosen = functions.load(REFERENCE_W2V, REFERENCE_SGD)
    loop.train(chosen, synthetic, loop.Settings(iterations=5, save_every=5), tmp_path, show_progress=False)
    again = loop.train(chosen, synthetic, loop.Settings(iterations=6, save_every=5), tmp_path,
                       show_progress=False)
    assert again.start_iteration == 0 and any("afresh" in n for n in again.notes)


def test_student_error_names_the_function_and_line(synthetic, tmp_path):
    broken = tmp_path / "word2vec.py"
    broken.write_text(REFERENCE_W2V.read_text().replace(
        "    c = word2Ind[currentCenterWord]\n", "    c = word2Ind[currentCenterWord]\n    raise ValueError('boom')\n"))
    chosen = functions.load(broken, REFERENCE_SGD)
    with pytest.raises(loop.TrainingError, match=r"ValueError in skipgram \(word2vec\.py, line \d+\): boom"):
        loop.train(chosen, synthetic, loop.Settings(iterations=3), tmp_path / "run", show_progress=False)


def test_unwritten_functions_fall_back_to_the_reference_only_when_it_exists(tmp_path):
    kit = functions.load()  # the untouched stubs in exercises/
    assert kit.from_reference == ["negSamplingLossAndGradient", "skipgram", "sgd"]
    assert all("not written yet" in n for n in kit.notes)
    with pytest.raises(functions.NotReady, match="negSamplingLossAndGradient is not written yet"):
        functions.load(solutions=tmp_path)


def test_synthetic_corpus_is_deterministic_with_zipf_frequencies():
    first, again = corpus.generate(sentences=500), corpus.generate(sentences=500)
    assert first == again and corpus.generate(seed=1, sentences=500) != first
    lengths = [len(s) for s in corpus.generate()]
    assert min(lengths) >= 5 and max(lengths) <= 40 and 14 <= np.mean(lengths) <= 24
    counts = {}
    for s in corpus.generate():
        for w in s:
            counts[w] = counts.get(w, 0) + 1
    for words in corpus.CATEGORIES.values():
        assert counts[words[0]] > 2 * counts[words[-1]] > 0


def test_dataset_samples_like_the_course():
    data = dataset.SentenceDataset([["a", "b", "a", "c"], ["a", "b"], ["x"]])
    assert data.tokens() == {"a": 0, "b": 1, "c": 2}
    random.seed(0)
    draws = np.bincount([data.sampleTokenIdx() for _ in range(20000)], minlength=3) / 20000
    want = np.array([3, 2, 1]) ** 0.75 / np.sum(np.array([3, 2, 1]) ** 0.75)
    assert np.allclose(draws, want, atol=0.02)
    for _ in range(200):
        center, context = data.getRandomContext(1)
        assert context and center not in context and len(context) <= 2


def test_sentence_files_course_format_and_plain_text(tmp_path):
    course = tmp_path / "datasetSentences.txt"
    course.write_text("sentence_index\tsentence\n1\tThe Rock is destined .\n2\tA gorgeous , witty film\n")
    assert dataset.read_sentences(course) == [["the", "rock", "is", "destined", "."],
                                              ["a", "gorgeous", ",", "witty", "film"]]
    plain = tmp_path / "book.txt"
    plain.write_bytes("Hello there. How are you?\nIt's fine, caf\u00e9 \xff!\n".encode("utf-8")[:-3] + b"\xff!\n")
    got = dataset.read_sentences(plain)
    assert got[:2] == [["hello", "there"], ["how", "are", "you"]]
    assert got[2][:2] == ["it's", "fine"]
    assert dataset.read_sentences(plain, max_tokens=3) == [["hello", "there"], ["how"]]


def test_command_line_reports_neighbours_verdict_and_plot(tmp_path, capsys):
    from training import cli
    out = tmp_path / "run"
    code = cli.main(["--word2vec", str(REFERENCE_W2V), "--sgd", str(REFERENCE_SGD), "--out", str(out),
                     "--iterations", "20", "--no-progress"])
    text = capsys.readouterr().out
    assert code == 1  # 20 iterations learn nothing yet, and the verdict says so
    assert "Nearest neighbours" in text and "dog:" in text
    assert "Training did not work" in text and "ITERATIONS=" in text
    assert (out / "word_vectors.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main(["--word2vec", str(tmp_path / "missing.py"), "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
