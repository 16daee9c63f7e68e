"""Text classifiers a policy category may use beside its lexicon.

One is bundled: ``profanity``, alt-profanity-check's linear SVM over
character and word n-grams, trained on offensive and profane comments (its
model ships inside the PyPI wheel: nothing is downloaded). It scores how
*offensive* a sentence reads -- swearing, insults -- and is the right tool
for a profanity category. It is not a threat detector: "I will find where
you live and hurt your family" scores about 0.5, like harmless sentences
with an offensive word in them, so threats are left to lexicon phrases
(``benchmarks/text_moderation.py`` prints both on the same sentences).

A classifier is loaded once per process, on first use (scikit-learn and the
model take about a second and a half to load) and behind a lock, so a
worker's threads share one. Classifiers are registered by name; a policy
naming one whose package is not installed keeps its lexicon and says so
once in the log (:func:`available`).
"""

from __future__ import annotations

import importlib.util
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cache

import numpy as np

from vidclip.errors import ConfigError


class TextClassifier(ABC):
    """Scores texts in [0, 1]: how much each reads like the category it was trained for."""

    name: str = "base"
    #: The import the classifier needs (its extra), for :func:`available`.
    package: str = ""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False

    def load(self) -> None:
        """Load the model once; idempotent and thread-safe."""
        with self._lock:
            if not self._loaded:
                self._load()
                self._loaded = True

    @abstractmethod
    def _load(self) -> None: ...

    @abstractmethod
    def _scores(self, texts: list[str]) -> np.ndarray: ...

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """One score per text, in the order given."""
        if not texts:
            return np.zeros(0)
        self.load()
        return np.clip(np.asarray(self._scores(list(texts)), np.float64), 0.0, 1.0)


class ProfanityClassifier(TextClassifier):
    """alt-profanity-check: offensive and profane language (not threats)."""

    name = "profanity"
    package = "profanity_check"

    def _load(self) -> None:
        import profanity_check  # loads its vectorizer and model from the wheel

        self._predict = profanity_check.predict_prob

    def _scores(self, texts: list[str]) -> np.ndarray:
        return self._predict(texts)


_REGISTRY: dict[str, type[TextClassifier]] = {"profanity": ProfanityClassifier}
#: Which extra installs each classifier's package.
EXTRA = "moderation"


def names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def check_name(name: str, where: str) -> str:
    if name not in _REGISTRY:
        raise ConfigError(f"{where}: no text classifier named {name!r}; "
                          f"known: {', '.join(names())}.")
    return name


def available(name: str) -> bool:
    """Whether the classifier's package is installed (without importing it)."""
    package = _REGISTRY[name].package
    return importlib.util.find_spec(package) is not None


@cache
def classifier(name: str) -> TextClassifier:
    """The process's one instance of classifier ``name`` (loaded on first use)."""
    return _REGISTRY[check_name(name, "text classifier")]()
