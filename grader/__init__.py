"""The word2vec exercise kit's grader."""

__version__ = "0.1.0"
