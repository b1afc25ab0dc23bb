"""A synthetic corpus with planted structure, generated the same way every time (no download).

Every planted word belongs to one category (animals, foods, colours, numbers, countries, capitals)
and appears among context words that only its own category uses, inside sentences padded with
common words. Skip-gram must therefore put words of a category close together: that is what
`evaluate.py` checks. Countries and capitals are also planted as pairs ("paris is the capital of
france"). Word frequencies follow Zipf's law (the r-th most frequent word about 1/r as often),
within each category and among the common words; sentences are 5 to 40 words long, about 18 on
average, like the course's Stanford Sentiment Treebank sentences.
"""

import random
from pathlib import Path

CATEGORIES = {
    "animals": ["dog", "cat", "horse", "cow", "sheep", "rabbit", "fox", "wolf", "bear", "lion",
                "tiger", "goat"],
    "foods": ["bread", "rice", "soup", "cheese", "apple", "pasta", "salad", "cake", "pizza",
              "banana", "butter", "potato"],
    "colours": ["red", "blue", "green", "yellow", "purple", "pink", "brown", "grey", "violet",
                "golden"],
    "numbers": ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"],
    "countries": ["france", "germany", "italy", "spain", "japan", "egypt", "canada", "kenya",
                  "peru", "norway"],
    "capitals": ["paris", "berlin", "rome", "madrid", "tokyo", "cairo", "ottawa", "nairobi",
                 "lima", "oslo"],
}

# Words only each category's sentences use: what makes a category's words look alike.
CONTEXTS = {
    "animals": ["fed", "wild", "pet", "fur", "tail", "farm", "zoo", "chased", "barked", "hunted",
                "cage", "paws"],
    "foods": ["ate", "cooked", "tasty", "fresh", "kitchen", "delicious", "bowl", "plate", "baked",
              "dinner", "hungry", "recipe"],
    "colours": ["painted", "bright", "dark", "shade", "wall", "dress", "paint", "wore", "pale",
                "coloured", "shirt", "curtains"],
    "numbers": ["counted", "exactly", "times", "dozen", "hundred", "minutes", "pages", "miles",
                "added", "total", "digits", "twice"],
    "countries": ["visited", "border", "government", "travelled", "economy", "flag", "president",
                  "nation", "elections", "exports", "region", "coast"],
    "capitals": ["city", "streets", "mayor", "downtown", "museum", "airport", "flew", "centre",
                 "apartment", "bridges", "traffic", "landed"],
}

COMMON = ("the a of and to in was it that with for on is as at by this from but they we he she "
          "had have very all so there when what some then more out up like time just only over "
          "little day people said went saw made came know good new old first last long great "
          "after before again never always every morning night house world life way school "
          "friend family story week road water room place home back today often would could "
          "really still much many most about into than them their our your his her who which "
          "where why how because while during under between").split()

# {W} a word of the clause's category, {C} one of its context words, {P} a country-capital pair.
TEMPLATES = [
    "the {W} {C} the {C}", "a {C} {W}", "{C} {W} and {C} {W}", "we saw the {C} {W}",
    "the {W} was {C}", "my {W} is {C} and {C}", "{C} {C} {W}", "there was a {W} {C} {C}",
    "she said the {W} {C}", "the {C} of the {W}",
]
PAIR_TEMPLATES = ["{capital} is the capital of {country}", "{country} has its capital in {capital}",
                  "from {capital} in {country}"]

DEFAULT_SEED = 224
DEFAULT_SENTENCES = 4000


def zipf_weights(n, exponent=1.0):
    """Weights of ranks 1..n under Zipf's law: w_r = 1 / r**exponent (not normalised)."""
    return [1.0 / (r ** exponent) for r in range(1, n + 1)]


class _Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.common_w = zipf_weights(len(COMMON))
        self.word_w = {k: zipf_weights(len(v), 0.7) for k, v in CATEGORIES.items()}
        self.context_w = {k: zipf_weights(len(v), 0.5) for k, v in CONTEXTS.items()}

    def common(self, n):
        return self.rng.choices(COMMON, self.common_w, k=n)

    def clause(self):
        rng = self.rng
        if rng.random() < 0.12:
            i = rng.randrange(len(CATEGORIES["countries"]))
            text = rng.choice(PAIR_TEMPLATES).format(
                capital=CATEGORIES["capitals"][i], country=CATEGORIES["countries"][i])
            return text.split()
        category = rng.choice(list(CATEGORIES))
        out = []
        for token in rng.choice(TEMPLATES).split():
            if token == "{W}":
                out += rng.choices(CATEGORIES[category], self.word_w[category])
            elif token == "{C}":
                out += rng.choices(CONTEXTS[category], self.context_w[category])
            else:
                out.append(token)
        return out

    def sentence(self):
        rng = self.rng
        words = self.common(rng.randint(0, 6)) + self.clause()
        while rng.random() < 0.55 and len(words) < 30:
            words += self.common(rng.randint(1, 4)) + self.clause()
        words += self.common(rng.randint(0, 5))
        if len(words) < 5:
            words += self.common(5 - len(words))
        return words[:40]


def generate(seed=DEFAULT_SEED, sentences=DEFAULT_SENTENCES):
    """`sentences` sentences (lists of lower-case words); the same seed gives the same corpus.

    Raises ValueError for a negative number of sentences.
    """
    if sentences < 0:
        raise ValueError("the number of sentences cannot be negative")
    gen = _Generator(seed)
    return [gen.sentence() for _ in range(sentences)]


def category_of():
    """{planted word: its category}."""
    return {w: k for k, words in CATEGORIES.items() for w in words}


def write(path, seed=DEFAULT_SEED, sentences=DEFAULT_SENTENCES):
    """Write the corpus one sentence per line (UTF-8), a format `dataset.read_sentences` reads."""
    Path(path).write_text("".join(" ".join(s) + "\n" for s in generate(seed, sentences)),
                          encoding="utf-8")


if __name__ == "__main__":
    import sys
    write(sys.argv[1] if len(sys.argv) > 1 else "synthetic_corpus.txt")
