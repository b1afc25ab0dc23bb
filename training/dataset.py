"""The course's dataset object over any list of sentences, and reading sentence files.

The object offers what the exercise's functions call (`tokens()`, `sampleTokenIdx()`,
`getRandomContext(C)`), as the course's StanfordSentiment class does. All randomness comes
from Python's `random` module, whose state the course's sgd checkpoints save and restore,
so a resumed run draws the same contexts and samples as one never interrupted.
"""

import random
import re
from pathlib import Path

import numpy as np

SAMPLE_TABLE_SIZE = 1_000_000   # the course's negative-sampling table
SUBSAMPLE_T = 1e-3              # frequent-word subsampling threshold (course: 1e-5, for big corpora)
MAX_TOKENS = 2_000_000          # bound on what a sentence file contributes (memory stays small)
MAX_COPIES = 30                 # the course draws subsampling for 30 copies of the corpus

COURSE_HEADER = "sentence_index\tsentence"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class SentenceDataset:
    """Course-compatible dataset over `sentences`, a list of lists of words.

    tokens()             {word: index}, indices 0..V-1 in order of first appearance
    sampleTokenIdx()     a word index drawn with probability proportional to count**0.75
    getRandomContext(C)  (center word, its outside words within C positions, the center excluded)

    Raises ValueError when no sentence has two words (no context can be drawn).
    """

    def __init__(self, sentences):
        sentences = [list(s) for s in sentences if len(s) >= 2]
        if not sentences:
            raise ValueError("the corpus has no sentence of two words or more")
        self._tokens, counts = {}, []
        for sentence in sentences:
            for word in sentence:
                index = self._tokens.setdefault(word, len(self._tokens))
                if index == len(counts):
                    counts.append(0)
                counts[index] += 1
        self.counts = np.array(counts, dtype=float)
        self.sentences = sentences
        self._all = self._subsampled_copies()
        weights = self.counts ** 0.75
        edges = np.cumsum(weights / weights.sum()) * SAMPLE_TABLE_SIZE
        table = np.searchsorted(edges, np.arange(SAMPLE_TABLE_SIZE), side="left")
        self._table = np.minimum(table, len(counts) - 1).tolist()

    def _subsampled_copies(self):
        """The course's allSentences: copies of the corpus with frequent words dropped at random.

        A word with count n is dropped with probability max(0, 1 - sqrt(t * N / n)) (N tokens),
        drawn with a generator of its own so the corpus does not depend on the caller's state.
        """
        total = self.counts.sum()
        reject = np.maximum(0.0, 1 - np.sqrt(SUBSAMPLE_T * total / self.counts))
        rng = random.Random(0)
        copies = max(1, min(MAX_COPIES, int(MAX_TOKENS // total)))
        out = []
        for _ in range(copies):
            for sentence in self.sentences:
                kept = [w for w in sentence if rng.random() >= reject[self._tokens[w]]]
                if len(kept) > 1:
                    out.append(kept)
        return out or self.sentences

    def tokens(self):
        return self._tokens

    def sampleTokenIdx(self):
        return self._table[int(random.random() * SAMPLE_TABLE_SIZE)]

    def getRandomContext(self, C=5):
        while True:
            sentence = self._all[random.randint(0, len(self._all) - 1)]
            i = random.randint(0, len(sentence) - 1)
            center = sentence[i]
            context = [w for w in sentence[max(0, i - C):i] + sentence[i + 1:i + C + 1] if w != center]
            if context:
                return center, context


def read_sentences(path, max_tokens=MAX_TOKENS):
    """Sentences (lists of lower-case words) of a text file, at most `max_tokens` words in all.

    The course's datasetSentences.txt (a `sentence_index<TAB>sentence` header, then one numbered,
    tokenised sentence a line) is read as the course reads it: words split on spaces. Any other
    UTF-8 text (one sentence per line, or running text) is cut into sentences at line ends and
    at . ! ?, and into words of letters and digits. Bytes that are not UTF-8 become U+FFFD.

    Raises OSError when the file cannot be read.
    """
    text = Path(path).read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    sentences, used, seen = [], 0, {}
    course = bool(lines) and lines[0].strip().lower() == COURSE_HEADER
    for line in lines[1:] if course else lines:
        if course:
            parts = line.split("\t", 1)
            pieces = [parts[-1].lower().split()]
        else:
            pieces = [_WORD.findall(s.lower()) for s in _SENTENCE_END.split(line)]
        for words in pieces:
            if words:
                # One string object per distinct word, not per occurrence: memory stays small.
                sentences.append([seen.setdefault(w, w) for w in words[:max_tokens - used]])
                used += len(sentences[-1])
            if used >= max_tokens:
                return sentences
    return sentences
