"""The trained intent model: TF-IDF character n-grams (plus words for English) and a
linear SVM; confidence is a softmax of its scores with a temperature fitted on the dev split.

Trained from the shipped sentences at first use in a process (under a second per language,
measured by bench/nlu_accuracy.py) and kept in memory: no pickled model file to version,
and the model always matches the data and the installed scikit-learn. LinearSVC, not
LogisticRegression: the same accuracy here, trained ~30x faster (lbfgs took 10-15 s per
language, which would have forced a persisted model file).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from huikuan.dialogue.nlu.augment import variants
from huikuan.dialogue.nlu.dataset import Example, training_examples
from huikuan.dialogue.nlu.normalize import clean, for_model
from huikuan.dialogue.nlu.types import Intent

AUGMENT_PER_SENTENCE = 8
SEED = 20260310
_WORD = r"[\w']+"  # words keep their apostrophe: don't, i'll


@dataclass(frozen=True, slots=True)
class Params:
    c: float = 1.0
    temperature: float = 0.25
    zh_ngrams: tuple[int, int] = (1, 4)
    en_char_ngrams: tuple[int, int] = (2, 5)
    augment: int = AUGMENT_PER_SENTENCE


def _features(lang: str, params: Params) -> Pipeline | FeatureUnion:
    if lang == "en":
        return FeatureUnion(
            [
                (
                    "words",
                    TfidfVectorizer(
                        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=_WORD
                    ),
                ),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=params.en_char_ngrams, sublinear_tf=True),
                ),
            ]
        )
    return Pipeline(
        [("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=params.zh_ngrams, sublinear_tf=True))]
    )


class IntentModel:
    """Intent probabilities for cleaned text of one language."""

    def __init__(self, lang: str, examples: Sequence[Example], params: Params = Params()) -> None:
        texts: list[str] = []
        labels: list[str] = []
        for example in examples:
            base = example.text
            for text in (base, *variants(base, lang, params.augment, SEED)):
                texts.append(for_model(clean(text)))
                labels.append(example.intent.value)
        self._pipeline = Pipeline(
            [
                ("features", _features(lang, params)),
                ("clf", LinearSVC(C=params.c)),
            ]
        )
        self._pipeline.fit(texts, labels)
        self.labels = [Intent(label) for label in self._pipeline.classes_]
        self.temperature = params.temperature
        features = self._pipeline.named_steps["features"]
        steps = features.transformer_list if isinstance(features, FeatureUnion) else features.steps
        self._vectorizers: list[TfidfVectorizer] = [v for _, v in steps]
        self._analyzers = [v.build_analyzer() for v in self._vectorizers]
        self._offsets = np.cumsum([0] + [len(v.vocabulary_) for v in self._vectorizers]).tolist()
        clf = self._pipeline.named_steps["clf"]
        self._coef = np.ascontiguousarray(clf.coef_.T)
        self._intercept = np.asarray(clf.intercept_, dtype=float)

    def fast_scores(self, text: str) -> np.ndarray:
        """`scores` for one text without scikit-learn's per-call validation (~0.2 ms instead of
        3-7 ms): the same sublinear TF-IDF, l2 norm per vectorizer, then the linear scores."""
        total = self._intercept.copy()
        for vectorizer, analyzer, offset in zip(
            self._vectorizers, self._analyzers, self._offsets, strict=False
        ):
            counts: dict[int, int] = {}
            vocabulary = vectorizer.vocabulary_
            for gram in analyzer(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts, dtype=np.intp, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))
            weights = tf * vectorizer.idf_[indices]
            weights /= np.sqrt(np.dot(weights, weights))
            total += weights @ self._coef[indices + offset]
        return total

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Raw SVM scores, one row per cleaned text and one column per label."""
        scores: np.ndarray = np.asarray(self._pipeline.decision_function(list(texts)), dtype=float)
        return scores

    def probabilities(self, text: str) -> dict[Intent, float]:
        """Probability of each intent for one cleaned utterance."""
        row = softmax(self.fast_scores(text), self.temperature)
        return {label: float(p) for label, p in zip(self.labels, row, strict=True)}


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = np.exp(z - z.max())
    out: np.ndarray = z / z.sum()
    return out


def params_for(lang: str) -> Params:
    """The parameters for 'zh' or 'en'."""
    # Softmax temperatures minimise the log-loss on the dev split (see docs/nlu.md).
    return Params(temperature=0.25) if lang == "en" else Params(temperature=0.2)


@functools.cache
def model_for(lang: str) -> IntentModel:
    """The model for 'zh' or 'en', trained once per process from the shipped sentences."""
    return IntentModel(lang, training_examples("en-US" if lang == "en" else "zh-CN"), params_for(lang))
