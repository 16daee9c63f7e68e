"""The bundled profanity classifier (alt-profanity-check's model ships in its wheel)."""

from __future__ import annotations

import pytest

from vidclip.errors import ConfigError
from vidclip.text_moderation import classifier as classifiers

pytest.importorskip("profanity_check", reason="the moderation extra is not installed: "
                    "pip install 'vidclip[moderation]'")


def test_it_scores_profanity_high_and_harmless_speech_low():
    scores = classifiers.classifier("profanity").scores([
        "What the fuck is this shit?", "Good morning, I am the harbour master.",
        "Scunthorpe United won at home."])
    assert scores[0] >= 0.9 and scores[1] < 0.3 and scores[2] < 0.3


def test_it_is_one_instance_per_process_and_scores_nothing_for_nothing():
    assert classifiers.classifier("profanity") is classifiers.classifier("profanity")
    assert classifiers.available("profanity")
    assert len(classifiers.classifier("profanity").scores([])) == 0


def test_an_unknown_classifier_is_a_config_error():
    with pytest.raises(ConfigError, match="known: profanity"):
        classifiers.classifier("sarcasm")
